/**
 * Node-only helpers: upload files and streams with bounded memory, stream a result to disk, and open a local file as an
 * input. Import from `@decart/core/node`.
 *
 * @module @decart/core/node
 */
import { randomBytes, randomUUID } from "node:crypto";
import { closeSync, constants, openAsBlob, open as openCallback, type Stats } from "node:fs";
import { access, type FileHandle, open, readlink, realpath, rename, rm, stat } from "node:fs/promises";
import {
  type Agent,
  type ClientRequest,
  globalAgent as httpAgent,
  request as httpRequest,
  type IncomingMessage,
} from "node:http";
import { globalAgent as httpsAgent, request as httpsRequest } from "node:https";
import { Socket } from "node:net";
import { basename, dirname, extname, isAbsolute, join, sep } from "node:path";
import { finished, pipeline as pipe, Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setImmediate } from "node:timers/promises";
import type { TLSSocket } from "node:tls";
import { promisify } from "node:util";
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from "node:zlib";
import { maxFileBytes } from "@decart/api";
import type { DecartClient } from "./client.js";
import { isUsableId, MAX_ID_LENGTH } from "./engine.js";
import {
  AbortError,
  AuthenticationError,
  aborted,
  asDecartError,
  ConnectionError,
  callbackThrew,
  DecartError,
  httpSuffix,
  InvalidInputError,
  InvalidResponseError,
  invalid,
  keyLike,
  shown,
  TimeoutError,
  textOf,
} from "./errors.js";
import { crlf, heads, isBytes, notBytes, quoted, tooLarge, typed } from "./inputs.js";
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from "./limits.js";
import { sleep } from "./poll.js";
import { createGate, monotonic, ONCE, POLICY, type RetryPolicy, retry } from "./retry.js";
import { proxyRefused } from "./transport.js";
import type { DownloadProgress, UploadBody, UploadFunction, UploadPartValue } from "./types.js";
import { checkCall, isMp4Start } from "./validate.js";

/** What a watch waits for a job by default (its `timeoutMs`): 11 minutes; for a tool that tells its users how long. */
export { DEFAULT_WAIT_MS } from "./engine.js";
/**
 * The transport's rule of whether a request that creates something may have been taken (see `UploadBody.bodySent`),
 * and its reading of a proxy that refused the tunnel (`proxyStatus` of a fetch error, `proxyRefused` its error).
 */
export { mayHaveTaken, proxyRefused, proxyStatus } from "./transport.js";

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
 * The media types file-type names otherwise than the catalogue's fields do: an animated PNG is a PNG; an M4V, and an
 * MP4 with a 3GPP brand (`ftyp3gp4`, as phones and messaging apps write them), an MP4; a WebM whose header says
 * Matroska, a WebM.
 */
const SAME: Record<string, string> = {
  "image/apng": "image/png",
  "video/x-m4v": "video/mp4",
  "video/3gpp": "video/mp4",
  "video/3gpp2": "video/mp4",
  "video/matroska": "video/webm",
  "video/x-matroska": "video/webm",
};

/**
 * The media type file-type reads (`mime`), in the catalogue's words (see `SAME`); else, for the bytes `start` of an
 * ISO base media file it does not name (one that starts with a `free` or `mdat` box), `video/mp4`, as the check of a
 * result takes them (`isMp4Start`). Undefined: none it knows.
 */
const named = (mime: string | undefined, start: Uint8Array): string | undefined =>
  mime ? (SAME[mime] ?? mime) : isMp4Start(start) ? "video/mp4" : undefined;

/**
 * The media type of `bytes`, told from their signature as [file-type](https://github.com/sindresorhus/file-type) reads
 * it (`image/avif`, `video/vnd.avi`, `audio/x-m4a` …), in the catalogue's words (an M4V or a 3GPP file is `video/mp4`,
 * a Matroska file `video/webm`, an animated PNG `image/png`); undefined when the bytes are of no type it knows.
 */
export async function mediaTypeOf(bytes: Uint8Array): Promise<string | undefined> {
  const { fileTypeFromBuffer } = await import("file-type");
  const found = await fileTypeFromBuffer(bytes).catch(() => undefined);
  return named(found?.mime, bytes.subarray(0, 8));
}

/**
 * The media type of the file at `path`, from its first bytes whatever its name says (see `mediaTypeOf`); undefined when
 * they are of no type known, or the file cannot be read.
 */
