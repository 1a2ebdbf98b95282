import {
  type CreateTokenRequest,
  type CreateTokenResponse,
  defaultBaseUrl,
  type FileReference,
  imageContentTypes,
  isImageModelName,
  isVideoModelName,
  type JobStatusResponse,
  jobContentTypes,
  type ModelName,
  type paths,
  requestSchemas,
  responseSchemas,
} from "@decart/api";
import {
  checkAnswer,
  createJobWatch,
  DEFAULT_WAIT_MS,
  fixJob,
  isUsableId,
  type JobEvent,
  type JobWatch,
  MAX_ID_LENGTH,
  type StatusRead,
} from "./engine.js";
import {
  aborted,
  aboutJob,
  asDecartError,
  callbackThrew,
  failedJob,
  followedBy,
  guard,
  InvalidResponseError,
  ignore,
  msOf,
  pause,
  shown,
  UNSENT,
} from "./errors.js";
import { encodeForm, multipart, type Reader, resolveFiles, toBlob, typed } from "./inputs.js";
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from "./limits.js";
import type { ModelDefinition, VideoModel } from "./models.js";
import { createDurationModel, either, mergePoll, scheduleFor, sleep } from "./poll.js";
import { createGate, monotonic, ONCE, POLICY, type RateLimitGate, type RetryPolicy, retry } from "./retry.js";
import { checkScopes, type TokenFetcher, tokenSource } from "./token.js";
import { type Call, createTransport, lengthOf } from "./transport.js";
import type {
  CreateWatchOptions,
  Download,
  DownloadOptions,
  FileInput,
  GenerateOptions,
  JobSubmitResult,
  Logger,
  PollOptions,
  ProcessOptions,
  QueueJobOutcome,
  QueueJobResult,
  QueueWaitOptions,
  SubmitAndPollOptions,
  SubmitCallOptions,
  SubmitOptions,
  SubmitWaitDownloading,
  UploadBody,
  UploadFunction,
  UploadProgress,
  WaitOptions,
} from "./types.js";
import {
  breaks,
  callOptions,
  checkCall,
  checkSchema,
  checkWatchOptions,
  clientOptions,
  invalid,
  mediaOf,
  validateInputs,
} from "./validate.js";
import { VERSION } from "./version.js";

/**
 * `createDecartClient`'s options: how to authenticate, `apiKey` (or the `DECART_API_KEY` environment variable), `token`
 * or `proxy` (one of them: the client refuses two), and the client's settings (`DecartClientSettings`).
 *
 * @interface
 */
export type DecartClientOptions = DecartClientSettings & {
  /**
   * Your API key (`dct_…`) or a client token (`ek_…`). Default: the `DECART_API_KEY` environment variable. A `dct_` key
   * (its prefix in any letter case) is refused in a browser (see `dangerouslyAllowBrowser`): give the page a `token`
   * fetcher instead. A client token (`ek_`, in any letter case) given here is never renewed: once it expires, the
   * 401's message says to give `token: fetchTokenFrom(…)` instead.
   */
  apiKey?: string | undefined;
  /**
   * Instead of `apiKey`: a function that answers a short-lived client token `{ apiKey, expiresAt }`, e.g.
   * `fetchTokenFrom("/api/decart-token")` against a route made with `createTokenRoute` of `@decart/core/server`. The
   * client asks it for a key when it needs one, keeps the token, gets a new one shortly before `expiresAt` (one fetch
   * at a time) and, when the server refuses a key (401), gets a new one and sends the request once more. Its failure is
   * retryable (a call or a watch asks again), but the third in a row is final: a `TOKEN_ERROR` that ends the call or
   * the watch, naming the failure and how many failed in a row. A `dct_` key it answers in a browser is refused as the
   * `apiKey` option is (never sent: `InvalidInputError`, final).
   */
  token?: TokenFetcher | undefined;
  /**
   * A proxy that adds the key server-side: a URL, or on a page a path such as `/api/decart` (resolved against the
   * page's location; where there is none, as in Node, a path is refused). No key is sent.
   */
  proxy?: string | undefined;
};

/** `createDecartClient`'s options besides how to authenticate (`apiKey`, `token` or `proxy`). */
export type DecartClientSettings = {
  /**
   * Allow a long-lived `dct_` key in a browser (default false: creating such a client throws). Only for local tools
   * whose page nobody else loads; anyone who can open the page can read the key.
   */
  dangerouslyAllowBrowser?: boolean | undefined;
  /** The API's base URL. Default `https://api.decart.ai`. */
  baseUrl?: string | undefined;
  /**
   * The `fetch` to use (default: the global one). A multipart body (submit, process, `files.upload`) comes to it as a
   * `Blob` with its `content-type`, not a `FormData`: another library's fetch (undici 7's) does not take Node's.
   */
  fetch?: typeof fetch | undefined;
  /**
   * Each HTTP attempt's limit: until the answer starts, and between chunks of its body (a JSON answer's or an error's
   * text: from its start to its end). Default 60 s.
   */
  timeoutMs?: number | undefined;
  /**
   * The same limit for requests that upload a file (multipart: submit, process, files.upload), and for every `process`
   * call (the image is made while it waits). Default 10 minutes. Sending the body is part of the wait for the answer:
   * it bounds the whole upload, not the time without progress. A submit of text parts only has `timeoutMs`.
   */
  uploadTimeoutMs?: number | undefined;
  /**
   * Retries of one call after a transient failure. Default 2. (Status reads while waiting retry until the wait's
   * deadline; so does a wait's submit, unless this is given.)
   */
  maxRetries?: number | undefined;
  /**
   * Also retry a submit/process/upload whose fate is unknown (a 5xx, a timeout or a broken connection after the body
   * was sent). Off by default because it can run, and bill, a job twice.
   */
  retrySubmit?: boolean | undefined;
  /** Polling defaults for every wait (see `PollOptions`); `delay` and `now` also drive retry backoff. */
  poll?: PollOptions | undefined;
  /**
   * Randomness of the retry backoff's jitter, of the default poll schedule's and of when the rate-limit gate lets each
   * call it held go, in [0, 1) (default `Math.random`; seed it for reproducible tests). One that throws, or answers anything else (`NaN`, `5`, `1`, `-0.5`, no number), ends
   * the call that retries with `CALLBACK_ERROR` (the job's, in a watch; a submit the server may have taken stays
   * `SUBMIT_OUTCOME_UNKNOWN`, saying so), and a watch on the default schedule at its next read. Of retries, asked only
   * for one that is made.
   */
  random?: (() => number) | undefined;
  /** Your integration's name, added to the user agent: printable ASCII (a header carries it). */
  integration?: string | undefined;
  /**
   * Where warnings (deprecations, a submit sent again under `retrySubmit`) and debug lines (other retries) go.
   * Default: warnings to `console.warn`. A deprecation is warned once in the process per logger: clients that share one
   * (or the default) warn once.
   */
  logger?: Logger | undefined;
  /**
   * Sends the requests that carry files (submit, process, `files.upload`) instead of `fetch`, through the same
   * timeouts, retries and redirects. `nodeUpload()` of `@decart/core/node` streams files from disk, Node streams and
   * web streams with bounded memory, where Node's `fetch` would hold the whole body in memory first. A client given
   * `nodeUpload()` sends every other request (status reads, results, deletes, tokens) over node:http through the same
   * agent too, unless `fetch` is given (then those go through it). `nodeUpload()` never goes through `fetch` (nor
   * undici's global dispatcher): with `fetch` given it needs an `agent` (your proxy's, or `https.globalAgent`), else the
   * client is refused (`InvalidInputError`, field `upload`).
   */
  upload?: UploadFunction | undefined;
  /** Check inputs against the catalogue before sending (default true). Turn off only if the spec lags the server. */
  validateInputs?: boolean | undefined;
  /**
   * Taken for code written for `@decartai/sdk`, whose realtime client reports telemetry unless it is `false`; this
   * client sends none, whatever its value (it must be a boolean).
   */
  telemetry?: boolean | undefined;
};

