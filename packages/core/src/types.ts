import type { Catalogue, JobStatus, JobStatusResponse, ModelInputs, ModelName, VideoModelName } from "@decart/api";
import type { ImageModel, VideoModel } from "./models.js";

/**
 * A file input: a `Blob` or `File` (a `File` keeps its name), a `ReadableStream` of bytes or any async iterable of bytes
 * (a Node `Readable`), a `Uint8Array` or `ArrayBuffer`, or an `http(s)` URL (a `URL` or a string) that the client
 * downloads first, with your `signal`. Streams are read into memory before sending, unless the client has an `upload`
 * function that streams them (`nodeUpload()` of `@decart/core/node`).
 */
export type FileInput =
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | ArrayBuffer
  | ArrayBufferView
  | URL
  | string;

/**
 * Upload progress, in bytes of the files (text fields and multipart framing are not counted). With an `upload`
 * function (`nodeUpload()`), `sentBytes` grows as the body is written to the connection and `totalBytes` is known
 * unless a stream of unknown size is being sent (it is set in the last event); with `fetch`, which reports nothing
 * while it sends, there is one event once the server has answered, with `sentBytes` equal to `totalBytes`. A retried
 * upload starts again from 0.
 */
export interface UploadProgress {
  sentBytes: number;
  totalBytes: number | undefined;
}

/** A file part's value as an upload function gets it: streams are not read before sending. */
export type UploadPartValue = string | Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * A multipart body as the client hands it to an upload function: a `FormData` (without the stream parts), with every
 * part in order in `parts` and the caller's progress callback.
 */
export type UploadBody = FormData & {
  parts?: [name: string, value: UploadPartValue][];
  onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
  /**
   * Set by an upload function that knows how far its body went (`nodeUpload` does): `false` while it is not whole, so
   * that a failure then (a broken connection, a timeout) says nothing was made, `true` once the last bytes were handed
   * over (or a 2xx answer came before: the server took the request), so that an abort then says a job (or file) may
   * exist. Unset, a failure once the request started may have made one.
   */
  bodySent?: boolean;
};

/**
 * Sends a request whose body is multipart (submit, process, `files.upload`), `fetch`-shaped: the client's transport
 * calls it once per attempt, with its own timeouts, retries and redirects, exactly as it calls `fetch`. The client
 * ends the stream parts of a call that fails; one of your own that answers without reading all its stream parts (an
 * answer before the body was sent whole, a success too) must end them itself (destroy a Node stream, cancel a web
 * stream), as `nodeUpload` does.
 */
export type UploadFunction = (url: string, init: RequestInit & { body: UploadBody }) => Promise<Response>;

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
export type Inputs<M extends ModelName> = OneOf<M, M, unknown>;
/**
 * `With` and a model's inputs; for a union of models (a name chosen at run time), a union of them, one per model, each
 * without the fields of the others (`?: undefined`): an object is one model's inputs, whole (lucy-2.5's `data` is taken;
 * lucy-pro-t2v's prompt with lucy-2.5's `reference_image` and no `data` is not). The union is at the top, `With` in
 * each member, so that a call's options of a generic model are those of its constraint (`SubmitOptions<M>` is a
 * `SubmitOptions<VideoModelName>`).
 */
type OneOf<M extends string, All extends string, With> = M extends ModelName
  ? [Exclude<FieldsOf<All>, keyof ModelInputs<M>>] extends [never]
    ? With & ModelInputsOf<M>
    : With & ModelInputsOf<M> & { [K in Exclude<FieldsOf<All>, keyof ModelInputs<M>>]?: undefined }
  : // A definition of your own (a name the catalogue lacks): its inputs are its `fields`, checked at run time.
    With & { [input: string]: unknown };
type FieldsOf<M extends string> = M extends ModelName ? keyof ModelInputs<M> : never;
type ModelInputsOf<M extends ModelName> = {
  [K in keyof ModelInputs<M>]:
    | (K extends FileFields<M>
        ? FileInput
        : [JsonField<M, K>] extends [never]
          ? ModelInputs<M>[K]
          : FromSchema<JsonField<M, K>["schema"]> | string)
    // An optional field may be given as undefined: not given (with `exactOptionalPropertyTypes` too).
    | (Record<never, never> extends Pick<ModelInputs<M>, K> ? undefined : never);
};

export type { JobStatus, JobStatusResponse };

/**
 * What `queue.submit` answers. A type, not an interface: a record (`Record<string, unknown>`), as `@decartai/sdk`'s
 * `JobSubmitResponse` is.
 */
export type JobSubmitResult = {
  /** The job's id: for `queue.status`, `queue.wait`, `queue.watch` and, once it is `completed`, `queue.result`. */
  job_id: string;
  /** Its status when the server took it, normally `pending`. */
  status: JobStatus;
};

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
  /**
   * The server's `x-poll-after-ms` hint from the last status read, when it sent one (at least 50 ms). The default
   * schedule follows it (up to 10 s); a fixed one does not; a schedule of yours decides.
   */
  hintMs?: number | undefined;
  /**
   * How widely this model's job durations vary: the standard deviation of ln(duration) over the jobs this client saw
   * finish. Undefined until one did (the default schedule then reads as for the catalogue's guess: see `adaptiveSchedule`).
   */
  spread?: number | undefined;
}