export async function mediaTypeOfFile(path: string): Promise<string | undefined> {
  const { fileTypeFromFile } = await import("file-type");
  const found = await fileTypeFromFile(path).catch(() => undefined);
  if (found) return named(found.mime, new Uint8Array());
  const start = new Uint8Array(8);
  try {
    const file = await open(path);
    try {
      await file.read(start, 0, 8, 0);
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  return named(undefined, start);
}

/**
 * Opens a local file as a `File` for a file input (`data`, `reference_image` …), without reading it into memory.
 * Its type comes from the extension (`.mp4` → `video/mp4`, `.png` → `image/png` …) unless you give one, and a file
 * whose first bytes say another kind (a PNG named `.mp4`) throws `InvalidInputError` (`field: "path"`), while one
 * whose bytes say another type of its kind (a WebP named `.jpg`) is typed by its bytes; a file whose
 * extension is none of those (`.avi`, `.HEIC`, `.bin`, none) is typed by its first bytes (see `mediaTypeOfFile`), so
 * that a field that does not take it refuses it before anything is sent. `""` when neither says a type.
 */
export async function fileFromPath(path: string, options: { type?: string | undefined } = {}): Promise<File> {
  const byName = options.type ?? MIME[extname(path).toLowerCase()];
  const refused = (problem: string, cause?: unknown) =>
    new InvalidInputError(`fileFromPath("${path}"): ${problem}; give the path of a readable file`, {
      field: "path",
      expected: "the path of a readable regular file",
      cause,
    });
  // Checked here, not when the upload reads it: a missing or unreadable path, and one that is no regular file (a
  // directory, a pipe, a device: read as a few bytes, or as none), are the caller's to fix before anything is sent.
  let kind: string;
  try {
    const info = await stat(path);
    kind = info.isFile()
      ? ""
      : info.isDirectory()
        ? "a directory"
        : "not a regular file (a pipe, a socket or a device)";
    if (!kind) await access(path, constants.R_OK);
  } catch (e) {
    throw refused(textOf(e, true), e);
  }
  if (kind) throw refused(`it is ${kind}`);
  // A type by the extension is checked against the first bytes, as a file input of no type is (`typed`): a PNG named
  // `.mp4` would be sent as a video, and refused by the server after its upload. (A MOV is an ISO file, read as MP4.)
  // An image named as another (a WebP saved as `.jpg`) is typed by its bytes: the API reads them, not the name.
  const found =
    !options.type && byName && (await typed(new Blob([await openAsBlob(path).then((b) => b.slice(0, 12))]))).type;
  const same = found && found.split("/")[0] === byName!.split("/")[0];
  if (found && !same && byName !== "video/quicktime") {
    throw new InvalidInputError(
      `fileFromPath("${path}"): its first bytes are ${found}'s, not ${byName} as its name says: rename it, or give its type (fileFromPath(path, { type: "${found}" }))`,
      { field: "path", expected: `a file whose bytes are of the type its name says (${byName})` },
    );
  }
  const type = (same && byName !== "video/quicktime" ? found : byName) ?? (await mediaTypeOfFile(path)) ?? "";
  const blob = await openAsBlob(path, { type });
  return new File([blob], basename(path), { type });
}

/** Options of `saveResult`. */
export interface SaveResultOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** Downloads that fail in a transient way (cut short, reset, 5xx …) are started again this many times (default: the client's `maxRetries`). */
  maxRetries?: number | undefined;
  /**
   * Names the temporary file of each attempt, given the file the result goes to (`path`, or the file a link at `path`
   * points to); default `<that file>.<8 random hex digits>.partial`. Give a new name beside it each time (the file is
   * created exclusively, and renamed over the target): a process that may exit before saveResult settles (a second
   * Ctrl-C) knows what to remove. saveResult itself removes it, or renames it to the target, before it settles.
   */
  temporaryPath?: ((target: string) => string) | undefined;
  /**
   * The end of the save's budget, in ms on the client's clock (as a `JobWatch`'s `deadline` is): a download still
   * going then (awaiting its answer or a chunk) ends with a `TimeoutError`, not retried, and leaves no file. Without it
   * a save has no overall limit, only each attempt's (`timeoutMs` until the answer starts, then between chunks).
   */
  deadline?: number | undefined;
  /**
   * Called each time a download that failed (cut short, reset, a 5xx …) is started again, as the wait before it
   * begins: the next attempt counts its bytes (`onProgress`) from 0 again. What it throws, or a promise of it that
   * rejects, changes nothing of the save: it goes to the logger's `warn`.
   */
  onRetry?: ((retry: SaveRetry) => unknown) | undefined;
}

/** A download of `saveResult` started again (its `onRetry`). */
export interface SaveRetry {
  /** 1 the first time it is started again, then 2 … */
  attempt: number;
  /** The wait before it starts, in ms. */
  delayMs: number;
  /** Why the attempt before failed. */
  error: DecartError;
  /** The bytes that attempt had received (a file's attempt drops them). */
  receivedBytes: number;
}

/**
 * Whether the sticky-directory rule keeps the user `uid` (default: the process's effective one; undefined on a system
 * without user ids) from replacing `file` by a rename in `dir`, whatever the file's mode: in a directory whose mode has
 * the sticky bit (`+t`, as `/tmp`), only root, the file's owner and the directory's owner may (EPERM otherwise).
 * `saveResult` checks it before any download; give it a file's `stat` and its directory's.
 */
export function stickyRefuses(
  file: { uid: number },
  dir: { uid: number; mode: number },
  uid: number | undefined = process.geteuid?.(),
): boolean {
  return uid !== undefined && uid !== 0 && (dir.mode & 0o1000) !== 0 && uid !== file.uid && uid !== dir.uid;
}

/** `open` of a file descriptor (a number, not a `FileHandle`: a pipe's goes to a `Socket`, which closes it). */
const openFd = promisify(openCallback);

/** Options of `openPipe`. */
export interface OpenPipeOptions {
  /** Ends the wait for a reader (`"w"`) with an `AbortError` (the signal's reason as its `cause`). */
  signal?: AbortSignal | undefined;
  /** The end of the wait for a reader (`"w"`), in ms on `now`'s clock: then a `TimeoutError`. Default: no end. */
  deadline?: number | undefined;
  /** The clock of `deadline` (default `Date.now`; saveResult passes the client's). */
  now?: (() => number) | undefined;
  /** Called once, when a pipe opened for writing has no reader yet, as the wait for one starts. */
  waiting?: (() => void) | undefined;
}

/**
 * Opens the named pipe (FIFO) `path` (or a descriptor that is one: `/dev/fd/63` from `>(…)`) without any thread ever
 * waiting on it, as a `net.Socket` read (`"r"`) or written (`"w"`) from the event loop: a plain `open` of a pipe waits
 * for its other end in one of Node's worker threads (four by default), and the process's exit waits for that thread, so
 * that neither Ctrl-C twice nor SIGTERM could end a process whose pipe nobody opens; a read or write on such a handle
 * holds one as long as the other end stalls. Opened non-blocking, a pipe answers at once: for reading, open whether or
 * not a writer has it open (on Linux its reads wait for one in the event loop; elsewhere, such a pipe may read as
 * ended before its writer comes); for writing, without a reader (`ENXIO`), when the open is tried again every 50 ms
 * (`waiting` called at the first wait) until a reader comes, `signal` aborts (`AbortError`) or `deadline` passes (a
 * `TimeoutError`, "the pipe … had no reader before the deadline"). Any other failure of the open (`ENOENT`, `EACCES`,
 * a path that is no pipe …) is the system's error as it is. Close the socket (`destroy()`) when done: it closes the pipe.
 */
export async function openPipe(path: string, mode: "r" | "w", options: OpenPipeOptions = {}): Promise<Socket> {
  // Refused before anything is opened, naming the field, as saveResult refuses its own.
  if (typeof path !== "string" || !path || path.includes("\0"))
    throw invalid("openPipe", "path", "the path of a named pipe, not empty, without NUL characters", path);
  if (mode !== "r" && mode !== "w") throw invalid("openPipe", "mode", '"r" (to read) or "w" (to write)', mode);
  const [{ signal }, { deadline = Infinity, now = Date.now, waiting }] = checkCall(
    options,
    "openPipe",
    ["signal"],
    {
      deadline: { type: "number" },
      now: { type: "function" },
      waiting: { type: "function" },
    },
    undefined,
    1,
  ) as [OpenPipeOptions, OpenPipeOptions, unknown];
  let fd: number;
  for (let said = false; ; said = true) {
    try {
      fd = await openFd(path, (mode === "r" ? constants.O_RDONLY : constants.O_WRONLY) | constants.O_NONBLOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENXIO") throw e;
    }
    const left = deadline - now();
    if (left <= 0) throw new TimeoutError(`The pipe ${path} had no reader before the deadline`);
    if (!said) waiting?.();
    await sleep(Math.min(50, left), signal).catch((e) => {
      throw aborted(undefined, e);
    });
  }
  try {
    return new Socket({ fd, readable: mode === "r", writable: mode === "w" });
  } catch (e) {
    // No pipe after all (a file, a directory): its descriptor is not left open.
    closeSync(fd);
    throw e;
  }
}

/**
 * The error of a local write that failed (a missing directory, a directory where the file should be, a full disk …):
 * code `FILE_WRITE_FAILED`, not retried, the Node error as `cause`. The job's result is untouched on the server. The
 * failure is written as `textOf` writes it (its `message`, else `String`, `?` when that throws), never a throw of its own.
 */
const writeFailed = (jobId: string, path: string, cause: unknown, problem = textOf(cause, true)) =>
  new DecartError(
    `Could not write the result of job ${shown(jobId)} to ${path}: ${problem}. The result is still on the server: ` +
      `download it again with saveResult or queue.result(${keyLike(jobId) ? "its id" : `"${jobId}"`})`,
    { code: "FILE_WRITE_FAILED", jobId, path, cause },
  );

/** The message of a save whose temporary file (`temp`, named by `temporaryPath`) exists already (see `saveResult`). */
const taken = (jobId: string, path: string, temp: string) =>
  `Could not write the result of job ${shown(jobId)} to ${path}: its temporary file ${temp} (temporaryPath) exists ` +
  `already, left by a save that was stopped before it ended, or written by another save now; it is never ` +
  `replaced. Remove ${temp} once no save writes it, or give a temporaryPath that names a new file each time; then ` +
  `save again: the result is still on the server`;

/**
 * Streams a completed job's video to `path` with bounded memory (a `stream/promises` pipeline). The file appears only
 * when the download is complete: bytes go to a temporary file beside it, renamed at the end and removed on failure.
 * A download that fails in a transient way starts again under the client's retry policy (backoff, `Retry-After`),
 * `onRetry` told each time.
 * A local write that fails (the directory is missing, `path` is a directory, the disk is full …) is not retried: it
 * fails with code `FILE_WRITE_FAILED` (`path`, `jobId`, the Node error as `cause`), and the result can be saved again.
 * A `path` that is a directory (or a link to one) fails before any download; a link to a file is written through,
 * one to no file yet makes it where it points; a file with hard links is replaced under the name given (its other names
 * keep the old content). A directory where no file can be made fails before any download (the file is never written in
 * place). A file replaced keeps its permissions, and its owner and group where the process may give them; one the
 * process may not write (made read-only) is not replaced: FILE_WRITE_FAILED before any download, as `>` refuses it. A
 * named pipe or a character device (`/dev/null`, a terminal; also through a link, or a descriptor such as `/dev/fd/63`
 * from a shell's `>(…)`, opened by the path given) is written to as it is, as the bytes
 * come (no temporary file, no rename: that would replace it by a file); a pipe is opened first, waiting for its reader
 * until `signal` or `deadline` ends the wait (no thread of Node's pool is held); a download cut short there after its first
 * bytes is not started again (its reader has them). A socket or a block device fails before any download.
 */
export async function saveResult(
  client: Pick<DecartClient, "queue">,
  jobId: string,
  path: string,
  options: SaveResultOptions = {},
): Promise<{ path: string; bytes: number }> {
  // The options checked as a call's are (each read once; one of undefined or null is not given: `maxRetries: null` is
  // the client's, not none), before anything is touched: a callback that is no function, a count that is no whole
  // number ≥ 0, a key that is none of them, are refused naming it (an `onProgress` of text failed once the download
  // had started). The deadline's words are its own, below.
  const [{ signal, onProgress }, { maxRetries, temporaryPath, deadline, onRetry }] = checkCall(
    options,
    "saveResult",
    ["signal", "onProgress"],
    {
      maxRetries: { type: "integer", minimum: 0 },
      temporaryPath: { type: "function" },
      deadline: {},
      onRetry: { type: "function" },
    },
  ) as [SaveResultOptions, SaveResultOptions, unknown];
  // The arguments' order and kinds, before anything is touched: the client itself (not its `queue`; not left out, the
  // job id first), then an id, then a path (not a path where the id goes: the download would ask for a job named so).
  // An id's format is not documented: one that reads as a path (`take.gif`, `team/42`) is one when the path given reads
  // as none (the arguments swapped), or when it is absolute.
  const shape = "saveResult(client, jobId, path)";
  const pathLike = (s: unknown) => typeof s === "string" && (/[/\\]/.test(s) || !!MIME[extname(s).toLowerCase()]);
  if (typeof (client as Partial<DecartClient> | undefined)?.queue?.download !== "function")
    throw invalid(
      "saveResult",
      "client",
      `the client of createDecartClient, not its queue nor a job id: ${shape}`,
      client,
    );
  if (pathLike(jobId) && (!pathLike(path) || isAbsolute(jobId)))
    throw invalid("saveResult", "jobId", `a job's id, not a file's path: ${shape}`, jobId);
  // An id the client would refuse (see `isUsableId`: `..` is resolved away from the URL's path), before anything is
  // touched, as queue.download would refuse it. Every refusal here reads as the client's (`invalid`): the field
  // quoted, what it must be, then what was given.
  if (!isUsableId(jobId))
    throw invalid("saveResult", "jobId", `1 to ${MAX_ID_LENGTH} characters long, not . or ..`, jobId);
  // A path that names no file (empty, not a string, a NUL in it) is refused before any request: it could only fail
  // once the whole result was downloaded.
  if (typeof path !== "string" || !path || path.includes("\0"))
    throw invalid("saveResult", "path", "the path of a file to write, not empty, without NUL characters", path);
  // Checked before anything is touched, as the download would check it (after the file is made).
  if (deadline !== undefined && (typeof deadline !== "number" || !Number.isFinite(deadline)))
    throw invalid("saveResult", "deadline", "a finite number (ms on the client's clock)", deadline);
  const policy: RetryPolicy = (client.queue as { [POLICY]?: RetryPolicy })[POLICY] ?? {
    maxRetries: DEFAULT_MAX_RETRIES,
    delay: sleep,
    now: monotonic,
    wall: Date.now,
    random: Math.random,
    logger: { debug() {}, warn() {} },
    gate: createGate(monotonic),
    timeoutMs: DEFAULT_TIMEOUT_MS,
  };
  // The download under the policy, each attempt's failure kept until its retry is told (`onRetry`): as the retry's
  // wait starts (the first wait the policy is asked for after that failure; a later one is the gate's), with the bytes
  // that attempt had received.
  let received = 0;
  let failed: unknown;
  let retried = 0;
  const tries = onRetry && {
    ...policy,
    delay: (ms: number, stop?: AbortSignal) => {
      if (failed !== undefined) {
        const told = { attempt: ++retried, delayMs: ms, error: asDecartError(failed, jobId), receivedBytes: received };
        failed = undefined;
        (async () => onRetry(told))().catch((e) =>
          policy.logger.warn(callbackThrew(jobId, e, "onRetry threw").message.replace("job goes", "save goes")),
        );
      }
      return policy.delay(ms, stop);
    },
  };
  const retrying = <T>(attempt: () => Promise<T>) =>
    retry(tries || policy, { signal, jobId, maxRetries, deadline, what: `saving ${shown(jobId)}` }, () =>
      attempt().catch((e) => {
        failed = e;
        throw e;
      }),
    );
  // A symbolic link is written through: the file it points to gets the result, and the link stays; one that points to
  // no file yet gets it as a new file there (as `curl -o` and a shell's `>` do). The kernel follows the links first
  // (stat): one it does not follow (a loop; with fs.protected_symlinks, another user's link in a sticky directory such
  // as /tmp) fails here, before any download, as an open of the path would. A directory (or a link to one), a socket or
  // a block device fails at once too. A named pipe or a character device is opened as given (the kernel follows the
  // links as it opens it): an unnamed pipe's descriptor (`/dev/fd/63` from `>(…)`) has no real path to resolve.
  let kind: Stats | undefined;
  let target = path;
  try {
    kind = await stat(path);
    if (!kind.isFIFO() && !kind.isCharacterDevice()) target = await realpath(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw writeFailed(jobId, path, e);
    // Nothing there (a new file, or a link to none): the name the last link gives, or `path` when it is no link. Each
    // link's text is put after the directory it is in as written, not normalised: the kernel reads `sub/..` in it by
    // following `sub` first, and so do the next readlink and realpath (`resolve` would drop `sub` by its text).
    for (let hops = 0; hops < 40; hops++) {
      const to = await readlink(target).catch(() => undefined);
      if (to === undefined) break;
      target = isAbsolute(to) ? to : `${dirname(target)}${sep}${to}`;
    }
    // Its directory as it really is; a missing one, or one that cannot be read, fails when the temporary file is made
    // in it (FILE_WRITE_FAILED), as for any path.
    target = await realpath(dirname(target)).then(
      (real) => join(real, basename(target)),
      () => target,
    );
  }
  const direct = kind && (kind.isFIFO() || kind.isCharacterDevice());
  // A file the process may not write (made read-only, another user's) is not replaced, as `>` and `curl -o` refuse it:
  // before any download. (Opened for writing to tell, nothing written: the process's effective ids, as a write's. Root,
  // whom the system lets write it, replaces it; it stays read-only.)
  if (kind?.isFile()) {
    await open(target, constants.O_WRONLY).then(
      (file) => file.close(),
      (e) => {
        throw writeFailed(
          jobId,
          path,
          e,
          `${textOf(e, true)}: the file is not writable; make it writable, or save elsewhere`,
        );
      },
    );
    // Another user's file in a sticky directory (as /tmp), writable or not: the rename over it fails (EPERM), so it
    // fails here, before the download.
    const dir = await stat(dirname(target)).catch(() => undefined);
    if (dir && stickyRefuses(kind, dir)) {
      // (Node's own form of the refusal, its code a system error's, as the rename would give.)
      const [code, problem] = ["EPERM", "operation not permitted"];
      throw writeFailed(
        jobId,
        path,
        Object.assign(new Error(`${code}: ${problem}, rename over '${target}'`), {
          code,
          syscall: "rename",
          path: target,
        }),
        "EPERM: another user's file, in a directory where only a file's owner replaces it (sticky, as /tmp); " +
          "save elsewhere",
      );
    }
  }
  if (kind && !kind.isFile() && !direct) {
    const [code, problem] = kind.isDirectory()
      ? ["EISDIR", "illegal operation on a directory"]
      : ["EINVAL", "not a file, a named pipe or a character device"];
    throw writeFailed(
      jobId,
      path,
      Object.assign(new Error(`${code}: ${problem}, open '${path}'`), { code, syscall: "open", path }),
    );
  }
  // One download of the result into `file`, its bytes counted by `got` as they come: over node:http (the client's
  // `nodeUpload({ agent })`'s `fetch`, else this one) unless the client has a fetch of its own. One attempt (`maxRetries: 0`):
  // the callers retry the whole download under the policy, a file's afresh, a pipe's only while nothing was written
  // (a retry inside would multiply the attempts, and the policy's waits, by the client's `maxRetries`).
  const downloadInto = async (file: Writable, got: (bytes: number) => void) => {
    received = 0;
    const download = await client.queue.download(jobId, {
      signal,
      deadline,
      // (What it returns is handed on: a promise is waited for, its rejection the callback's failure, as for
      // queue.download; dropped, one that rejected was unhandled.)
      onProgress: (p) => {
        received = p.receivedBytes;
        got(received);
        return onProgress?.(p);
      },
      ...{ [ONCE]: { maxRetries: 0, fetch: nodeFetch() } },
    });
    await pipeline(Readable.fromWeb(download.stream as never), file, signal ? { signal } : {});
  };
  if (direct) {
    // Opened once, before any download, for every attempt: closing it between two would end the reader's stream. A
    // pipe is opened without blocking, again every 50 ms until its reader comes (the call's signal and deadline end
    // the wait), and written through the event loop: neither the wait nor a reader that stalls holds one of libuv's
    // threads (a blocking open, or write, would hold one, unaborted). A device (`/dev/null`, a terminal) opens at once.
    let write: (chunk: Buffer) => Promise<unknown>;
    let close: () => unknown;
    if (kind!.isFIFO()) {
      // The opener's errors as the save's: with the job id, the path as given; the system's a write that failed.
      const pipe = await openPipe(target, "w", { signal, deadline, now: policy.now }).catch((e) => {
        if (AbortError.isInstance(e)) throw aborted(jobId, (e as Error).cause);
        if (TimeoutError.isInstance(e))
          throw new TimeoutError(`Saving ${shown(jobId)}: the pipe ${path} had no reader before the deadline`, {
            jobId,
          });
        throw (e as NodeJS.ErrnoException).syscall ? writeFailed(jobId, path, e) : e;
      });
      // (A pipe that fails, its reader gone, fails the write too.)
      pipe.on("error", () => {});
      write = (chunk) => new Promise((resolve, reject) => pipe.write(chunk, (e) => (e ? reject(e) : resolve(0))));
      close = () => pipe.destroy();
    } else {
      let sink: FileHandle;
      try {
        sink = await open(target, "w");
      } catch (e) {
        throw writeFailed(jobId, path, e);
      }
      write = (chunk) => sink.writeFile(chunk);
      close = () => sink.close().catch(() => {});
    }
    try {
      return await retrying(async () => {
        let bytes = 0;
        let local: unknown;
        // Each chunk written whole, in turn; the handle stays open (a stream of its own would close it).
        const file = new Writable({
          write: (chunk: Buffer, _encoding, done) => write(chunk).then(() => done(), done),
        }).on("error", (e: NodeJS.ErrnoException) => {
          if (e.syscall) local ??= e;
        });
        try {
          await downloadInto(file, (n) => (bytes = n));
          return { path, bytes };
        } catch (e) {
          file.destroy();
          if (signal?.aborted) throw aborted(jobId, signal.reason);
          if (local !== undefined) throw writeFailed(jobId, path, local);
          if (!bytes) throw e;
          // Its first bytes are out: another attempt would send them again.
          const { code, status, requestId } = (e ?? {}) as Partial<DecartError>;
          throw new DecartError(
            `The result of job ${shown(jobId)} was cut short after ${bytes} bytes written to ${path} (a pipe or a device, ` +
              `written as it comes): ${textOf(e, true)}. Not downloaded again there, as its reader has the first ` +
              `bytes; the result is still on the server`,
            { code: code ?? "CONNECTION_ERROR", status, requestId, jobId, cause: e },
          );
        }
      });
    } finally {
      await close();
    }
  }
  return retrying(async () => {
    // A new file of its own (`wx`: never one that exists, e.g. another save's), beside the file it replaces.
    let temp: unknown;
    try {
      temp = temporaryPath ? temporaryPath(target) : `${target}.${randomBytes(4).toString("hex")}.partial`;
    } catch (e) {
      throw callbackThrew(jobId, e, "temporaryPath threw");
    }
    // An answer that is no path (an async function's promise, which may reject: handled here, never unhandled; a
    // number; "") is the callback's failure too, before any download.
    if (!temp || typeof temp !== "string") {
      Promise.resolve(temp).catch(() => {});
      throw callbackThrew(jobId, `temporaryPath answered ${textOf(temp) || '""'}, not a path`);
    }
    let bytes = 0;
    // The first failure of a system call on the file (open, write, rename), told apart from a failure of the
    // download (which the pipeline also passes on to the file, without a `syscall`).
    let local: unknown;
    let handle: FileHandle | undefined;
    let file: Writable | undefined;
    try {
      // The temporary file opens before the download starts: a path that cannot be written costs no download.
      try {
        handle = await open(temp, "wx");
        // A file replaced keeps its owner and group where the process may give them (as root; a group of the user's
        // own; not an owner a container does not map), then its permissions (one made private stays so); a new one
        // has the default owner and mode. An owner that cannot be kept fails nothing (as `cp -p` goes on).
        if (kind?.isFile()) {
          await handle.chown(kind.uid, kind.gid).catch(() => {});
          await handle.chmod(kind.mode & 0o777);
        }
      } catch (e) {
        local = e;
        throw e;
      }
      // Each chunk written whole, in turn; the handle stays open, to flush it (a stream of its own would close it).
      const sink = handle;
      file = new Writable({
        write: (chunk: Buffer, _encoding, done) => sink.writeFile(chunk).then(() => done(), done),
      }).on("error", (e: NodeJS.ErrnoException) => {
        if (e.syscall) local ??= e;
      });
      // One attempt per download: this loop retries the whole of it (answer and body) under the policy.
      await downloadInto(file, (n) => (bytes = n));
      // Its bytes flushed to disk (fsync) before the rename: after a power loss the file there is the whole result,
      // never a name on bytes not yet written. Through the handle it was written by: a file given the mode of one made
      // write-only or read-only (0200, 0444) could not be opened again to flush it.
      await handle
        .sync()
        .finally(() => handle!.close())
        .catch((e) => {
          local ??= e;
          throw e;
        });
      await rename(temp, target).catch((e) => {
        local ??= e;
        throw e;
      });
      return { path, bytes };
    } catch (e) {
      file?.destroy();
      // (Closed already, once flushed: that close fails, and is let fail.)
      await handle?.close().catch(() => {});
      // A removal that fails does not hide why the save failed. None when the temporary file could not be made (a file
      // of that name, if any, is not this save's).
      if (handle) await rm(temp, { force: true }).catch(() => {});
      if (signal?.aborted) throw aborted(jobId, signal.reason);
      if (local === undefined) throw e;
      // No file can be made in the directory (its permissions, a read-only or immutable one): the file is not written
      // in place instead (a failure would leave it half written), and the error says what to change.
      const where = dirname(temp);
      const errno = (local as NodeJS.ErrnoException).code;
      // The temporary file's name is taken (`temporaryPath` answered a name of its own, and a save killed before it
      // settled left that file, or another save writes it now): not replaced (it may be another save's, being written)
      // and not retried; removing it, once no save writes it, is what lets a save with that name run again.
      if (!handle && errno === "EEXIST")
        throw new DecartError(taken(jobId, path, temp), { code: "FILE_WRITE_FAILED", jobId, path, cause: local });
      throw writeFailed(
        jobId,
        path,
        local,
        handle || !/^(EACCES|EPERM|EROFS)$/.test(errno!)
          ? undefined
          : `${textOf(local, true)}: no file can be created in the directory ${where}, where the result is downloaded ` +
              `first (into a temporary file, renamed over the file once complete; a file there is never written in ` +
              `place): make ${where} writable, or save to another directory`,
      );
    }
  });
}

/**
 * A `node:http`/`node:https` request for a fetch call: its URL, method (`method` when `init` gives none), signal and
 * headers, with `headers` added. Answers are asked for unencoded; one encoded all the same (gzip, deflate, br) is
 * decoded by `responseOf`, as by fetch.
 */
const firstOrigins = new WeakMap<AbortSignal, string>();
/**
 * When each kept-alive connection of the agents that requests went through was last freed, by both clocks: the
 * monotonic one stops while the machine sleeps (a laptop's lid closed), the wall clock does not.
 */
const freedAt = new WeakMap<Socket, [number, number]>();
/** The keep-alive timeout (ms) that a connection's server announced in its last answer (`Keep-Alive: timeout=N`). */
const announced = new WeakMap<Socket, number>();
const watched = new WeakSet<Agent>();
/**
 * A POST (a submit, `process`, `files.upload`: it makes something) is never sent on a kept-alive connection that may
 * be stale: one the server may have closed while this process did not run (an event loop blocked past the server's
 * keep-alive timeout, a suspended process, a machine asleep), so that neither the agent's idle timer nor the close was seen and the
 * agent would hand it out. Sent on it, the request fails with a reset once its body went, which cannot be told from a
 * server that read it, made the job and then reset (SUBMIT_OUTCOME_UNKNOWN). So, before one, the agent's free
 * connections idle longer than 4 s, than the server's announced `Keep-Alive: timeout` less 1 s, or than their idle
 * timeout in the agent (its `timeout`), or freed before the agent was watched, are closed and taken out of its pool:
 * the POST takes a fresh connection. Through the agent given (a proxy's agent too), never around it. Only the pool of
 * the POST's own origin (the agent's name for it, as Node's `addRequest` makes it): the connections to other hosts of
 * a shared agent (Node's global one) are the caller's, and left alone.
 */
const dropStale = (agent: Agent, post: boolean, url: URL) => {
  if (typeof agent.on !== "function" || typeof agent.freeSockets !== "object") return;
  if (!watched.has(agent)) {
    watched.add(agent);
    agent.on("free", (socket: Socket) => freedAt.set(socket, [performance.now(), Date.now()]));
  }
  if (!post) return;
  const now = performance.now();
  const wall = Date.now();
  const pool =
    typeof agent.getName === "function"
      ? [
          agent.freeSockets[
            agent.getName({
              protocol: url.protocol,
              host: url.hostname.replace(/^\[|\]$/g, ""),
              port: +url.port || (url.protocol === "https:" ? 443 : 80),
              ...(agent as { options?: object }).options,
            })
          ],
        ]
      : Object.values(agent.freeSockets);
  for (const sockets of pool)
    for (const socket of [...(sockets ?? [])]) {
      const at = freedAt.get(socket);
      const idle = Math.min(4000, socket.timeout || 4000, (announced.get(socket) ?? 5000) - 1000);
      if (at && now - at[0] <= idle && wall - at[1] <= idle) continue;
      // Destroyed, then removed from the pool at once (Node's documented 'agentRemove'; its 'close' comes later).
      socket.destroy();
      socket.emit("agentRemove");
    }
};
const requestOf = (
  url: string,
  init: RequestInit,
  method: string,
  fail: (error: unknown) => void,
  headers?: Record<string, string>,
  agent?: Agent,
) => {
  const make = (agent?: Agent) => {
    const parsed = new URL(url);
    const https = parsed.protocol === "https:";
    dropStale(agent ?? (https ? httpsAgent : httpAgent), (init.method ?? method).toUpperCase() === "POST", parsed);
    return (https ? httpsRequest : httpRequest)(url, {
      method: init.method ?? method,
      headers: { ...Object.fromEntries(new Headers(init.headers)), ...headers, "accept-encoding": "identity" },
      agent,
      signal: init.signal ?? undefined,
    });
  };
  let req: ClientRequest;
  try {
    // The origin of the attempt's first request (baseUrl's: the transport sends each hop of an attempt under the
    // attempt's one signal), and this request's.
    const { origin, protocol } = new URL(url);
    const signal = init.signal;
    if (signal && !firstOrigins.has(signal)) firstOrigins.set(signal, origin);
    try {
      req = make(agent);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ERR_INVALID_PROTOCOL" || !agent) throw e;
      // The agent is of the other scheme (an http.Agent where a redirect leads to an https URL, or the reverse: Node
      // refuses it, ERR_INVALID_PROTOCOL): a redirect's URL on another origin goes over its scheme's default agent. (A
      // proxy's agent, which takes both, serves both.) An agent that does not serve baseUrl's own scheme (an
      // https.Agent with a CA for an http baseUrl, a proxy's agent for the other scheme) would be bypassed on every
      // request (in a network reached only through the proxy, sent direct): refused, naming it.
      if (!signal || firstOrigins.get(signal) === origin)
        throw `nodeUpload({ agent })'s agent does not take ${protocol} URLs (baseUrl's): give an agent for ${protocol.slice(0, -1)}`;
      req = make();
    }
  } catch (e) {
    // A request that Node refuses to make (an agent that throws, a header it cannot send …) fails the same each time:
    // no failure of the network, nothing sent; not retried.
    throw new ConnectionError(
      `${init.method ?? method} ${url}: the request could not be made (${textOf(e, true)}); nothing was sent, not sent again: another attempt would fail the same`,
      { code: "CONNECTION_ERROR", retryable: false, cause: e },
    );
  }
  // A certificate the connection refused (self-signed, expired, for another name …) is no transient failure: another
  // attempt fails the same. It is a ConnectionError that is not retried, and says so in words (Node's code alone did).
  req.on("error", (e: NodeJS.ErrnoException) =>
    fail(
      /CERT|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/.test(e.code!)
        ? new ConnectionError(
            `${init.method ?? method} ${url}: the server's certificate is not trusted (${e.code}: ${textOf(e, true)}); not sent again, another attempt would fail the same`,
            { code: "CONNECTION_ERROR", retryable: false, cause: e },
          )
        : e,
    ),
  );
  // A proxy's agent (https-proxy-agent) whose CONNECT the proxy refused (407, 403, 502 …) tells its status first
  // (`proxyConnect`), then hands the proxy's answer to the request as the API's (a 403 read as the key's): it fails
  // instead as the proxy's refusal, nothing sent (see `proxyRefused`).
  let tunnel: number | undefined;
  req.on("proxyConnect", (answer: { statusCode?: number }) => {
    tunnel = answer?.statusCode;
  });
  req.on("response", (res: IncomingMessage) => {
    if (tunnel && tunnel !== 200) {
      res.resume();
      return fail(proxyRefused(`${init.method ?? method} ${url}`, undefined, undefined, tunnel));
    }
    const timeout = /(?:^|[\s,;])timeout=(\d+)/i.exec(String(res.headers["keep-alive"]))?.[1];
    if (timeout) announced.set(res.socket, +timeout * 1000);
    else announced.delete(res.socket);
  });
  // A 101 (an upgrade no request asked for) never reaches 'response': without this listener Node closes the
  // connection and the request never settles, not even when aborted. It fails at once, as fetch fails it.
  req.on("upgrade", (res: IncomingMessage, socket: Socket) => {
    socket.destroy();
    fail(new Error(`an interim answer (HTTP ${res.statusCode}) where the final one was due`));
  });
  // Anything else that closes the request before it settled (an answer or an error) fails it too: no request hangs.
  req.on("close", () => fail(new Error("the connection closed before any answer")));
  return req;
};

/**
 * A `fetch` over `node:http`/`node:https`, through `agent` when given (see `requestOf`): a client's with `nodeUpload()`
 * (its `fetch`, for every request that carries no files: status reads, results, DELETEs, JSON POSTs), and
 * `saveResult`'s. Node's fetch (undici 6) takes a body without a length (a chunked one, a gzip one) whose connection
 * closed or was reset before its end as complete when the answer says `Connection: close`; this one fails it. The
 * answer is asked for unencoded; one encoded all the same is decoded strictly (a cut-short or corrupt body fails), and
 * a body the connection cut short (`res.complete` false) fails. Redirects are not followed (the transport follows them).
 */
const nodeFetch = (agent?: Agent) =>
  ((url: string, init: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const req = requestOf(url, init, "GET", reject, undefined, agent);
      req.on("response", (res: IncomingMessage) => settleWith(resolve, reject, res, `${req.method} ${url}`));
      // (A JSON request's body is text; the client sends no other without files.)
      req.end(init.body as string | undefined);
    })) as typeof fetch;

/**
 * An answer of `node:http` as a fetch `Response`: its headers as they came (Content-Encoding and Content-Length too),
 * its body decoded as fetch decodes it, the codings in the reverse of the order they were applied in. Node ends the
 * body with an error ("aborted") when the connection closes before its end (`res.complete` false: a Content-Length not
 * reached, a chunked body without its last chunk), and the decoders fail on a cut-short or corrupt encoded body: an
 * error anywhere ends the last stage with it. A coding the client cannot decode fails the body with an
 * InvalidResponseError, not the answer, so that its status still says what happened (a 429 is still a 429; after a
 * 2xx, a job may exist). `what` (method and URL) begins that error's message.
 */
function responseOf(res: IncomingMessage, what: string, requestId = res.headers["x-request-id"] as string | undefined) {
  const status = res.statusCode!;
  // An interim status where the final answer was due (`101` to a request that asked no upgrade): fetch fails it as a
  // broken connection, and so does this (the transport's ConnectionError; after a POST, a job may exist).
  if (status < 200) {
    res.destroy();
    throw new Error(`an interim answer (HTTP ${status}) where the final one was due`);
  }
  const answer = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) answer.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const codings = contentCodings(res.headers["content-encoding"]);
  const unknown = codings.find((coding) => !Object.hasOwn(DECODERS, coding));
  let body: Readable | null = res;
  // The statuses whose answer has no body (fetch drops one sent all the same).
  if (status === 204 || status === 205 || status === 304) {
    body = null;
    res.resume();
  } else if (unknown) {
    const error = new InvalidResponseError(
      `${what}: an answer in an encoding the client cannot decode (${unknown.slice(0, 40)}) ${httpSuffix(status, requestId)}`,
      { status, requestId, retryable: true },
    );
    res.destroy();
    body = new Readable({
      read() {
        this.destroy(error);
      },
    });
  } else if (codings.length) {
    // A connection that fails ends the decoders' input instead of destroying them: what came is decoded and handed on
    // first, then the body fails with the connection's error (`tail`, a turn later: a read waiting has the data). A
    // whole answer whose connection failed before its framing's end (a chunked body's last chunk, a Content-Length's
    // rest) is then read as far as it came, as an unencoded one is: a submit's job id is not lost. A body cut short
    // fails with the connection's error too, not the decoder's.
    let cut: Error | undefined;
    const tail = new Transform({
      transform: (chunk, _encoding, done) => done(null, chunk),
      flush: (done) => void setImmediate().then(() => done(cut)),
    });
    const source = async function* () {
      try {
        yield* res;
      } catch (e) {
        cut = e as Error;
      }
    };
    // (A stage's failure reaches the last, which `pipe` destroys with it; the last's own comes after `pipe` is done.)
    const last = pipe(
      [Readable.from(source(), { objectMode: false }), ...codings.map((coding) => DECODERS[coding]!())],
      () => {},
    ) as Transform;
    // (The body cancelled, or read to its end: the decoders and the connection's stream go too; the connection's at
    // once, as the generator reading it ends only once a read it waits on comes: a stalled server's never does.)
    body = last
      .on("error", (e) => tail.destroy(cut ?? e))
      .pipe(tail)
      .on("close", () => {
        last.destroy();
        res.destroy();
      });
  }
  // A status from 600 to 999 is no HTTP status, but fetch hands it over (the transport reads it as an error answer, as a
  // 5xx); a Response is made with 599 and given it.
  const response = new Response(body && (Readable.toWeb(body) as ReadableStream<Uint8Array>), {
    status: Math.min(status, 599),
    statusText: res.statusMessage ?? "",
    headers: answer,
  });
  return status > 599 ? Object.defineProperty(response, "status", { value: status }) : response;
}

/**
 * Settles a request's promise with its answer as a `Response`, or with why none could be made (an interim status, a
 * reason phrase a Response cannot hold …): a throw in the `response` listener would go uncaught and end the process.
 */
function settleWith(
  resolve: (response: Response) => void,
  reject: (error: unknown) => void,
  res: IncomingMessage,
  what: string,
  requestId?: string,
) {
  try {
    resolve(responseOf(res, what, requestId));
  } catch (e) {
    res.destroy();
    reject(e);
  }
}

/** Options of `nodeUpload`. */
export interface NodeUploadOptions {
  /** The `http.Agent` (or `https.Agent`) for the connections (default: Node's global agents). */
  agent?: Agent | undefined;
}

/** Where a Node stream reads from, when it is a file stream (`fs.createReadStream`). */
const pathOf = (value: unknown) => {
  const path = (value as { path?: unknown }).path;
  return typeof path === "string" ? path : undefined;
};

/** The headers of one part, and its size when known. */
function partOf(boundary: string, name: string, value: UploadPartValue) {
  let head = `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}`;
  let size: number | undefined;
  if (typeof value === "string") {
    // A text's line breaks sent as a form (FormData through fetch) sends them: each (CRLF, a lone CR or LF) as CRLF.
    value = crlf(value);
    size = Buffer.byteLength(value);
  } else {
    const path = pathOf(value);
    const filename = value instanceof File ? value.name : path ? basename(path) : "blob";
    const type =
      (value instanceof Blob && value.type) || MIME[extname(filename).toLowerCase()] || "application/octet-stream";
    head += `; filename=${quoted(filename)}\r\nContent-Type: ${type}`;
    size = value instanceof Blob ? value.size : value instanceof Uint8Array ? value.byteLength : undefined;
  }
  return { name, head: Buffer.from(`${head}\r\n\r\n`), value, size };
}

const CRLF = Buffer.from("\r\n");

/**
 * A chunk of a stream as bytes, by the main entry's rule (`isBytes`): text as UTF-8, an ArrayBuffer or any view of one
 * as it is; none for anything else.
 */
const bytesOf = (chunk: unknown): Uint8Array | undefined =>
  !isBytes(chunk)
    ? undefined
    : typeof chunk === "string"
      ? Buffer.from(chunk)
      : chunk instanceof ArrayBuffer
        ? new Uint8Array(chunk)
        : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/**
 * Ends a source (`end`: a stream destroyed or cancelled, an iterator returned). What a source of the caller's throws or
 * rejects with there is its own: the call ends with its own outcome (it ran in an answer's listener, uncaught).
 */
const release = (end: () => unknown) => {
  try {
    Promise.resolve(end()).catch(() => {});
  } catch {}
};

/**
 * Ends a web stream input, through its reader when one was had. Aborted by the call's signal, it is let go instead, for
 * the call to cancel it with its error (as it cancels one never read); one not cancelled by the next turn of the event
 * loop (the upload function used without the client) is cancelled with the signal's reason.
 */
const cancelWeb = (stream: ReadableStream, reader?: ReadableStreamDefaultReader, signal?: AbortSignal | null) => {
  if (!signal?.aborted) return reader ? reader.cancel() : stream.cancel();
  reader?.releaseLock();
  setTimeout(() => stream.cancel(signal.reason).catch(() => {}));
};

/**
 * A Blob's bytes, 256 KiB at a time. (Node's `blob.stream()` hands an in-memory Blob over as one chunk, a copy of all
 * of it; a slice is read only when asked for, from memory or from disk.)
 */
async function* blobChunks(blob: Blob): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < blob.size; at += 256 * 1024) {
    const slice = blob.slice(at, at + 256 * 1024);
    // A file's Blob (`openAsBlob`) refuses to be read once the file changed (Node's "The blob could not be read"); one
    // that reads shorter than its size (a /sys or /proc file, a FUSE one) gives fewer bytes, and the body fell short of
    // its Content-Length: said so, not left for the server's timeout.
    const bytes = new Uint8Array(
      await slice.arrayBuffer().catch((e) => {
        throw (e as Error)?.name === "NotReadableError"
          ? new Error("the file changed while it was sent (written to or cut since it was opened)", { cause: e })
          : e;
      }),
    );
    if (bytes.byteLength !== slice.size)
      throw new Error(
        `read ${at + bytes.byteLength} of ${blob.size} bytes: the file changed while it was sent, or reads shorter ` +
          "than its size says (as a /sys or /proc file)",
      );
    yield bytes;
  }
}