/** `submitAndPoll`'s options, of any video model (the implementation's view: the inputs are checked at run time). */
type AnyVideoCall = { model: VideoModel<string> } & WaitOptions & {
    onSubmitted?: ((jobId: string) => void) | undefined;
  };

/**
 * A call's place in a budget (a submit's in a wait's, `process`'s own): its end, retries until then, and the budget's
 * length for a timeout's message.
 */
type Budget = Pick<Call, "deadline" | "maxRetries" | "expired" | "spare" | "budgetMs">;

/** `tokens.create` options: the JSON body (camelCase, as the API takes it) and a signal. */
export type CreateTokenOptions = {
  [K in Exclude<keyof CreateTokenRequest, "allowedModels">]?: CreateTokenRequest[K] | undefined;
} & {
  /**
   * The models the token may use, by their catalogue names (a list `as const` too), or definitions of your own
   * (`VideoModel<"my-model">`, sent by their `name` for the API to check); all when absent. An unknown or retired name,
   * or an empty list, throws before sending, as `createTokenRoute` does.
   */
  allowedModels?: readonly (ModelName | ModelDefinition<string>)[] | undefined;
  signal?: AbortSignal | undefined;
};

/**
 * `client.queue`: the Queue API (videos). Submit a job, read its status, watch it until it ends, download its result;
 * `submitAndPoll` does all of it in one call.
 */
export type QueueClient = {
  /**
   * Submits a video job; answers at once with its id. A watch's option (`timeoutMs`, `onStatusChange`, `poll` …: those
   * of `submitAndPoll` and `queue.wait`) is refused (`InvalidInputError` naming it), before any request. `deadline` (on
   * the client's clock) ends the call's budget: its retries' waits are counted against it, the attempts' time included.
   */
  submit<M extends string>(options: SubmitCallOptions<M>): Promise<JobSubmitResult>;
  /**
   * Reads a job's status (a read that fails in a transient way is tried again, up to `maxRetries`). `deadline` (on the
   * client's clock, as a `JobWatch`'s `deadline` is) is the call's budget: each read keeps its own limit (`timeoutMs`),
   * no retry starts whose wait (or the server's `Retry-After`) would end past it, and a read still in flight then ends
   * with a `TimeoutError` carrying the job id. `budgetMs`, the budget's length (a `JobWatch`'s `budgetMs`), is named
   * in that error (`timed out (the budget of 300 ms)`); given without `deadline`, it is refused (`InvalidInputError`).
   */
  status(
    jobId: string,
    options?: { signal?: AbortSignal | undefined; deadline?: number | undefined; budgetMs?: number | undefined },
  ): Promise<JobStatusResponse>;
  /** Downloads a completed job's video into a Blob (a cut-short download is retried). */
  result(jobId: string, options?: DownloadOptions): Promise<Blob>;
  /**
   * Starts downloading a completed job's video as a stream, with progress. `deadline` (on the client's clock, e.g. a
   * `JobWatch`'s) ends the answer, and any chunk, still awaited then with a `TimeoutError`. A stream you do not read
   * to its end must be cancelled (`stream.cancel()`, or an abort of `signal`): until then it holds its connection (no
   * timer runs while no read waits, and garbage collection does not close it). `budgetMs` as `status` takes it.
   */
  download(
    jobId: string,
    options?: DownloadOptions & { deadline?: number | undefined; budgetMs?: number | undefined },
  ): Promise<Download>;
  /** Watches a job submitted elsewhere until it ends, then downloads its video. Never throws for a failed job. */
  wait(jobId: string, options: QueueWaitOptions & { download: false }): Promise<QueueJobOutcome>;
  wait(jobId: string, options?: QueueWaitOptions & { download?: true | undefined }): Promise<QueueJobResult>;
  wait(jobId: string, options: QueueWaitOptions): Promise<QueueJobResult | QueueJobOutcome>;
  /** Submits, watches and downloads. Never throws for a failed job: the result says `failed` with the reason. */
  submitAndPoll<M extends string>(options: SubmitAndPollOptions<M> & { download: false }): Promise<QueueJobOutcome>;
  submitAndPoll<M extends string>(options: SubmitOptions<M> & SubmitWaitDownloading): Promise<QueueJobResult>;
  submitAndPoll<M extends string>(options: SubmitAndPollOptions<M>): Promise<QueueJobResult | QueueJobOutcome>;
  /**
   * Submits a job and watches it: its events as an async iterable, `submitted` first (before any waiting), then
   * `status` on each change, `downloading` progress and `completed` with `data` (no download with `download: false`),
   * or `failed`. Options as `submitAndPoll` (its callbacks are called too). `signal`, or leaving the loop, stops
   * watching (a read in flight is aborted); the job is never cancelled. A watch that cannot go on throws a
   * `DecartError` carrying the job id (`JobTimeoutError` once `timeoutMs` runs out, `AbortError` …). A submit that
   * fails throws before `submitted`, with no job id: one `timeoutMs` cut before its answer is a `TimeoutError` with code
   * `SUBMIT_OUTCOME_UNKNOWN`, where a job may exist (submitting again may make and bill a second one: see
   * `timeoutMs`).
   */
  submitAndWatch<M extends string>(options: SubmitAndPollOptions<M>): AsyncGenerator<JobEvent, void, undefined>;
  /** Watches a job submitted elsewhere: its events as an async iterable, as `submitAndWatch` (without `submitted`). */
  watch(jobId: string, options?: QueueWaitOptions): AsyncGenerator<JobEvent, void, undefined>;
  /**
   * The job-watching step machine for a job, set up with this client's clock, schedule and learnt job durations, for
   * a view layer that runs it on its own scheduler: wait as it says, read with `readStatus`, download with `download`,
   * and hand it the answers and the failures (it retries them under the client's retry policy). A `model` that is no
   * video model or its name is refused (`InvalidInputError`), as by `wait` and `watch`.
   */
  createWatch(jobId: string, options?: CreateWatchOptions): JobWatch;
  /**
   * One status read, not retried (for a `JobWatch`, whose `error` retries): the body, and the server's poll hint.
   * `deadline` (on the client's clock, e.g. the watch's `deadline`) ends a read still in flight then with a
   * `TimeoutError`, so that a watch ends on time; `budgetMs` (the watch's `budgetMs`, with `deadline` only) is named in
   * it, as the watch's `JobTimeoutError` names it.
   */
  readStatus(
    jobId: string,
    options?: { signal?: AbortSignal | undefined; deadline?: number | undefined; budgetMs?: number | undefined },
  ): Promise<StatusRead>;
};

