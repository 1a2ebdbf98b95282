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
import { aborted, DecartError } from "./errors.js";
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
  /** Downloads cut short are started again this many times (default 2). */
  maxRetries?: number;
}

/**
 * Streams a completed job's video to `path` with bounded memory (a `stream/promises` pipeline). The file appears only
 * when the download is complete: bytes go to a temporary file beside it, renamed at the end and removed on failure.
 */
export async function saveResult(
  client: Pick<DecartClient, "queue">,
  jobId: string,
  path: string,
  options: SaveResultOptions = {},
): Promise<{ path: string; bytes: number }> {
  const { signal, onProgress } = options;
  const maxRetries = options.maxRetries ?? 2;
  const temp = `${path}.${Math.random().toString(36).slice(2, 10)}.partial`;
  for (let attempt = 0; ; attempt++) {
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
      if (signal?.aborted) throw aborted(jobId, e);
      const retryable = DecartError.isInstance(e) && e.retryable;
      if (!retryable || attempt >= maxRetries) throw e;
    }
  }
}
