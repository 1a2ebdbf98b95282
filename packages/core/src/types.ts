import type {
  Catalogue,
  ImageModelName,
  JobStatus,
  JobStatusResponse,
  ModelInputs,
  ModelName,
  VideoModelName,
} from "@decart/api";
import type { ImageModel, VideoModel } from "./models.js";

/**
 * A file input: a `Blob` or `File` (a `File` keeps its name), a `ReadableStream` of bytes, a `Uint8Array` or
 * `ArrayBuffer`, or an `http(s)` URL (a `URL` or a string) that the client downloads first, with your `signal`.
 */
export type FileInput = Blob | ReadableStream<Uint8Array> | ArrayBuffer | ArrayBufferView | URL | string;

/** The TypeScript value of a small JSON schema (arrays, objects, numbers, strings, booleans). */
export type FromSchema<S> = S extends { readonly type: "array"; readonly items: infer I }
  ? FromSchema<I>[]
  : S extends { readonly type: "object"; readonly properties: infer P }
    ? ObjectFromSchema<P, S extends { readonly required: readonly (infer R)[] } ? R : never>
    : S extends { readonly type: "integer" | "number" }
      ? number
      : S extends { readonly type: "string" }
        ? string
        : S extends { readonly type: "boolean" }
          ? boolean
          : unknown;
type ObjectFromSchema<P, R> = { [K in keyof P & R]: FromSchema<P[K]> } & {
  [K in Exclude<keyof P, R>]?: FromSchema<P[K]>;
};

type FieldOf<M extends ModelName> = Catalogue[M]["fields"][number];
type FileFields<M extends ModelName> = Extract<FieldOf<M>, { readonly type: "file" }>["name"];
type JsonField<M extends ModelName, K> = Extract<FieldOf<M>, { readonly type: "json"; readonly name: K }>;

/**
 * A model's inputs as you pass them: the spec's multipart body, with file fields widened to `FileInput` and JSON
 * fields (e.g. `trajectory`) typed as their structured value (JSON text is accepted too).
 */
export type Inputs<M extends ModelName> = {
  [K in keyof ModelInputs<M>]: K extends FileFields<M>
    ? FileInput
    : [JsonField<M, K>] extends [never]
      ? ModelInputs<M>[K]
      : FromSchema<JsonField<M, K>["schema"]> | string;
};

export type { JobStatus, JobStatusResponse };

/** What `queue.submit` answers. */
export interface JobSubmitResult {
  job_id: string;
  status: JobStatus;
}

/** The outcome of a watched job: never thrown for a failed job. */
export type QueueJobResult =
  | { status: "completed"; job_id: string; data: Blob }
  | { status: "failed"; job_id: string; error: string };

/** How a job ended, without its video: what `wait` and `submitAndPoll` answer with `download: false`. */
export type QueueJobOutcome =
  | { status: "completed"; job_id: string }
  | { status: "failed"; job_id: string; error: string };

/** Waits `ms` unless `signal` aborts first (then rejects). Inject one to test without real waiting. */
export type DelayFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

/** What a poll schedule is told before each status read. */
export interface PollContext {
  /** Status reads done so far (0 before the first). */
  attempt: number;
  /** Milliseconds since the job was submitted (or since watching began, for `wait` without a known start). */
  elapsedMs: number;
  /** The last status seen. */
  status: JobStatus;
  /** How long a job of this model is expected to take, in ms (the catalogue's, refined by observed jobs). */
  typicalMs: number;
  /** The server's `x-poll-after-ms` hint from the last status read, when it sent one. */
  hintMs?: number | undefined;
  /**
   * How widely this model's job durations vary: the standard deviation of ln(duration) over the jobs this client saw
   * finish. Undefined until one did (the default schedule then assumes 1: the guess may be off by a factor of e).
   */
  spread?: number | undefined;
}

/** A poll schedule: the delay before the next status read. */
export type PollSchedule = (context: PollContext) => number;

export interface PollOptions {
  /** A fixed schedule: the delay before the first status read (default: the adaptive schedule). */
  initialDelayMs?: number;
  /** A fixed schedule: the delay between status reads. */
  intervalMs?: number;
  /** The longest delay between status reads (with a fixed schedule, intervals grow ×1.5 up to it). */
  maxIntervalMs?: number;
  /** A schedule of your own. */
  schedule?: PollSchedule;
  /** The wait function used for every pause (polls and retry backoff). */
  delay?: DelayFunction;
  /** The clock, in ms (default `Date.now`). */
  now?: () => number;
}

/** A status update, as `onStatusChange` sees it. */
export type StatusListener = (job: JobStatusResponse) => void;

export interface WaitOptions {
  /** Called when the status changes (only then), first with the current status. */
  onStatusChange?: StatusListener;
  /** Stops watching (the job is not cancelled). */
  signal?: AbortSignal;
  /** Polling for this call (merged over the client's `poll`), or a schedule function. */
  poll?: PollOptions | PollSchedule;
  /**
   * One budget for the whole call (submit, wait and download) before a `JobTimeoutError` (default 11 minutes; the
   * server fails jobs at 10). Transient failures inside it (a failed status read, a cut-short download, a 429) are
   * retried until it runs out.
   */
  timeoutMs?: number;
  /**
   * `false` to stop when the job ends, without downloading its video (then stream it with `queue.download` or
   * `saveResult` from `@decart/core/node`). Default `true`: a completed result carries `data`, a Blob.
   */
  download?: boolean;
}

export interface QueueWaitOptions extends WaitOptions {
  /** The job's model, if known: it sets the expected duration that drives the poll schedule. */
  model?: VideoModel | VideoModelName;
}

type Control = { signal?: AbortSignal };

/** `queue.submit` options: the model, its inputs, and a signal. */
export type SubmitOptions<M extends VideoModelName> = { model: VideoModel<M> } & Inputs<M> & Control;
/** `queue.submitAndPoll` options. */
export type SubmitAndPollOptions<M extends VideoModelName> = SubmitOptions<M> &
  WaitOptions & {
    /** Called with the job id as soon as the job is accepted, before any waiting. */
    onSubmitted?: (jobId: string) => void;
  };
/** `process` options: an image model, its inputs, and a signal. */
export type ProcessOptions<M extends ImageModelName> = { model: ImageModel<M> } & Inputs<M> & Control;
/** The deprecated `generate` options: a video model and its inputs. */
export type GenerateOptions<M extends VideoModelName> = SubmitAndPollOptions<M>;

/** Download progress. `totalBytes` is the `Content-Length`, when the server sent one. */
export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | undefined;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

/** A result being downloaded: read `stream` once (it errors if the body is cut short). */
export interface Download {
  stream: ReadableStream<Uint8Array>;
  contentLength?: number;
  contentType?: string;
}

/** Where the client reports what it does. Every method is optional; the default prints warnings with `console.warn`. */
export interface Logger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
}
