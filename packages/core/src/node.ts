/**
 * Node-only helpers: stream a result to disk with bounded memory, and open a local file as an input.
 * Import from `@decart/core/node`.
 */
import { createWriteStream, openAsBlob } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, extname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { DecartClient } from "./client.js";
import { aborted } from "./errors.js";
import { sleep } from "./poll.js";
import { createGate, POLICY, type RetryPolicy, retry } from "./retry.js";
import type { DownloadProgress } from "./types.js";

const MIME: Record<string, string> = {
  ".mp4": "video/mp4",
  ".m4v": "video/mp4",
  ".webm": "video/webm",
  ".mov": "video/quicktime",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
};

/**
 * Opens a local file as a `File` for a file input (`data`, `reference_image` …), without reading it into memory.
 * Its type comes from the extension (`.mp4` → `video/mp4`, `.png` → `image/png` …) unless you give one.
 */
export async function fileFromPath(path: string, options: { type?: string } = {}): Promise<File> {
  const type = options.type ?? MIME[extname(path).toLowerCase()] ?? "";
  const blob = await openAsBlob(path, { type });
  return new File([blob], basename(path), { type });
}

export interface SaveResultOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Downloads that fail in a transient way (cut short, reset, 5xx …) are started again this many times (default: the client's `maxRetries`). */
  maxRetries?: number;
}

/**
 * Streams a completed job's video to `path` with bounded memory (a `stream/promises` pipeline). The file appears only
 * when the download is complete: bytes go to a temporary file beside it, renamed at the end and removed on failure.
 * A download that fails in a transient way starts again under the client's retry policy (backoff, `Retry-After`).
 */
export async function saveResult(
  client: Pick<DecartClient, "queue">,
  jobId: string,
  path: string,
  options: SaveResultOptions = {},
): Promise<{ path: string; bytes: number }> {
  const { signal, onProgress, maxRetries } = options;
  const policy: RetryPolicy = (client.queue as { [POLICY]?: RetryPolicy })[POLICY] ?? {
    maxRetries: 2,
    delay: sleep,
    now: Date.now,
    random: Math.random,
    logger: {},
    gate: createGate(Date.now),
  };
  const temp = `${path}.${Math.random().toString(36).slice(2, 10)}.partial`;
  return retry(policy, { signal, jobId, maxRetries, what: `saving ${jobId}` }, async () => {
    let bytes = 0;
    const download = await client.queue.download(jobId, {
      signal,
      onProgress: (p) => {
        bytes = p.receivedBytes;
        onProgress?.(p);
      },
    });
    try {
      await pipeline(Readable.fromWeb(download.stream as never), createWriteStream(temp), signal ? { signal } : {});
      await rename(temp, path);
      return { path, bytes };
    } catch (e) {
      await rm(temp, { force: true });
      throw signal?.aborted ? aborted(jobId, e) : e;
    }
  });
}