/** A poll schedule: the delay before the next status read. */
export type PollSchedule = (context: PollContext) => number;

/**
 * How a watch polls a job's status: the client's `poll` option for every wait, and a call's `poll` merged over it.
 * Default: an adaptive schedule from the model's typical job time (see `adaptiveSchedule`).
 */
export interface PollOptions {
  /**
   * A fixed schedule: the delay before the first status read (default: the adaptive schedule). A fixed schedule keeps
   * its waits whatever the server's `x-poll-after-ms` hint says (the default schedule follows it; a `schedule` of your
   * own sees it as `ctx.hintMs`).
   */
  initialDelayMs?: number | undefined;
  /** A fixed schedule: the delay between status reads (the server's hint does not change it). */
  intervalMs?: number | undefined;
  /**
   * The longest delay between status reads, whatever the schedule (the default, a fixed one, a `schedule` of yours:
   * a longer delay it answers is cut to this), at least 50 ms (the adaptive schedule's shortest wait; less is an
   * `InvalidInputError`: `intervalMs: 0` reads as fast as answers come). With a fixed schedule, intervals grow ×1.5 up
   * to it. Two waits go past it rightly: a retry's wait for the server's `Retry-After` (a 429 or 503), and the pace of
   * a watch in the background (`backgroundMs`, 30 s).
   */
  maxIntervalMs?: number | undefined;
  /** A schedule of your own. */
  schedule?: PollSchedule | undefined;
  /** The wait function used for every pause (polls and retry backoff). */
  delay?: DelayFunction | undefined;
  /**
   * The clock, in ms (default: monotonic, `performance.now()` anchored at the wall time, so that a step of the wall
   * clock moves no deadline or gate; see the README). Yours is also what a server's dates are read against.
   */
  now?: (() => number) | undefined;
}

/** A status update, as `onStatusChange` sees it. */
export type StatusListener = (job: JobStatusResponse) => void;

/**
 * Options of a wait: `queue.wait` and `queue.watch` (as `QueueWaitOptions`), and with the model and its inputs,
 * `submitAndPoll` and `submitAndWatch`.
 */
export interface WaitOptions {
  /** Called when the status changes (only then), first with the current status. */
  onStatusChange?: StatusListener | undefined;
  /** Stops watching (the job is not cancelled). */
  signal?: AbortSignal | undefined;
  /** Polling for this call (merged over the client's `poll`), or a schedule function. */
  poll?: PollOptions | PollSchedule | undefined;
  /**
   * One budget for the whole call (submit, wait and download), default 11 minutes (the server fails jobs at 10).
   * Transient failures inside it (a failed status read, a cut-short download, a 429) are retried until it runs out;
   * downloads of a result cut short each time, until they brought more than `maxRetries + 1` results' worth of bytes
   * or more than 4 × (`maxRetries + 1`) of them brought bytes (then the call ends with the download's error: the
   * result stays on the server).
   * Running out once the job exists ends the call in a `JobTimeoutError` carrying `jobId`. A submit it cuts before the
   * answer (its body sent) ends in a `TimeoutError` with code `SUBMIT_OUTCOME_UNKNOWN` and no `jobId`: a job may exist
   * and be billed, so submitting again may make a second one. A submit it ends while retrying a failure the server
   * certainly did not take (a 503, a 429) is a `JobTimeoutError` with no `jobId` (no job was made), its `cause` that
   * failure.
   */
  timeoutMs?: number | undefined;
  /**
   * `false` to stop when the job ends, without downloading its video (then stream it with `queue.download` or
   * `saveResult` from `@decart/core/node`). Default `true`: a completed result carries `data`, a Blob.
   */
  download?: boolean | undefined;
}

export interface QueueWaitOptions extends WaitOptions {
  /** The job's model, if known: it sets the expected duration that drives the poll schedule. */
  model?: VideoModel<string> | VideoModelName | undefined;
}

/** `queue.createWatch` options: what the watch knows of the job, its budget and its schedule. */
export interface CreateWatchOptions {
  /** The job's model, if known: it sets the expected duration that drives the schedule. */
  model?: VideoModel<string> | VideoModelName | undefined;
  /**
   * The submit answer, for a job just submitted: the watch starts with `submitted`. One that is not this job's status
   * (another job's answer, a status the spec lacks) is refused: `InvalidInputError` naming `first`.
   */
  first?: JobStatusResponse | undefined;
  /** The watch's budget from now (default 11 minutes): it ends with `JobTimeoutError` after it. */
  timeoutMs?: number | undefined;
  /**
   * Instead of `timeoutMs`: the end of the budget on the client's clock, as a `JobWatch`'s `deadline` is (e.g. to watch
   * again, with the budget that is left, a job an earlier watch began).
   */
  deadline?: number | undefined;
  /** The schedule (merged over the client's `poll`), or a schedule function. Its `delay` is the watch's `wait`. */
  poll?: PollOptions | PollSchedule | undefined;
  /** `false` to end at `completed` without the download step (default `true`). */
  download?: boolean | undefined;
}