/**
 * What `createDecartClient` answers: images (`process`), videos (`queue`), client tokens for a browser (`tokens`),
 * stored files (`files`), and the client-wide rate-limit gate (`rateLimit`). Nothing is sent until you call it. A client
 * is assignable to `Record<string, unknown>` (for a store or a test's fake that takes one).
 *
 * @interface
 */
export type DecartClient = {
  /**
   * The client-wide rate-limit gate: after a 429 answered by the API (its base URL's origin, not a host a redirect led
   * to), every new request of this client waits until it opens. A batch runner subscribes to show the pacing.
   */
  rateLimit: RateLimitGate;
  /** Generates an image (Process API). */
  process<M extends string>(options: ProcessOptions<M>): Promise<Blob>;
  /** @deprecated Video generation runs through the Queue API: use `queue.submitAndPoll`. This wrapper does so. */
  generate<M extends string>(options: GenerateOptions<M>): Promise<Blob>;
  queue: QueueClient;
  tokens: {
    /**
     * Creates a short-lived client token (`ek_…`) for a browser. Retried as a read is (a 5xx, a broken or timed-out
     * connection, an answer cut short): a token made twice expires, and nothing is billed for it. Its options, `signal`
     * too, go in its one argument: a second is refused (`InvalidInputError`), as by the other methods.
     */
    create(options?: CreateTokenOptions): Promise<CreateTokenResponse>;
  };
  files: {
    /** Stores a file for later use as an input (see `UploadProgress` for `onUploadProgress`). */
    upload(
      file: FileInput,
      options?: {
        ttlSeconds?: number | "persistent" | undefined;
        signal?: AbortSignal | undefined;
        onUploadProgress?: ((progress: UploadProgress) => void) | undefined;
      },
    ): Promise<FileReference>;
    /**
     * A stored file's `FileReference` (its name, type, size and expiry) by its id (`file_…`). Retried as a read is; a
     * file that does not exist (or no longer does) is a `NotFoundError`.
     */
    get(fileId: string, options?: { signal?: AbortSignal | undefined }): Promise<FileReference>;
    /**
     * Deletes a stored file by its id (`file_…`); resolves once the server has. Retried as a read is; a file that does
     * not exist is a `NotFoundError`.
     */
    delete(fileId: string, options?: { signal?: AbortSignal | undefined }): Promise<void>;
  };
};

/** The default logger, every client's that is given none: warnings to `console.warn`. */
const consoleLogger: Logger = { warn: (m) => console.warn(m) };
/**
 * The warnings (deprecations) each logger was given: each once in the process per logger, whatever the clients that
 * share it (the default one is shared by all: a client made per request warns once).
 */
const warnedBy = new WeakMap<Logger, Set<string>>();