/**
 * A deflate body: zlib-wrapped as HTTP says (the low bits of its first byte name the method, 8), else raw deflate, as
 * some servers send it; its first bytes tell, as fetch (undici) tells them apart.
 */
const inflate = (): Transform => {
  let inner: Transform | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!inner) {
        if (!chunk.length) return done();
        inner = (chunk[0]! & 0x0f) === 8 ? createInflate() : createInflateRaw();
        inner.on("data", (data) => this.push(data));
        inner.on("error", (e) => this.destroy(e));
      }
      inner.write(chunk, done);
    },
    flush(done) {
      if (!inner) return done();
      inner.once("end", () => done());
      inner.end();
    },
  });
};

/** The decoders of the content codings that fetch decodes. */
const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: inflate,
  br: createBrotliDecompress,
};

/**
 * An upload function that sends multipart requests over `node:http`/`node:https` with a streamed body: files from
 * disk (`fileFromPath`, or any Blob) are read as they are sent, Node streams and web `ReadableStream`s are piped with
 * backpressure, so memory stays bounded whatever the size (Node's `fetch` holds a whole request body in memory
 * first). When every part's size is known the request has a `Content-Length`; otherwise it is sent with chunked
 * transfer encoding. Progress goes to the call's `onUploadProgress` as the bytes are written.
 *
 * Give it to the client, which uses it for the requests that carry files (submit, process, `files.upload`), through
 * the same timeouts, retries and redirects as every request:
 *
 * ```ts
 * const client = createDecartClient({ apiKey, upload: nodeUpload() });
 * ```
 *
 * A stream can be read only once: if a request with a stream part must be sent again (a 429, or a redirect), the call
 * fails with code `UPLOAD_NOT_REPEATABLE` instead (a 401, whose key a `token` source renewed, with that 401's
 * `AuthenticationError`); files from disk and Blobs are read again.
 *
 * Answers are asked for with `Accept-Encoding: identity`; one encoded all the same (gzip, x-gzip, deflate, br, or
 * several of them) is decoded, as fetch decodes it. Its body in an encoding the client cannot decode (zstd …) fails
 * with an `InvalidResponseError` (after a 2xx, `SUBMIT_OUTCOME_UNKNOWN`: a job or image may have been made).
 */