/**
 * A call's signal: aborting it ends the call with an `AbortError`.
 * @inline
 */
type Control = { signal?: AbortSignal | undefined };
/**
 * A call's signal, and the progress of its file parts.
 * @inline
 */
type Uploads = Control & {
  /** Progress of the request's file parts (see `UploadProgress`). */
  onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
};

/**
 * A plain call's deadline: the end of its budget, on the client's clock (as a `JobWatch`'s `deadline` is).
 * @inline
 */
type Deadline = {
  /**
   * The end of the call's budget, on the client's clock (ms, as `watch.deadline` is): the retries' waits are counted on
   * that clock from the call's start, the attempts' time included, so no retry starts whose wait would end past it (a
   * `Retry-After` longer than what is left fails at once), and a request still going then ends with a `TimeoutError`.
   * Without it, what the retries may wait in all is the client's `timeoutMs`, the attempts' own time not counted.
   */
  deadline?: number | undefined;
};

/**
 * A submit's options: the model, its inputs and a signal (`queue.submit` takes the call's `deadline` besides them,
 * `submitAndPoll` none: its budget is its `timeoutMs`, so a `deadline` given it is a type error).
 */
export type SubmitOptions<M extends string> = OneOf<M, M, { model: VideoModel<M> } & Uploads>;
/** `queue.submit` options: a submit's, and maybe the call's deadline (a generic `SubmitOptions<M>` as it is too). */
export type SubmitCallOptions<M extends string> = SubmitOptions<M> | (SubmitOptions<M> & Deadline);
/** `queue.submitAndPoll` options. */
export type SubmitAndPollOptions<M extends string> = SubmitOptions<M> & SubmitWaitOptions;
/**
 * `submitAndPoll`'s and `submitAndWatch`'s options besides the model and its inputs: `WaitOptions` and `onSubmitted`.
 * (One object type, so that a generic `SubmitOptions<M>`, or one spread with `timeoutMs`, is a `SubmitAndPollOptions<M>`.)
 */
export interface SubmitWaitOptions extends WaitOptions {
  /**
   * Called with the job id as soon as the job is accepted, before any waiting. Not for a submit answer that breaks the
   * spec: the call ends with its `InvalidResponseError`, which carries the job id when the answer named a usable one.
   */
  onSubmitted?: ((jobId: string) => void) | undefined;
}
/** `SubmitWaitOptions` with the download (the default): the result carries `data`. */
export interface SubmitWaitDownloading extends SubmitWaitOptions {
  download?: true | undefined;
}
/** `process` options: an image model, its inputs, a signal, and the call's budget (`timeoutMs` or `deadline`). */
export type ProcessOptions<M extends string> = OneOf<
  M,
  M,
  {
    model: ImageModel<M>;
  } & Uploads &
    (
      | {
          /**
           * One budget for the whole call (inputs, upload, answer and image) before a `TimeoutError` (default 11
           * minutes): each read keeps the client's limit too. Not with `deadline`.
           */
          timeoutMs?: number | undefined;
          deadline?: undefined;
        }
      | (Deadline & { timeoutMs?: undefined })
    )
>;
/** The deprecated `generate` options: a video model and its inputs. */
export type GenerateOptions<M extends string> = SubmitAndPollOptions<M>;

/**
 * Download progress. `totalBytes` is the `Content-Length`, when the server sent one; `undefined` when the answer has a
 * `Content-Encoding` other than `identity` (the body arrives decoded, and the length is of the encoded bytes).
 */
export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | undefined;
}

/** Options of a download (`queue.result`, `queue.download`). */
export interface DownloadOptions {
  /** Aborts the download (an `AbortError`). */
  signal?: AbortSignal | undefined;
  /** Called as the bytes arrive (see `DownloadProgress`). */
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
}

/**
 * A result being downloaded: read `stream` once (it errors if the body is cut short). `contentLength` is the
 * `Content-Length`, as `totalBytes` is in the progress (`undefined` for an encoded answer).
 */
export interface Download {
  stream: ReadableStream<Uint8Array>;
  contentLength?: number;
  contentType?: string;
}

/**
 * Where the client reports what it does. Every method is optional; the default prints warnings with `console.warn`.
 * The client calls only `debug` (retries) and `warn` (deprecations, a callback of yours whose failure can no longer
 * end its call): `info` and `error` are never called (a failure is the call's error, thrown or in its result), and are
 * in the type so that `console` and the loggers of logging libraries fit as they are.
 */
export type Logger = {
  /** Retries: a request's, and a watch's status read or download tried again. */
  debug?(message: string): void;
  /** Never called. */
  info?(message: string): void;
  /** Deprecations (once per logger), and a callback of yours whose failure can no longer end its call. */
  warn?(message: string): void;
  /** Never called: a failure is the call's error. */
  error?(message: string): void;
};