/** Creates a client. Throws `InvalidInputError` for a missing key or a bad URL; sends nothing until you call it. */
export function createDecartClient(options: DecartClientOptions = {}): DecartClient {
  const where = "Invalid options";
  // Checked, and read once: the options used are those checked.
  options = checkCall(options, where, [], clientOptions)[1];
  const g = globalThis as any;
  // (`apiKey` is read from the environment when not given.)
  let {
    apiKey,
    token,
    proxy,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    uploadTimeoutMs = 600_000,
    // (Left undefined when not given: a wait's submit retries until its budget ends unless it is set.)
    maxRetries,
    upload,
  } = options;
  if (token && (apiKey ?? proxy) !== undefined) throw invalid(where, "token", "given without `apiKey` or `proxy`");
  if (proxy !== undefined && apiKey !== undefined) throw invalid(where, "proxy", "given without `apiKey`");
  // It goes in the user agent: a line break or `€` there would fail every request, as a retryable connection error.
  if (/[^ -~]/.test(options.integration!)) throw invalid(where, "integration", "printable ASCII");
  if (proxy === undefined && !token) {
    try {
      apiKey = (apiKey ?? g.process?.env?.DECART_API_KEY)?.trim();
    } catch {}
    // The key goes in a header: a line break, a NUL or `€` there would fail every request (the key is not shown).
    if (!apiKey || /[^ -~]/.test(apiKey)) {
      // No key: where to give one; a key a header cannot carry: that (it is not shown).
      throw invalid(
        where,
        "apiKey",
        apiKey ? "a key of printable ASCII" : "given (or set DECART_API_KEY, or use `token` or `proxy`)",
      );
    }
  }
  // A page with a long-lived key gives it to everyone who opens it: refused as an option, and as a token source's. Its
  // prefix in any letter case (`DCT_…`), as `createTokenRoute` reads it.
  const refuse = (key?: string) => {
    if (/^dct_/i.test(key!) && g.window && g.document && !options.dangerouslyAllowBrowser) {
      throw invalid(
        where,
        "apiKey",
        "a client token in a browser (use createTokenRoute of @decart/core/server and `token`; local tools: dangerouslyAllowBrowser: true)",
      );
    }
  };
  refuse(apiKey);
  const baseUrl = (proxy ?? options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "");
  // A path only for a proxy, and only on a page (`location`): elsewhere there is nothing to resolve it against. Paths
  // are added to it: a query or fragment would swallow them, and credentials (`@`) would show in every log and error
  // (so the URL is not shown here).
  // One that no URL parser takes (a space in its host, two ports, `[::1` …) is refused too, saying so (the parser's
  // throw, not the check's 0): every request would fail.
  try {
    if (
      /[@?#]/.test(baseUrl) ||
      (!/^https?:\/\/[^/]/i.test(baseUrl) && !(proxy && g.location && baseUrl.startsWith("/")))
    )
      throw 0;
    new URL(baseUrl, g.location?.href);
  } catch (e) {
    throw invalid(
      where,
      proxy === undefined ? "baseUrl" : "proxy",
      `an http(s) URL ${e ? "that parses (https://host:port)" : "without @, ? or #"}`,
    );
  }

  // Without one, every request would fail as a connection's failure (a submit's as "a job may exist").
  if (!(options.fetch ?? g.fetch)) throw invalid(where, "fetch", "given: this runtime has no global fetch");
  // nodeUpload() without an agent sends over Node's own agents, never through your fetch (its proxy, dispatcher or
  // headers): its uploads would bypass them, silently.
  if (options.fetch && upload && "agent" in upload && !upload.agent)
    throw invalid(
      where,
      "upload",
      "nodeUpload({ agent }) when `fetch` is given (it does not go through fetch): your proxy's agent, or https.globalAgent",
    );
  const given: Logger = options.logger ?? consoleLogger;
  // A logger is diagnostics: its throw (or a promise it returns that rejects) never changes a call's outcome.
  const logger = {} as RetryPolicy["logger"];
  for (const k of ["debug", "warn"] as const)
    logger[k] = async (m) => {
      try {
        await given[k]?.(m);
      } catch {}
    };
  const clientPoll: PollOptions = options.poll ?? {};
  const delay = clientPoll.delay ?? sleep;
  // The client's clock; one of yours (`poll.now`) that throws is a `CALLBACK_ERROR` (the watch's carries the job id).
  // By default monotonic: a step of the wall clock moves no deadline, gate or timer. A server's date (a token's
  // `expiresAt`, an HTTP-date `Retry-After`) is compared with the wall clock once, when read (`wall`): yours is both.
  const clock = clientPoll.now ?? monotonic;
  const now = guard(clock);
  const wall = clientPoll.now ? now : Date.now;
  // The fetch of the API's requests without files: yours, else the upload function's own (`nodeUpload()`'s, over
  // node:http through its agent: every request to the API then goes one way), else the global one (see `content` for
  // a result's). A file given as a URL (another server's) is fetched with yours, else the global one (`reading`).
  const own: typeof fetch | undefined = options.fetch || (upload as { fetch?: typeof fetch })?.fetch;
  // Multipart requests (the transport's one object body, a FormData) go through the upload function when there is one;
  // else to your `fetch` or the global one, as a Blob with its type (see `multipart`: undici 7's fetch, yours or set as
  // the global one, would send Node's FormData as text). A form this cannot read (React Native's has no `forEach`) goes
  // as it is: it is your runtime's.
  // Every request is `cache: "no-store"` where this runtime's Request knows the option: a fetch that caches GETs by
  // default (Next.js 14's, in server components) would answer a watch's status reads with the first `pending`. Where it
  // does not (Cloudflare Workers before their `cache_option_enabled`), the option is not set: it would throw.
  const noStore = "cache" in (g.Request?.prototype ?? {});
  const fetchImpl: typeof fetch = (input, init) => {
    if (noStore) init = { ...init, cache: "no-store" };
    const form = init?.body;
    const f = own || g.fetch;
    if (form && typeof form === "object") {
      if (upload) return (upload as typeof fetch)(input, init);
      let encoded: ReturnType<typeof multipart>;
      try {
        encoded = multipart(form as FormData);
      } catch {
        return f(input, init);
      }
      const headers = new Headers(init!.headers);
      headers.set("content-type", encoded[1]);
      return f(input, { ...init, body: encoded[0], headers });
    }
    return f(input, init);
  };
  // `runtime/…` of the user agent (Bun and Deno report Node compatibility); none in a browser.
  const node = g.process?.versions?.node;
  const rt = g.document ? "" : node ? `node.js/v${node}` : g.EdgeRuntime ? "vercel-edge" : "unknown";
  const gate = createGate(now, logger.warn);
  const policy = {
    maxRetries: maxRetries ?? DEFAULT_MAX_RETRIES,
    delay,
    wait: clientPoll.delay,
    now,
    wall,
    // Yours is a callback: a throw, or an answer that is no number in [0, 1) (`NaN`: a wait of `NaN` retries at once,
    // without the floor, and no budget counts it; `5`, five times the backoff), ends the call with `CALLBACK_ERROR`
    // (`random answered 5`), carrying the job id when it has one.
    random: options.random ? guard(options.random, undefined, "random", 1) : Math.random,
    logger,
    gate,
    timeoutMs,
    retrySubmit: options.retrySubmit,
    ek: /^ek_/i.test(apiKey!),
  };
  const transport = createTransport(
    baseUrl,
    token ? tokenSource(token, now, wall, refuse) : apiKey ? { get: () => apiKey! } : undefined,
    // Browsers refuse to set User-Agent, and another header would need CORS approval: none is sent there.
    rt
      ? {
          "user-agent": `decart-ts-sdk/${VERSION} lang/js${options.integration ? ` ${options.integration}` : ""} runtime/${rt}`,
        }
      : {},
    fetchImpl,
    uploadTimeoutMs,
    policy,
  );
  const reading: Reader = [
    (input, init) => (options.fetch || g.fetch)(input, init),
    upload,
    now,
    timeoutMs,
    uploadTimeoutMs,
  ];
  const durations = createDurationModel();
  const warned = warnedBy.get(given) ?? new Set<string>();
  warnedBy.set(given, warned);
  const warnOnce = (message: string) => {
    if (!warned.has(message)) logger.warn(message);
    warned.add(message);
  };

  /**
   * Sends one request to a path of the spec (its one `{parameter}` filled with `id`) and reads the answer as JSON (the
   * default), a Blob or the Response itself (a DELETE's is unused); anything thrown becomes a `DecartError` carrying
   * `jobId`.
   */
  const send = async <T>(
    method: "GET" | "POST" | "DELETE",
    path: keyof paths,
    call: Call,
    id?: string,
    as?: "blob" | "response",
  ): Promise<T> => {
    try {
      // (A path without a parameter, a POST's, has none to fill.)
      const at = path.replace(/\{\w+\}/, encodeURIComponent(id!));
      const response = await transport(method, at, call);
      if (as !== "blob") return (as ? response : response.json()) as T;
      // An image of a type the spec does not list, which the transport read whole: made (and billed), and kept on the
      // error (`data`) rather than thrown away.
      const data = await typed(await response.blob());
      const type = mediaOf(data.type);
      if (!type.startsWith("image/") || call.media!.includes(type)) return data as T;
      // (Its request id, and the words naming the ids, the transport's, redacted: after a 303, the POST's id.)
      throw new InvalidResponseError(
        `${method} ${baseUrl}${at}: an image of type ${type}, which @decart/core ${VERSION} does not take (upgrade it) ${(response as Response & { said: string }).said}; it came whole: the error's data`,
        { data, status: response.status, requestId: response.headers.get("x-request-id") || undefined },
      );
    } catch (e) {
      throw asDecartError(e, call.jobId);
    }
  };

  /**
   * A file reference as the spec describes it, its `id` one the client can send back (see `isUsableId`), as a submit's
   * `job_id` is, and `id` when one was asked for (`files.get`; as a status of another job is refused): what is wrong
   * with an answer, or nothing.
   */
  const checkFile = (body: any, id?: string) => checkAnswer(responseSchemas.FileReference, "id", body, id);

  /**
   * POSTs a body that is ready to send (a multipart one, a submit, is not repeated unless the server certainly did not
   * take it; a token request's JSON is retried as a read). The answer is checked by what the call is, never by its
   * path (a model definition of your own may aim anywhere): `json`, the check of a JSON answer (a submit's job status,
   * an upload's file reference, a token request's token, each as the spec's schema says); without one, an image of a
   * type the spec lists.
   */
  const post = <T>(path: string, body: FormData | string, signal?: AbortSignal, json?: Call["json"], budget?: Budget) =>
    send<T>(
      "POST",
      path as keyof paths,
      {
        signal,
        body,
        json,
        media: json ? undefined : imageContentTypes,
        // Inside a wait's budget, retryable failures are retried until it runs out, not `maxRetries` times; when it
        // runs out, the call ends in `JobTimeoutError`.
        ...budget,
      },
      undefined,
      json ? undefined : "blob",
    );

  /**
   * POSTs a multipart body. `fetch` reports nothing while it sends: without an upload function, progress is one event
   * once the server has answered (the upload function reports its own). A throw there comes after the answer: a job's
   * id is kept by the `CALLBACK_ERROR` (the job goes on); an image or a file reference, which an error would lose (one
   * paid for), is answered, and the throw reported with the logger.
   */
  const postForm = async <T>(
    path: string,
    form: UploadBody,
    signal?: AbortSignal,
    json?: Call["json"],
    budget?: Budget,
  ) => {
    let total = 0;
    const answer = await post<T>(path, form, signal, json, budget);
    const jobId = (answer as { job_id?: string }).job_id;
    // (Without an upload function, a file part is a Blob; a text has no size. A Blob's own size getter that throws now,
    // after the answer, is no failure of the call: the parts counted until then are reported.)
    try {
      for (const [, value] of form.parts!) total += (value as Blob).size || 0;
    } catch {}
    try {
      // (A promise it returns, not awaited, that rejects: the call is answered, the rejection goes to the logger.)
      if (!upload)
        (form.onUploadProgress?.({ sentBytes: total, totalBytes: total }) as any)?.then?.(0, (cause: unknown) =>
          logger.warn(callbackThrew(jobId, cause).message),
        );
    } catch (cause) {
      const error = callbackThrew(jobId, cause);
      // (Called once the server answered: the body was sent.)
      error.mayExist = true;
      if (jobId) throw error;
      logger.warn(error.message);
    }
    return answer;
  };

  /**
   * A call's options, checked: with `timed` (1) a `deadline` (a number, on the client's clock), and only `keys` (of the
   * one list of options), each of the right kind.
   */
  const optionsOf = <T>(opts: T | undefined, timed?: 0 | 1, keys = ["signal"]): T & { deadline?: number } => {
    const checked = checkCall(
      opts,
      where,
      keys,
      timed ? { deadline: { type: "number" }, budgetMs: clientOptions.timeoutMs! } : {},
    )[2] as T & { deadline?: number; budgetMs?: number };
    // (`budgetMs` names the budget that `deadline` ends: alone, it would be ignored.)
    if (checked.budgetMs != null && checked.deadline == null) throw invalid(where, "budgetMs", "given with `deadline`");
    return checked;
  };

  /** An id to send in a path, checked (see `isUsableId`): else `InvalidInputError` naming `field`, nothing sent. */
  const checkId = (id: string, field = "jobId"): string => {
    if (!isUsableId(id))
      throw invalid("Invalid input", field, `1 to ${MAX_ID_LENGTH} characters long, not . or ..`, id);
    return id;
  };

  /**
   * The arguments a public method was given past its last (`n`): an options object given there (another SDK's
   * `create(params, { signal, timeout })`) is refused, not dropped, nor taken as an internal parameter.
   */
  const only = (more: unknown[], n = 1) => {
    const nth = ["first", "second", "third"];
    if (more.some((arg) => arg !== undefined))
      throw invalid("Invalid input", `${nth[n]} argument`, `left out: options go in the ${nth[n - 1]} argument`);
  };

  /**
   * Ends the stream inputs of a call that failed, read or not (aborted before it started or in a retry's wait, its
   * inputs or options refused, a connection refused, another field's file URL failed first), and answers its `error`:
   * a Node stream is destroyed (a file's handle closed), a web stream cancelled with the error (its source released;
   * one being read or read already is locked, and left as it is). A call that succeeds has read them to their end.
   */
  const ended = (inputs: unknown, error: unknown) => {
    // (`inputs`: the inputs as checked, or a call refused by its check, read again for its values: one that is not an
    // object, or whose fields cannot be read, has none to end.)
    try {
      for (const value of Object.values(inputs as object)) {
        if (value instanceof ReadableStream) value.cancel(error).catch(ignore);
        else (value as any)?.destroy?.();
      }
    } catch {}
    return error;
  };

  /**
   * Validates, resolves files, and POSTs a model's inputs as multipart. `keys`: the options the call takes (of the one
   * list; all of them inside `submitAndPoll`); another of that list (a watch's: `timeoutMs`, `onStatusChange`, …) is
   * refused, not ignored. With `only`, it checks the call and answers it as `checkCall` does, sending nothing.
   */
  async function postModel<T>(
    kind: "video" | "image",
    call: any,
    budget?: Budget,
    keys?: string[],
    only?: 1,
  ): Promise<T> {
    // (`m`: the model definition, checked below. A call refused by the check ends its own values' streams.)
    let raw: Record<string, unknown> = call;
    try {
      const checked = checkCall(call, "Invalid input", keys);
      const [{ model: m, signal, onUploadProgress, timeoutMs: ms, deadline }, inputs] = checked as [
        { model: ModelDefinition; [option: string]: any },
        Record<string, unknown>,
        unknown,
      ];
      raw = inputs;
      // (A `timeoutMs` is told the submit's own limit first, as a `timeout` is: see `elsewhere`.)
      for (const key in inputs)
        if (Object.hasOwn(callOptions, key))
          throw invalid(
            "Invalid input",
            key,
            `${key === "timeoutMs" ? "deadline here (Date.now() + ms), or " : ""}given to submitAndPoll, queue.wait or submitJob's third argument, not to a submit`,
          );
      // A definition is plain data (one of your own may aim at a route the catalogue lacks), but its path stays on the
      // API's origin (`.evil.example/x` after the base URL would name another host), and it has fields and rules.
      if (!/^\//.test(m?.path) || m.kind !== kind || ![m.fields, m.rules].every(Array.isArray)) {
        throw invalid(
          "Invalid input",
          "model",
          `from models.${kind}() or a definition of kind ${kind} with a path starting with / and fields and rules arrays${kind === "video" && isImageModelName(m?.name ?? m) ? `: ${m?.name ?? m} is an image model, use client.process` : ""}`,
          m?.name ?? m,
        );
      }
      // A replacement named is a deprecation, `deprecated: true` or not (a definition of your own may name only it).
      if (m.deprecated || m.deprecatedInFavourOf)
        warnOnce(
          `Decart: model "${m.name}" is deprecated${m.deprecatedInFavourOf ? `; use "${m.deprecatedInFavourOf}"` : ", with no replacement: the server may answer 410 (retired)"}`,
        );
      // (The call's options, named by a refusal: `submitAndPoll`'s and `submitAndWatch`'s all but `deadline`, the last.)
      if (options.validateInputs !== false) validateInputs(m, raw, keys ?? Object.keys(callOptions).slice(0, -1));
      // A plain call's `deadline` (`queue.submit`'s, `process`'s): its budget ends there, its waits counted on the
      // clock, the attempts' time included. Not a `submitAndPoll`'s (`only`, or inside its budget) nor with `timeoutMs`.
      if (deadline != null) {
        if (only || budget || ms != null)
          throw invalid(
            "Invalid input",
            "deadline",
            only || budget
              ? "left out of submitAndPoll and submitAndWatch: give `timeoutMs`"
              : "given without `timeoutMs`",
          );
        // (Its length from now named by a timeout at its end, as `process`'s own: "the budget of N ms".)
        budget = { deadline, budgetMs: deadline - now() };
      }
      // `process`: one budget for the whole call (its inputs, the upload, the answer and the image's last byte),
      // `timeoutMs` (default 11 minutes) from now, as `submitAndPoll`'s; its waits between attempts a plain call's.
      // (Its length, `budgetMs`, named by a timeout at its end: the request's, or a file input's read.)
      else if (kind < "video") {
        const budgetMs = ms ?? DEFAULT_WAIT_MS;
        budget = { deadline: now() + budgetMs, spare: timeoutMs, budgetMs };
      }
      if (only) return checked as T;
      return await postForm(
        m.path,
        encodeForm(
          await resolveFiles(m, raw, reading, signal, budget, options.validateInputs !== false),
          m.fields,
          onUploadProgress,
        ),
        signal,
        // A video model's answer is a job's submit answer, an image model's an image.
        kind > "image" ? fixJob : undefined,
        budget,
      );
    } catch (e) {
      throw ended(raw, late(e, budget?.budgetMs));
    }
  }

  /**
   * A call not sent for want of time (`no time left`: a `TimeoutError` marked `unsent`, by its mark, not its words: a
   * failure of yours may end so): its message says why, its deadline's distance from the call's start (`left`) in whole
   * ms on the client's clock, before it or too near after it (a deadline taken from `Date.now()` that a step of the wall
   * clock moved off the client's clock shows so). Answers the error.
   */
  const late = (e: any, left = 1) => {
    // (After a failure a job may exist of, `retrySubmit`'s, the words of the one that followed end its message.)
    const last = followedBy.get(e) ?? e;
    if (last?.[UNSENT] && last.code === "TIMEOUT")
      e.message += `: its deadline was ${msOf(Math.abs(left))} ${left > 0 ? "after" : "before"} the call`;
    return e;
  };

  /** A plain call with a `deadline` (`opts`, checked): its failure for want of time says so (`late`). */
  const timed = <T>(opts: { deadline?: number }, call: () => Promise<T>) => {
    // (A clock of yours that throws: the call meets it, and says so naming the job.)
    let left: number | undefined;
    try {
      left = opts.deadline! - now();
    } catch {}
    return call().catch((e) => {
      throw late(e, left);
    });
  };

  /** The options a submit takes (`process` its `timeoutMs` too); a watch's are refused. */
  const submitKeys = ["model", "signal", "onUploadProgress", "deadline"];

  /** A 404, 409 or 410 about a job whose words do not name it is given its id (`aboutJob`). */
  const about = (jobId: string) => (e: any) => {
    throw aboutJob(jobId, e);
  };

  /** Reads a job's status: the answer, and the server's `x-poll-after-ms` hint when it sent one. */
  const readStatus = async (
    jobId: string,
    opts: { signal?: AbortSignal; deadline?: number; budgetMs?: number; maxRetries?: 0 },
  ) => {
    const response = await send<Response>(
      "GET",
      "/v1/jobs/{job_id}",
      { ...opts, jobId, json: fixJob },
      checkId(jobId),
      "response",
    );
    const hint = response.headers.get("x-poll-after-ms")!;
    // A hint that is not a number of ms in decimal digits is none (`0x1F40`, `1e4`, `Infinity` too, as Retry-After's);
    // one below 50 ms is 50 ms (a hint of 0 must not make the watch spin). The answer's `Date` is the server's clock
    // (the watch takes the job's age by it).
    return {
      job: (await response.json()) as JobStatusResponse,
      hintMs: /^\d+$/.test(hint) ? Math.max(+hint, 50) : undefined,
      date: Date.parse(response.headers.get("date")!),
    };
  };

  /**
   * The answer of a job's content: its body streams (typed errors on a stall, a cut or an abort). The options as
   * checked (`signal`, `onProgress`, `deadline`), and maybe one attempt (`maxRetries: 0`) over a `fetch` of its own.
   * Over the client's own `fetch`, else the upload function's `fetch` when it has one (`nodeUpload()`'s, over
   * node:http: Node's fetch may take a body cut before its end as complete), else the call's (`saveResult`'s), else
   * the global one.
   */
  const content = (jobId: string, opts: Partial<Call>): Promise<Response> =>
    send(
      "GET",
      "/v1/jobs/{job_id}/content",
      {
        ...opts,
        jobId,
        media: jobContentTypes,
        fetch: own || opts.fetch,
      },
      checkId(jobId),
      "response",
    );

  /** The result as a stream, with its length and type. */
  async function download(jobId: string, opts: Partial<Call>): Promise<Download> {
    const { body, headers } = await content(jobId, opts);
    return {
      // (The transport answers a result with a body, or throws: an empty one is `InvalidResponseError`.)
      stream: body!,
      contentLength: lengthOf(headers),
      contentType: headers.get("content-type") ?? undefined,
    };
  }

  /** Downloads into a Blob under the retry policy: a download that fails anyhow (a GET, safe to repeat) starts again. */
  const result = (jobId: string, opts: DownloadOptions): Promise<Blob> =>
    retry(policy, { ...opts, jobId: checkId(jobId), what: `download of ${shown(jobId)}` }, async () =>
      // One attempt each: the whole download (answer and body) is retried.
      typed(await (await content(jobId, { ...opts, maxRetries: 0 })).blob()),
    );

  /**
   * A job's watch, with this client's clocks, schedule (the call's `poll` over the client's) and learnt durations. Its
   * budget ends at `deadline`, else `timeoutMs` (default 11 minutes) from now on the client's clock.
   */
  const watchOf = (jobId: string, opts: CreateWatchOptions): JobWatch => {
    const poll = mergePoll(clientPoll, opts.poll);
    // `first`, `timeoutMs`, `deadline` and `download` as given.
    return createJobWatch({
      ...opts,
      jobId,
      model: (opts.model as VideoModel | undefined)?.canonical ?? (opts.model as string | undefined),
      now: clock,
      clock: poll.now,
      schedule: scheduleFor(poll, policy.random),
      durations,
      random: policy.random,
      wait: poll.delay,
      // Whoever drives it (this client's watches, queue-rx's, the React hooks'), a try that will be made goes to the
      // logger's `debug`, as a request's retry does.
      log: logger.debug,
      maxRetries: policy.maxRetries,
    });
  };

  /**
   * Drives a job's watch within its budget (as `watchOf` says): waits, reads the status and
   * downloads the result (one attempt each: the watch retries), calls the callbacks and yields the events.
   */
  async function* follow(
    jobId: string,
    opts: CreateWatchOptions & WaitOptions & { onSubmitted?: (jobId: string) => void },
    stop: AbortController,
  ): AsyncGenerator<JobEvent, void, undefined> {
    const { onStatusChange, onSubmitted } = opts;
    // The call's signal, or the iterator's `return()` or `throw()` (`stop`), aborts the wait or read in flight.
    const [signal, off] = either(opts.signal, stop);
    const watch = watchOf(jobId, opts);
    const wait = watch.wait ?? delay;
    // One attempt each (the watch retries), within its budget, whose length a read or download it cuts names (as the
    // watch's timeout does).
    const once = {
      signal,
      // (Read as each goes: past it, a read due before it gets a window of its own, see `JobWatch.deadline`.)
      get deadline() {
        return watch.deadline;
      },
      maxRetries: 0 as const,
      get budgetMs() {
        return watch.budgetMs;
      },
    };
    let seen: string | undefined;
    // A callback's promise that rejected (not awaited): the watch ends with it at its next step; once it ended, the
    // rejection goes to the logger (`ended`).
    let failed: unknown;
    let ended: unknown;
    let step = watch.start();
    let at = 0;
    try {
      for (;;) {
        if (failed) throw failed;
        for (const event of step.events) {
          // Aborted meanwhile (from `onSubmitted`, a status callback or the loop's body): no event after `submitted`
          // is told, neither to a callback nor to the loop (`submitted` always is: the job exists).
          if (event.type !== "submitted" && signal.aborted) throw aborted(jobId, signal.reason);
          // A callback that throws ends the watch with an error that keeps the job id (the job goes on); so does the
          // promise it returns, once it rejects (not awaited: see `failed`).
          try {
            let returned: any;
            if (event.type === "submitted") returned = onSubmitted?.(jobId);
            // (`retrying`, which the watch told the logger of, is no status: `onStatusChange` is called on changes of
            // the job's status only.)
            else if ("job" in event && event.job.status !== seen) {
              seen = event.job.status;
              returned = onStatusChange?.(event.job);
            }
            returned?.then?.(0, (cause: unknown) =>
              // biome-ignore lint/suspicious/noAssignInExpressions: the first rejection ends the watch
              ended ? logger.warn(callbackThrew(jobId, cause).message) : (failed ??= callbackThrew(jobId, cause)),
            );
          } catch (cause) {
            throw callbackThrew(jobId, cause);
          }
          yield event;
        }
        if (failed) throw failed;
        const { next } = step;
        if ("error" in next) throw next.error;
        if ("done" in next) return;
        try {
          // The wait before a read, or before a download.
          await pause(wait, (next as { read: number }).read ?? (next as { download: number }).download, signal, jobId);
          if ("read" in next) {
            step = watch.status(await readStatus(jobId, once));
            continue;
          }
          const { stream, contentLength: totalBytes, contentType } = await download(jobId, once);
          const reader = stream.getReader();
          const chunks: BlobPart[] = [];
          let receivedBytes = 0;
          try {
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              chunks.push(value as BlobPart);
              receivedBytes += value.byteLength;
              // (`at`: a `throw(error)` given at this `yield` ends the watch with that error, no failed download.)
              at = 1;
              yield* watch.progress({ receivedBytes, totalBytes });
              at = 0;
            }
          } finally {
            reader.cancel().catch(ignore); // leaving the loop mid-download frees the connection
          }
          // (No type, undefined: the Blob's is "".)
          step = watch.downloaded(await typed(new Blob(chunks, { type: contentType as string })));
        } catch (e) {
          if (at) throw e;
          // Left by `return()` or `throw()` while it waited: it ends as a loop left at a `yield` does.
          if (signal.aborted && !opts.signal?.aborted) return;
          step = watch.error(e);
        }
      }
    } finally {
      ended = 1;
      off();
    }
  }

  /** Reads a watch's events to its end: the outcome `submitAndPoll` and `wait` answer. */
  async function outcome(events: AsyncIterable<JobEvent>): Promise<QueueJobResult | QueueJobOutcome> {
    // A watch that does not throw ends with `completed` or `failed`.
    let end!: Extract<JobEvent, { type: "completed" | "failed" }>;
    for await (end of events as AsyncIterable<typeof end>);
    return {
      status: end.type,
      job_id: end.jobId,
      ...(end.type === "failed" ? { error: end.error } : end.data && { data: end.data }),
    } as QueueJobResult | QueueJobOutcome;
  }

  /**
   * A watch's iterator whose `return()` and `throw()` abort its wait or read in flight at once (a generator's own would
   * wait behind the `next()` pending on it), which then ends as a loop left at a `yield` does.
   */
  const stoppable =
    <A extends unknown[]>(run: (stop: AbortController, ...args: A) => AsyncGenerator<JobEvent, void, undefined>) =>
    (...args: A) => {
      const stop = new AbortController();
      const it = run(stop, ...args);
      const { next } = it;
      // `next()`s pending: only then is anything in flight to abort (a loop left at a `yield` cancels its download).
      let waiting = 0;
      // Defined, not assigned: under frozen intrinsics (`node --frozen-intrinsics`, SES) an assignment throws, as the
      // generator's prototype has them read-only.
      const def = (key: "next" | "return" | "throw", value: (value?: any) => unknown) =>
        Object.defineProperty(it, key, { value });
      def("next", () => {
        waiting++;
        return next.call(it).finally(() => waiting--);
      });
      for (const key of ["return", "throw"] as const) {
        const method = it[key];
        def(key, (value) => {
          if (waiting) stop.abort();
          return method.call(it, value);
        });
      }
      return it;
    };

  async function* submitAndWatch(stop: AbortController, options: AnyVideoCall, more: unknown[], download?: true) {
    // Every option (callbacks too) read and checked once, before the deadline is set; what was read is used (and
    // `generate`'s `download`, set then: a spread before would read them unchecked).
    try {
      only(more);
      options = checkCall(options, "Invalid input")[2] as AnyVideoCall;
    } catch (e) {
      throw ended(options, e);
    }
    if (download) options.download = download;
    // The wait's budget: `timeoutMs` (default 11 minutes) from now, on the client's clock, the submit included (the
    // watch's timeout names it).
    // biome-ignore lint/suspicious/noAssignInExpressions: the default is kept for the watch's message
    const deadline = now() + (options.timeoutMs ??= DEFAULT_WAIT_MS);
    const budgetMs = options.timeoutMs;
    // Its submit retries until the budget ends, or, if the client was given `maxRetries`, that many times (as a plain
    // submit: a failure that made no job ends it then, not the budget).
    const job = await postModel<JobSubmitResult>("video", options, {
      deadline,
      maxRetries: maxRetries ?? Infinity,
      expired: budgetMs,
      budgetMs,
    });
    try {
      yield* follow(job.job_id, { ...options, first: job, deadline }, stop);
    } catch (e: any) {
      // The job was made: the call tried again would make (and bill) another. Not `retryable`; its message says to
      // follow the job (a watch of a job id, `queue.wait`, keeps its error's `retryable` as it is).
      if (e?.retryable && e.jobId === job.job_id)
        Object.assign(e, {
          retryable: false,
          message: `${e.message}; job ${shown(job.job_id)} was made: follow it with queue.wait(jobId)`,
        });
      throw e;
    }
  }

  async function* watchJob(stop: AbortController, jobId: string, opts: QueueWaitOptions = {}, ...more: unknown[]) {
    only(more, 2);
    // model, timeoutMs, download, poll, signal, onStatusChange: the first six of the one list.
    yield* follow(checkId(jobId), videoModel(optionsOf(opts, 0, Object.keys(callOptions).slice(0, 6))), stop);
  }

  /**
   * A watch's options (`queue.wait`, `queue.watch`, `queue.createWatch`) whose `model` is checked: it sets the job's
   * expected duration, so it is a video model's (a definition of kind video, or a catalogue name), or none.
   */
  function videoModel<T extends { model?: any }>(opts: T): T {
    const { model } = opts;
    if (model !== undefined && !isVideoModelName(model) && model?.kind !== "video")
      throw invalid(where, "model", "a video model or its name", model);
    return opts;
  }

  const watchAfterSubmit = stoppable(submitAndWatch);
  /**
   * `submitAndPoll`'s (and `generate`'s) outcome. The call is checked here, before the watch's generator runs (it
   * checks the copy again), so that a refusal's stack holds the caller's line within the default `stackTraceLimit`.
   */
  const polled = async (options: AnyVideoCall, download?: true) =>
    outcome(watchAfterSubmit((await postModel<any>("video", options, undefined, undefined, 1))[2], [], download));
  const watchOne = stoppable(watchJob);

  const fileCall = async (method: "GET" | "DELETE", fileId: string, opts?: { signal?: AbortSignal }, more = []) => {
    only(more, 2);
    return send<FileReference>(
      method,
      "/v1/files/{file_id}",
      { ...optionsOf(opts), json: method === "GET" ? (body) => checkFile(body, fileId) : undefined },
      checkId(fileId, "fileId"),
      method === "GET" ? undefined : "response",
    );
  };

  /** `only(more)` for a call with inputs: a call refused for an argument past its options ends its streams too. */
  const onlyEnding = (inputs: unknown, more: unknown[]) => {
    try {
      only(more);
    } catch (e) {
      throw ended(inputs, e);
    }
  };

  return {
    rateLimit: { pausedUntil: gate.pausedUntil, subscribe: gate.subscribe },
    async process(options, ...more) {
      onlyEnding(options, more);
      return postModel("image", options, undefined, [...submitKeys, "timeoutMs"]);
    },
    async generate(options, ...more) {
      onlyEnding(options, more);
      warnOnce("Decart: generate() is deprecated; use queue.submitAndPoll()");
      const done = (await polled(options, true)) as QueueJobResult;
      if (done.status === "completed") return done.data;
      throw failedJob(done.job_id, done.error);
    },
    // The policy is hidden (a symbol, not enumerable): `saveResult` in @decart/core/node retries under it.
    queue: Object.defineProperty<QueueClient>(
      {
        async submit(options, budget?: any, ...more) {
          // The one second argument taken, under a symbol key (`ONCE`), never a plain object's: queue-rx's batch asks
          // for one attempt (`maxRetries: 0`), without a wait at a shut gate if its `spare` is 0. Any other is refused.
          const once = budget?.[ONCE];
          onlyEnding(options, once ? more : [budget, ...more]);
          return postModel<JobSubmitResult>("video", options, once && { maxRetries: 0, spare: once.spare }, submitKeys);
        },
        async status(jobId, opts, ...more) {
          only(more, 2);
          const checked = optionsOf(opts, 1);
          return (await timed(checked, () => readStatus(jobId, checked)).catch(about(jobId))).job;
        },
        async result(jobId, opts, ...more) {
          only(more, 2);
          return result(jobId, optionsOf(opts, 0, ["signal", "onProgress"])).catch(about(jobId));
        },
        // `saveResult` asks (with a symbol key) for one attempt (`maxRetries: 0`), over its own fetch unless the client
        // has one (see `content`): it retries the whole download itself.
        // A 404, 409 or 410 names the job as `result`'s do; not for a caller with `[ONCE]` (`saveResult`, queue-rx's
        // watch): its messages and log lines (and the CLI's) name the job their way.
        download: async (jobId, opts, ...more) => {
          only(more, 2);
          const once = (opts as { [ONCE]?: object })?.[ONCE];
          const checked = optionsOf(opts, 1, ["signal", "onProgress"]);
          return timed(checked, () => download(jobId, { ...checked, ...once })).catch(once ? undefined : about(jobId));
        },
        wait: ((...args: [string, QueueWaitOptions?, ...unknown[]]) =>
          outcome(watchOne(...args))) as QueueClient["wait"],
        submitAndPoll: (async (options: AnyVideoCall, ...more: unknown[]) => {
          onlyEnding(options, more);
          return polled(options);
        }) as QueueClient["submitAndPoll"],
        submitAndWatch: ((options: AnyVideoCall, ...more: unknown[]) =>
          watchAfterSubmit(options, more)) as QueueClient["submitAndWatch"],
        watch: watchOne,
        // Every option checked before the watch reads the clock (a `timeoutMs` of "5000" is refused, not added to it).
        // `first` must be this job's submit answer (a status of the spec, of `jobId`), as a status read must be: the
        // copy the check read (`once`), read as a status read is, never the caller's object (frozen perhaps).
        createWatch(jobId, opts, ...more) {
          only(more, 2);
          const id = checkId(jobId);
          const checked = videoModel(checkWatchOptions(opts));
          const wrong = checked.first && fixJob(checked.first, id);
          if (wrong) throw invalid(where, "first", `job ${id}'s submit answer (${wrong})`);
          return watchOf(id, checked);
        },
        async readStatus(jobId, opts, ...more) {
          only(more, 2);
          const checked = optionsOf(opts, 1);
          return timed(checked, () => readStatus(jobId, { ...checked, maxRetries: 0 }));
        },
      },
      POLICY,
      { value: policy },
    ),
    tokens: {
      async create(opts, ...more: unknown[]) {
        only(more);
        const { properties } = requestSchemas.CreateTokenRequest;
        const [{ signal }, body] = checkCall(
          opts,
          where,
          ["signal"],
          // (The request's fields, and no others: the spec allows no others; a model a name or a definition.)
          { ...properties, allowedModels: { ...properties.allowedModels, items: {} } },
        );
        // A scope no request could match (`"https://App.Example"`, `"lucy-pro-t2v "`, `[]`) is refused, as
        // `createTokenRoute` refuses it: such a token would be refused on every request. Models are sent by name.
        body.allowedModels = checkScopes(where, body.allowedModels as never, body.allowedOrigins as never);
        return post("/v1/client/tokens", JSON.stringify(body), signal, breaks(responseSchemas.CreateTokenResponse));
      },
    },
    files: {
      async upload(file, opts, ...more) {
        try {
          only(more, 2);
          const where = "Invalid upload";
          const { properties } = requestSchemas.UploadFileRequest;
          const [{ signal, onUploadProgress }, { ttlSeconds }] = checkCall(
            opts,
            where,
            ["signal", "onUploadProgress"],
            { ttlSeconds: properties.ttl_seconds },
          );
          checkSchema(properties.file, file, "file", where);
          return await postForm<FileReference>(
            "/v1/files",
            encodeForm(
              { file: await toBlob(file, "file", reading, signal), ttl_seconds: ttlSeconds },
              [],
              onUploadProgress,
            ),
            signal,
            checkFile,
          );
        } catch (e) {
          throw ended([file], e);
        }
      },
      get: (fileId, opts, ...more) => fileCall("GET", fileId, opts, more),
      async delete(fileId, opts, ...more) {
        await fileCall("DELETE", fileId, opts, more);
      },
    },
  };
}