export function nodeUpload(options: NodeUploadOptions = {}): UploadFunction {
  // An agent that is none (Node would refuse every request) is refused now, naming the field.
  if (options?.agent && typeof (options.agent as { addRequest?: unknown }).addRequest !== "function")
    throw invalid("nodeUpload", "agent", "an http.Agent or https.Agent (or a proxy's agent)", options.agent);
  // The stream inputs read, each with how the attempt that read it ended (an error, `HTTP 429` …), once it ended.
  const read = new WeakMap<object, unknown>();
  // The iterator of each async iterable input, asked for once per call (by the body, which each attempt is given): a
  // retry after a refused connection reads the same; another call asks again (an iterator left unread was ended).
  const calls = new WeakMap<object, Map<object, AsyncIterator<unknown>>>();
  // The results of the first reads of each stream input, per call, that checked its type (see `body`): sent first, by
  // whichever attempt sends it (a retry after a connection that failed before the part was reached too).
  const peeked = new WeakMap<object, Map<unknown, Promise<IteratorResult<unknown>>[]>>();
  const upload: UploadFunction = (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const form = init.body as UploadBody;
      const boundary = `----decart-${randomUUID()}`;
      const entries = form.parts ?? [...form.entries()];
      const iterators = calls.get(form) ?? new Map<object, AsyncIterator<unknown>>();
      calls.set(form, iterators);
      const firsts = peeked.get(form) ?? new Map<unknown, Promise<IteratorResult<unknown>>[]>();
      peeked.set(form, firsts);
      for (const [, value] of entries) {
        if (typeof value === "object" && read.has(value)) {
          const before = read.get(value);
          const once = "a stream input can be read only once (give a file from disk or a Blob to allow retries)";
          // A 401 (sent again with a new key from the token source) is the call's error, as any 401: its status wins.
          throw before === "HTTP 401"
            ? new AuthenticationError(
                `The key was refused (HTTP 401) and the upload cannot be sent again with a new one: ${once}; nothing was made`,
                { status: 401 },
              )
            : new DecartError(
                `The upload cannot be sent again: ${once}${before === undefined ? "" : `; the request that read it ended with ${textOf(before, true)}`}`,
                { code: "UPLOAD_NOT_REPEATABLE", cause: before },
              );
        }
      }
      // What is read of an input before anything is sent (its header's size, type, name or path; a web stream not
      // locked; an async iterable's iterator): one that cannot be had is the caller's, refused naming the field, before
      // a connection is made.
      const parts = entries.map(([name, value]) => {
        try {
          let chunks: AsyncIterator<unknown> | undefined;
          const part = partOf(boundary, name, value);
          if (value instanceof ReadableStream) {
            if (value.locked) throw "it is locked (a reader of its own reads it)";
          } else if (typeof value === "object" && !(value instanceof Blob || value instanceof Uint8Array)) {
            chunks = iterators.get(value);
            if (!chunks) {
              // A Node stream's error before it is read (a file that cannot be opened: `fs.createReadStream` of a
              // missing path fails at once; a later field's, while the one before is sent) would end the process,
              // unheard. It is heard from here on, and the stream destroyed with it (an error emitted by hand too):
              // its read fails with it, naming the field.
              const stream = value as Partial<Readable>;
              if (typeof stream.on === "function") stream.on("error", (e) => release(() => stream.destroy!(e)));
              chunks = value[Symbol.asyncIterator]();
            }
            if (typeof chunks?.next !== "function") throw "its Symbol.asyncIterator method gave no iterator";
            iterators.set(value, chunks);
          }
          const first = firsts.get(value) ?? [];
          firsts.set(value, first);
          return { ...part, chunks, first };
        } catch (e) {
          throw new InvalidInputError(`Could not read the input "${name}": ${textOf(e, true)}; nothing was sent`, {
            field: name,
            expected: "a readable file or stream of bytes",
            cause: typeof e === "string" ? undefined : e,
          });
        }
      });
      const end = Buffer.from(`--${boundary}--\r\n`);
      const known = parts.every((p) => p.size !== undefined);
      const filesBytes = parts.reduce((n, p) => n + (typeof p.value === "string" ? 0 : (p.size ?? 0)), 0);
      const headers: Record<string, string> = { "content-type": `multipart/form-data; boundary=${boundary}` };
      if (known) {
        headers["content-length"] = String(
          parts.reduce((n, p) => n + p.head.length + p.size! + CRLF.length, end.length),
        );
      }
      let sentBytes = 0;
      // Set once the whole body was handed to the connection: the server may then have taken the request.
      let sent = false;
      form.bodySent = false;
      let requestId: string | undefined;
      // A callback that throws ends the upload with its own error: not a broken connection, and not sent again. Its
      // last call comes once the whole body was handed to the connection: then a job (or file) may exist, and the
      // error says so (`mayExist`, with the request id, if the answer came already).
      // A promise it returns (not awaited) that rejects while the request is going ends it so too; once the answer
      // came, the call is answered, and the rejection is not seen.
      const progress = (totalBytes = known ? filesBytes : undefined) => {
        const threw = (cause: unknown) => {
          const error = callbackThrew(undefined, cause);
          if (sent) {
            error.message += `; the whole body was sent: a job (or file) may exist${requestId ? ` (request ${requestId})` : ""}`;
            error.requestId = requestId;
            error.mayExist = true;
          }
          return error;
        };
        try {
          (form.onUploadProgress?.({ sentBytes, totalBytes }) as any)?.then?.(0, (cause: unknown) => {
            if (!answered) req.destroy(threw(cause));
          });
        } catch (cause) {
          throw threw(cause);
        }
      };
      /** Reports `bytes` more sent, unless they are the last of a known total (reported once the body is sent). */
      const more = (bytes: number) => {
        sentBytes += bytes;
        if (!known || sentBytes < filesBytes) progress();
      };

      /** The stream input whose next chunk is being waited for, while one is. */
      let waiting: string | undefined;
      // Ends the reading of the source being read at once, a read waiting for its next chunk too (a `for await` would
      // hold it until that chunk came): a Node stream is destroyed, a web stream cancelled, an iterator returned.
      let stop = () => {};
      /**
       * Stops the source being read, and, once a stream part of this request was read (it cannot be sent again), ends
       * every stream part it has not reached: a Node stream destroyed (a file's handle closed), a web stream cancelled,
       * an iterator returned. A request whose body was cut short (an early answer, a success too; a broken connection)
       * ends its inputs with it, read or not.
       */
      const abandon = () => {
        stop();
        stop = () => {};
        if (parts.some(({ value }) => typeof value === "object" && read.has(value)))
          for (const { value, chunks } of parts)
            if (
              typeof value === "object" &&
              !read.has(value) &&
              !(value instanceof Blob || value instanceof Uint8Array)
            )
              endSource(value, chunks);
      };
      /** Ends a stream input: a web stream cancelled (through `reader`, when one is had), a Node stream destroyed, an iterator returned. */
      const endSource = (value: object, chunks?: AsyncIterator<unknown>, reader?: ReadableStreamDefaultReader) =>
        release(() =>
          value instanceof ReadableStream
            ? cancelWeb(value, reader, init.signal)
            : typeof (value as Partial<Readable>).destroy === "function"
              ? (value as Readable).destroy()
              : chunks!.return?.(),
        );

      async function* body(): AsyncGenerator<Uint8Array> {
        // Nothing is read before the connection is made: a connection refused leaves a stream unread, and the retry
        // sends it.
        await connected;
        // A stream part the client checks (`heads`: not with `validateInputs: false`) is checked by its first bytes (12,
        // or all it has), before anything is sent: as a stream collected whole, a PNG where a video goes is refused,
        // naming the field. What was read (its results, a failure too) is kept, and sent first, as read: nothing is
        // lost, progress is told as it is sent. (A web stream's reader is let go for the part's own, below.)
        for (const { name, value, chunks, first } of parts) {
          const check = heads.get(value as object);
          if (!check || value instanceof Blob || first.length) continue;
          const bytes: Uint8Array[] = [];
          let size = 0;
          let reader: ReadableStreamDefaultReader | undefined;
          // Until its check passed, the request's ending (a reset, an early answer, an abort; the check's refusal too)
          // ends the source (see `abandon`), and a retry cannot send it: what it would send was cut, and unchecked.
          let cut = false;
          stop = () => {
            cut = true;
            endSource(value as object, chunks, reader);
          };
          read.set(value as object, undefined);
          waiting = name;
          try {
            if (value instanceof ReadableStream) reader = value.getReader();
            while (size < 12) {
              const result = reader ? reader.read() : chunks!.next();
              first.push(result);
              const { done, value: chunk } = await result;
              const got = done ? undefined : bytesOf(chunk);
              if (!got) break;
              bytes.push(got);
              size += got.byteLength;
            }
          } catch {
            // (The read's failure is the part's, told as it is sent below.)
          } finally {
            waiting = undefined;
            reader?.releaseLock();
            reader = undefined;
          }
          if (size && !cut) check(await typed(new Blob(bytes as BlobPart[])));
          // (Cut while they were read or checked: not sent, by this request nor by a retry.)
          if (cut) return;
          read.delete(value as object);
          stop = () => {};
        }
        if (!known || filesBytes) progress();
        for (const { name, head, value, chunks: iterator, first } of parts) {
          // An answer came before the body was sent whole: nothing more is sent.
          if (answered) return;
          yield head;
          if (typeof value === "string") yield Buffer.from(value);
          else if (value instanceof Uint8Array) {
            yield value;
            more(value.byteLength);
          } else {
            let next: () => Promise<IteratorResult<unknown>>;
            if (value instanceof ReadableStream) {
              // (Its reader had at its first read, and cancelled through `release`: a stream's own getReader() that
              // throws fails as a read does; a reader's cancel() that throws, run from an answer's listener, is its own.)
              let reader: ReadableStreamDefaultReader | undefined;
              next = () => {
                reader ??= value.getReader();
                return first.shift() ?? reader.read();
              };
              stop = () => release(() => reader && cancelWeb(value, reader, init.signal));
            } else {
              const chunks = value instanceof Blob ? blobChunks(value) : iterator!;
              next = () => first.shift() ?? chunks.next();
              stop = () =>
                release(() =>
                  typeof (value as Partial<Readable>).destroy === "function"
                    ? (value as Readable).destroy()
                    : chunks.return?.(),
                );
            }
            if (!(value instanceof Blob)) read.set(value, undefined);
            // The input's own failure (a stream's error, a file changed or removed while it is read, a chunk that is
            // not bytes or cannot be read): the caller's, not the connection's; the body is not complete, so nothing was
            // made.
            const file = value instanceof File ? value.name : pathOf(value);
            const unreadable = (problem: string, cause?: unknown) =>
              new InvalidInputError(
                `Could not send the input "${name}"${file ? ` (${file})` : ""}: ${problem}; the upload stopped before its end, nothing was made`,
                { field: name, expected: "a readable file or stream of bytes", cause },
              );
            const pull = async (): Promise<IteratorResult<Uint8Array>> => {
              let chunk: unknown;
              let bytes: Uint8Array | undefined;
              // (A Blob's slice, read from memory or disk, is no input that may stall.)
              if (!(value instanceof Blob)) waiting = name;
              // What the source gives is read once: a result that is none or whose getters throw, or bytes that cannot
              // be read (a detached ArrayBuffer or view), fail as the source does.
              try {
                const result = await next();
                if (result.done) return { done: true, value: undefined };
                chunk = result.value;
                bytes = bytesOf(chunk);
              } catch (e) {
                throw unreadable(textOf(e, true), e);
              } finally {
                waiting = undefined;
              }
              if (!bytes) throw unreadable(notBytes(chunk));
              return { done: false, value: bytes };
            };
            // The part's bytes, counted as they are sent: past the client's limit of one file, the upload stops with the
            // error a Blob over it gets before anything is sent (in inputs.ts's words), naming the field, rather than
            // the server's 413 after the whole upload.
            let size = 0;
            try {
              for (;;) {
                let chunk: IteratorResult<Uint8Array> | undefined;
                let failure: unknown;
                try {
                  chunk = await pull();
                } catch (e) {
                  failure = e;
                }
                // An answer may come before the body is sent (a 429, a 413, a success): let it be read before writing
                // more, and then stop, rather than write into a connection the server is closing. The answer ended the
                // source (see the `response` listener): a read that then fails, or ends, is no failure of the input.
                await setImmediate();
                if (answered) return;
                if (!chunk) throw failure;
                if (chunk.done) break;
                size += chunk.value.byteLength;
                if (size > maxFileBytes) throw unreadable(tooLarge);
                yield chunk.value;
                more(chunk.value.byteLength);
              }
            } finally {
              // Read to its end, or left early (an answer, a failure): the source is released either way.
              stop();
              stop = () => {};
            }
          }
          yield CRLF;
        }
        // From here on the server may have the whole body (the last bytes handed over); until then, a failure (a
        // broken connection, a timeout, an abort) made nothing, and the transport is told so.
        sent = true;
        form.bodySent = true;
        yield end;
        progress(sentBytes);
      }

      const req = requestOf(url, init, "POST", (e) => fail(e), headers, options.agent);
      /** Records how this request ended (its first ending) for the stream inputs it read. */
      const ended = (how: unknown) => {
        for (const { value } of parts)
          if (typeof value === "object" && read.has(value) && read.get(value) === undefined) read.set(value, how);
      };
      const fail = (e: unknown) => {
        // Aborted (the attempt's timeout, or the call's signal) while a stream input sent nothing: the input stalled,
        // which a retry's UPLOAD_NOT_REPEATABLE says (it said only "The operation was aborted").
        ended(
          waiting !== undefined && init.signal?.aborted
            ? new Error(
                `the input "${waiting}" sending nothing more until the request was aborted (by its timeout, ` +
                  "uploadTimeoutMs or the call's budget, or by the call's signal)",
                { cause: e },
              )
            : e,
        );
        // (Its sources ended before the call hears of it: as `close` would, a turn later.)
        if (!sent) abandon();
        reject(e);
      };
      // A request that ends before its body was sent (an abort, a timeout, a broken connection) stops its sources; one
      // aborted, at once (before the call's error is made: the call cancels a web stream with it, see `cancelWeb`).
      const onAbort = () => sent || abandon();
      init.signal?.addEventListener("abort", onAbort);
      req.on("close", () => {
        init.signal?.removeEventListener("abort", onAbort);
        if (!sent) abandon();
      });
      const connected = new Promise<void>((resolve) =>
        req.once("socket", (socket: Socket) => {
          const tls = socket as TLSSocket;
          // A new connection (TLS: once secured), or one from the pool, ready at once. A TLS one over a socket of its
          // own (a proxy's agent's, in its tunnel: not `connecting`) waits for its handshake too: a reset before it
          // (a proxy's filter at the ClientHello, naming the host) sent nothing of the body.
          if (socket.connecting || (tls.encrypted && !tls.getFinished()))
            socket.once(tls.encrypted ? "secureConnect" : "connect", resolve);
          else resolve();
        }),
      );
      // The answer, once it started.
      let answered: IncomingMessage | undefined;
      req.on("response", (res: IncomingMessage) => {
        answered = res;
        if (!sent) {
          // An answer before the body was sent whole (a 429, a 413; a success or a redirect given without reading it):
          // the body is cut short here, whatever its source is doing. The source being read is stopped now (one that
          // stalls would otherwise hold its read, the request and its connection for ever), and so is every stream
          // part not reached once a stream was read. The request ends short of its length: its connection must not
          // carry another request (the server would read that as the rest of this body), and one that the server
          // stopped reading never drains; once the answer is read (or dropped) it is closed, not pooled.
          req.shouldKeepAlive = false;
          abandon();
          finished(res, () => req.destroy());
        }
        // A 2xx says the server took the request, whether or not it read the whole body first: a failure from here on
        // (its answer cut short) may have made a job (or file), as once the body was sent.
        if (res.statusCode! < 300) form.bodySent = true;
        ended(`HTTP ${res.statusCode}`);
        requestId = res.headers["x-request-id"] as string | undefined;
        settleWith(resolve, reject, res, `${init.method ?? "POST"} ${url}`, requestId);
      });
      // Writes wait for the connection to drain (pipeline's backpressure); a failed write or an abort ends the
      // request with its error, and the sources are cancelled.
      pipeline(Readable.from(body(), { objectMode: false }), req).catch(fail);
    });
  // Every other request of the client (status reads, results, `saveResult`'s too) goes through the same agent, over
  // node:http (see `nodeFetch`): one transport, one agent's CA, proxy and pool for all.
  // (`agent` as given: a client given a `fetch` too refuses this function without one, see `upload` of the client.)
  return Object.assign(upload, { fetch: nodeFetch(options.agent), agent: options.agent });
}

/** The content codings a `Content-Encoding` header names (lower case, `identity` left out), in the order to undo them. */
export const contentCodings = (header: string | undefined): string[] =>
  (header ?? "")
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding && coding !== "identity")
    .reverse();
