import {
  type CreateTokenRequest,
  type CreateTokenResponse,
  canonicalModel,
  catalogue,
  defaultBaseUrl,
  type FileReference,
  type ImageModelName,
  isModelName,
  type JobStatusResponse,
  jobContentTypes,
  jobStatuses,
  type paths,
  type VideoModelName,
} from "@decart/api";
import { aborted, asDecartError, type DecartError, JobFailedError, JobTimeoutError, pause } from "./errors.js";
import { encodeForm, resolveFiles, toBlob } from "./inputs.js";
import type { ModelDefinition } from "./models.js";
import { completedDurationMs, createDurationModel, mergePoll, scheduleFor, sleep } from "./poll.js";
import { createGate, POLICY, type RateLimitGate, retry } from "./retry.js";
import { type Call, createTransport } from "./transport.js";
import type {
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
  SubmitOptions,
  WaitOptions,
} from "./types.js";
import { checkSchema, invalid, validateInputs } from "./validate.js";
import { VERSION } from "./version.js";

/** A wait's default budget: a little past the server's own 10-minute job timeout. */
const DEFAULT_WAIT_MS = 660_000;

export interface DecartClientOptions {
  /** Your API key (`dct_…`) or a client token (`ek_…`). Default: the `DECART_API_KEY` environment variable. */
  apiKey?: string;
  /** The API's base URL. Default `https://api.decart.ai`. */
  baseUrl?: string;
  /** A proxy that adds the key server-side: a URL or a path such as `/api/decart`. No key is sent. */
  proxy?: string;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** Each HTTP attempt's limit: until the answer starts, and between chunks of its body. Default 60 s. */
  timeoutMs?: number;
  /** The same limit for requests that upload (multipart: submit, process, files.upload). Default 10 minutes. */
  uploadTimeoutMs?: number;
  /** Retries of one call after a transient failure. Default 2. (Status reads while waiting retry until the wait's deadline.) */
  maxRetries?: number;
  /**
   * Also retry a submit/process/upload whose fate is unknown (a 5xx, a timeout or a broken connection after the body
   * was sent). Off by default because it can run, and bill, a job twice.
   */
  retrySubmit?: boolean;
  /** Polling defaults for every wait (see `PollOptions`); `delay` and `now` also drive retry backoff. */
  poll?: PollOptions;
  /** Randomness of the retry backoff's jitter, in [0, 1) (default `Math.random`; seed it for reproducible tests). */
  random?: () => number;
  /** Your integration's name, added to the user agent. */
  integration?: string;
  /** Where warnings (deprecations) and debug lines (retries) go. Default: warnings to `console.warn`. */
  logger?: Logger;
  /** Check inputs against the catalogue before sending (default true). Turn off only if the spec lags the server. */
  validateInputs?: boolean;
}

/** `tokens.create` options: the JSON body (camelCase, as the API takes it) and a signal. */
export type CreateTokenOptions = Partial<CreateTokenRequest> & { signal?: AbortSignal };

export interface QueueClient {
  /** Submits a video job; answers at once with its id. */
  submit<M extends VideoModelName>(options: SubmitOptions<M>): Promise<JobSubmitResult>;
  /** Reads a job's status once. */
  status(jobId: string, options?: { signal?: AbortSignal }): Promise<JobStatusResponse>;
  /** Downloads a completed job's video into a Blob (a cut-short download is retried). */
  result(jobId: string, options?: DownloadOptions): Promise<Blob>;
  /** Starts downloading a completed job's video as a stream, with progress. */
  download(jobId: string, options?: DownloadOptions): Promise<Download>;
  /** Watches a job submitted elsewhere until it ends, then downloads its video. Never throws for a failed job. */
  wait(jobId: string, options: QueueWaitOptions & { download: false }): Promise<QueueJobOutcome>;
  wait(jobId: string, options?: QueueWaitOptions & { download?: true }): Promise<QueueJobResult>;
  wait(jobId: string, options: QueueWaitOptions): Promise<QueueJobResult | QueueJobOutcome>;
  /** Submits, watches and downloads. Never throws for a failed job: the result says `failed` with the reason. */
  submitAndPoll<M extends VideoModelName>(
    options: SubmitAndPollOptions<M> & { download: false },
  ): Promise<QueueJobOutcome>;
  submitAndPoll<M extends VideoModelName>(
    options: SubmitAndPollOptions<M> & { download?: true },
  ): Promise<QueueJobResult>;
  submitAndPoll<M extends VideoModelName>(options: SubmitAndPollOptions<M>): Promise<QueueJobResult | QueueJobOutcome>;
}

export interface DecartClient {
  /**
   * The client-wide rate-limit gate: after a 429 on any request, every new request of this client waits until it
   * opens. A batch runner subscribes to show the pacing.
   */
  rateLimit: RateLimitGate;
  /** Generates an image (Process API). */
  process<M extends ImageModelName>(options: ProcessOptions<M>): Promise<Blob>;
  /** @deprecated Video generation runs through the Queue API: use `queue.submitAndPoll`. This wrapper does so. */
  generate<M extends VideoModelName>(options: GenerateOptions<M>): Promise<Blob>;
  queue: QueueClient;
  tokens: {
    /** Creates a short-lived client token (`ek_…`) for a browser. */
    create(options?: CreateTokenOptions): Promise<CreateTokenResponse>;
  };
  files: {
    upload(
      file: FileInput,
      options?: { ttlSeconds?: number | "persistent"; signal?: AbortSignal },
    ): Promise<FileReference>;
    get(fileId: string, options?: { signal?: AbortSignal }): Promise<FileReference>;
    delete(fileId: string, options?: { signal?: AbortSignal }): Promise<void>;
  };
}

const canonical = (name: string): string => (isModelName(name) ? canonicalModel(name) : name);

/** Creates a client. Throws `InvalidInputError` for a missing key or a bad URL; sends nothing until you call it. */
export function createDecartClient(options: DecartClientOptions = {}): DecartClient {
  const { proxy, timeoutMs = 60_000, uploadTimeoutMs = 600_000, maxRetries = 2 } = options;
  const where = "Invalid options";
  const g = globalThis as any;
  let apiKey = options.apiKey;
  if (proxy !== undefined && apiKey !== undefined) throw invalid(where, "proxy", "given without `apiKey`");
  if (proxy === undefined) {
    try {
      apiKey = (apiKey ?? g.process?.env?.DECART_API_KEY)?.trim();
    } catch {}
    if (!apiKey) throw invalid(where, "apiKey", "a non-empty key (or set DECART_API_KEY, or use `proxy`)");
  }
  const baseUrl = (proxy ?? options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "");
  if (!/^(https?:\/\/[^/]|\/)/i.test(baseUrl) || (proxy === undefined && baseUrl.startsWith("/"))) {
    throw invalid(where, proxy === undefined ? "baseUrl" : "proxy", "an http(s) URL", baseUrl);
  }

  const logger: Logger = options.logger ?? { warn: (m) => console.warn(m) };
  const clientPoll: PollOptions = options.poll ?? {};
  const delay = clientPoll.delay ?? sleep;
  const now = clientPoll.now ?? Date.now;
  const fetchImpl: typeof fetch = (input, init) => (options.fetch ?? g.fetch)(input, init);
  // `runtime/…` of the user agent (Bun and Deno report Node compatibility); none in a browser.
  const node = g.process?.versions?.node;
  const rt = g.document ? "" : node ? `node.js/v${node}` : g.EdgeRuntime ? "vercel-edge" : "unknown";
  const gate = createGate(now);
  const policy = { maxRetries, delay, now, random: options.random ?? Math.random, logger, gate };
  const transport = createTransport({
    baseUrl,
    apiKey,
    // Browsers refuse to set User-Agent, and another header would need CORS approval: none is sent there.
    headers: rt
      ? {
          "user-agent": `decart-ts-sdk/${VERSION} lang/js${options.integration ? ` ${options.integration}` : ""} runtime/${rt}`,
        }
      : {},
    fetch: fetchImpl,
    timeoutMs,
    uploadTimeoutMs,
    retrySubmit: options.retrySubmit === true,
    policy,
  });
  const durations = createDurationModel();
  const warned = new Set<string>();
  const warnOnce = (message: string) => {
    if (!warned.has(message)) logger.warn?.(message);
    warned.add(message);
  };

  /**
   * Sends one request to a path of the spec (its one `{parameter}` filled with `id`) and reads the answer as JSON (the
   * default), a Blob or the Response itself; anything thrown becomes a `DecartError` carrying `jobId`.
   */
  const send = async <T>(
    method: "GET" | "POST" | "DELETE",
    path: keyof paths,
    call: Call,
    id?: string,
    as?: "blob" | "response" | "none",
  ): Promise<T> => {
    try {
      const response = await transport(method, id ? path.replace(/\{\w+\}/, encodeURIComponent(id)) : path, call);
      return (as === "response" ? response : as === "none" ? undefined : as ? response.blob() : response.json()) as T;
    } catch (e) {
      throw asDecartError(e, call.jobId);
    }
  };

  /**
   * Inside a wait's budget (`deadline`), retryable failures are retried until it runs out, not `maxRetries` times; when
   * it runs out, the call ends in `JobTimeoutError` (with `jobId`, once there is one).
   */
  const budget = (deadline?: number, jobId?: string, lastStatus?: string) =>
    deadline
      ? {
          deadline,
          maxRetries: Infinity,
          expired: (error: DecartError) => timedOut(jobId, lastStatus, error),
        }
      : {};

  /** A job's status as the spec describes it: what is wrong with `body`, or nothing. */
  const checkJob = (body: any) =>
    !(jobStatuses as readonly unknown[]).includes(body?.status)
      ? `an answer that is not a job status (status ${JSON.stringify(body?.status)})`
      : typeof body.job_id !== "string" || !body.job_id
        ? "an answer without a job_id"
        : undefined;
  /** A JSON object, as the token and file answers are. */
  const checkObject = (body: unknown) =>
    body && typeof body === "object" ? undefined : "an answer that is not an object";

  /** POSTs a body that is ready to send (a submit is not repeated unless the server certainly did not take it). */
  const post = <T>(path: string, body: FormData | string, signal?: AbortSignal, parseAs?: "blob", deadline?: number) =>
    send<T>(
      "POST",
      path as keyof paths,
      {
        idempotent: false,
        signal,
        body,
        json: parseAs ? undefined : path.startsWith("/v1/jobs/") ? checkJob : checkObject,
        ...budget(deadline),
      },
      undefined,
      parseAs,
    );

  const checkId = (id: string, field: string): string => {
    checkSchema({ type: "string", minLength: 1, maxLength: 256 }, id, field, "Invalid argument");
    return id;
  };

  /** Validates, resolves files, and POSTs a model's inputs as multipart. */
  async function postModel<T>(kind: "video" | "image", call: any, parseAs?: "blob", deadline?: number): Promise<T> {
    const { model, signal, onStatusChange, onSubmitted, poll, timeoutMs, download, ...raw } = call ?? {};
    const m = model as ModelDefinition | undefined;
    if (typeof m?.path !== "string" || m.kind !== kind) {
      throw invalid("Invalid input", "model", `a ${kind} model from models.${kind}(…)`, m?.name ?? model);
    }
    if (m.deprecatedInFavourOf) warnOnce(`Decart: model "${m.name}" is deprecated; use "${m.deprecatedInFavourOf}"`);
    if (options.validateInputs !== false) validateInputs(m, raw);
    if (signal?.aborted) throw aborted(undefined, signal.reason);
    const inputs = await resolveFiles(m, raw, fetchImpl, signal);
    return post(m.path, encodeForm(inputs, m.fields), signal, parseAs, deadline);
  }

  const submit = (options: SubmitOptions<VideoModelName>, deadline?: number) =>
    postModel<JobSubmitResult>("video", options, undefined, deadline);

  /** Reads a job's status: the answer, and the server's `x-poll-after-ms` hint when it sent one. */
  const readStatus = async (jobId: string, signal?: AbortSignal, deadline?: number, lastStatus?: string) => {
    // While waiting, a status read is retried until the wait's deadline.
    const call = { idempotent: true, signal, jobId, json: checkJob, ...budget(deadline, jobId, lastStatus) };
    const response = await send<Response>("GET", "/v1/jobs/{job_id}", call, checkId(jobId, "jobId"), "response");
    const hint = response.headers.get("x-poll-after-ms");
    return { job: (await response.json()) as JobStatusResponse, hintMs: hint ? Math.max(0, +hint || 0) : undefined };
  };

  /** The answer of a job's content: its body streams (typed errors on a stall, a cut or an abort). */
  const content = (
    jobId: string,
    { signal, onProgress }: DownloadOptions = {},
    once?: { deadline?: number },
  ): Promise<Response> =>
    send(
      "GET",
      "/v1/jobs/{job_id}/content",
      {
        idempotent: true,
        signal,
        jobId,
        onProgress,
        media: jobContentTypes,
        // One attempt for `result`, which retries the whole download (answer and body) under the policy.
        ...(once && { ...once, maxRetries: 0 }),
      },
      checkId(jobId, "jobId"),
      "response",
    );

  async function download(jobId: string, opts?: DownloadOptions): Promise<Download> {
    const { body, headers } = await content(jobId, opts);
    const length = headers.get("content-length");
    return {
      stream: body ?? new Blob().stream(),
      contentLength: length ? +length : undefined,
      contentType: headers.get("content-type") ?? undefined,
    };
  }

  /** Downloads into a Blob under the retry policy: a download that fails anyhow (a GET, safe to repeat) starts again. */
  const result = (jobId: string, opts: DownloadOptions = {}, deadline?: number): Promise<Blob> =>
    retry(
      policy,
      { signal: opts.signal, jobId, what: `download of ${jobId}`, ...budget(deadline, jobId, "completed") },
      async () => (await content(jobId, opts, { deadline })).blob(),
    );

  /**
   * Polls a job until it is `completed` or `failed`, or until the deadline. With `first` (the submit's answer), the
   * job's age is known from now; otherwise it comes from `created_at` (once read).
   */
  async function watch(
    jobId: string,
    opts: QueueWaitOptions & { first?: JobSubmitResult },
    deadline: number,
  ): Promise<JobStatusResponse> {
    const poll = mergePoll(clientPoll, opts.poll);
    const schedule = scheduleFor(poll);
    const clock = poll.now ?? now;
    const { signal, onStatusChange } = opts;
    let origin = clock();
    let model = typeof opts.model === "string" ? canonical(opts.model) : opts.model?.canonical;
    let last = opts.first as JobStatusResponse | undefined;
    let originKnown = !!last;
    if (last) onStatusChange?.(last);
    // When the previous read happened (ms after origin): a job seen completed finished between the two reads.
    let previousRead = 0;
    let hintMs: number | undefined;

    for (let attempt = 0; !["completed", "failed"].includes(last?.status as string); attempt++) {
      const info = model && isModelName(model) ? catalogue[model] : undefined;
      const catalogueMs = info ? info.typicalJobSeconds * 1000 : 30_000; // a model the catalogue does not know
      // Read afresh before each wait: what other watchers of this model learnt meanwhile counts at once.
      const typicalMs = model ? durations.typicalMs(model, catalogueMs) : catalogueMs;
      const spread = model ? durations.spread(model) : undefined;
      const ms = last
        ? schedule({ attempt, elapsedMs: clock() - origin, status: last.status, typicalMs, hintMs, spread })
        : 0;
      // The deadline is on the client's clock (as the transport's); a call's own `poll.now` drives only the schedule.
      const left = deadline - now();
      if (left <= 0) throw timedOut(jobId, last?.status);
      await pause(poll.delay ?? delay, Math.max(0, Math.min(ms, left)), signal, jobId);
      // A status read is retried until the deadline (then it ends in JobTimeoutError).
      const read = await readStatus(jobId, signal, deadline, last?.status);
      const current = read.job;
      hintMs = read.hintMs;
      model ??= current.model && canonical(current.model);
      if (!originKnown && current.created_at) {
        const age = Date.now() - Date.parse(current.created_at);
        if (age >= 0 && age < 86_400_000) origin = clock() - age;
        originKnown = true;
      }
      if (current.status !== last?.status) onStatusChange?.(current);
      const readAt = clock() - origin;
      // The server's timestamps give the duration of any completed job (one already done when first read, too);
      // without them, the middle of the last two reads when the job was seen unfinished before.
      if (current.status === "completed" && model) {
        durations.observe(
          model,
          catalogueMs,
          completedDurationMs(current) ?? (last && originKnown ? (previousRead + readAt) / 2 : 0),
        );
      }
      previousRead = readAt;
      last = current;
    }
    return last!;
  }

  /** The end of a wait's budget: `timeoutMs` (default 11 minutes) from now, on the client's clock. */
  const deadlineOf = (opts: WaitOptions) => now() + (opts.timeoutMs ?? DEFAULT_WAIT_MS);

  /** The budget ran out: the job may still finish, and `queue.wait(jobId)` can watch it again. */
  function timedOut(jobId: string | undefined, lastStatus?: string, cause?: DecartError) {
    return new JobTimeoutError(
      `${jobId ? `Job ${jobId}` : "The submit"} not done within the call's timeoutMs (last status: ${lastStatus ?? "unknown"})`,
      { jobId, lastStatus, cause },
    );
  }

  /** Watches a job to its end, then (unless `download: false`) downloads its video, all within one budget. */
  async function follow(
    jobId: string,
    opts: QueueWaitOptions & { first?: JobSubmitResult },
    deadline: number,
  ): Promise<QueueJobResult | QueueJobOutcome> {
    const final = await watch(jobId, opts, deadline);
    if (final.status === "failed") return { status: "failed", job_id: jobId, error: final.error || "Job failed" };
    if (opts.download === false) return { status: "completed", job_id: jobId };
    // Inside the budget a transient failure is retried until it runs out (then it ends in JobTimeoutError).
    const data = await result(jobId, { signal: opts.signal }, deadline);
    return { status: "completed", job_id: jobId, data };
  }

  async function submitAndPoll(options: SubmitAndPollOptions<VideoModelName>) {
    const deadline = deadlineOf(options);
    const job = await submit(options, deadline);
    options.onSubmitted?.(job.job_id);
    return follow(job.job_id, { ...options, first: job }, deadline);
  }

  const fileCall = (method: "GET" | "DELETE", fileId: string, opts: { signal?: AbortSignal } = {}) =>
    send<FileReference>(
      method,
      "/v1/files/{file_id}",
      { idempotent: true, signal: opts.signal, json: method === "GET" ? checkObject : undefined },
      checkId(fileId, "fileId"),
      method === "GET" ? undefined : "none",
    );

  return {
    rateLimit: { pausedUntil: gate.pausedUntil, subscribe: gate.subscribe },
    process: (options) => postModel("image", options, "blob"),
    async generate(options) {
      warnOnce("Decart: client.generate() is deprecated; use client.queue.submitAndPoll()");
      const outcome = (await submitAndPoll({ ...options, download: true })) as QueueJobResult;
      if (outcome.status === "completed") return outcome.data;
      throw new JobFailedError(`Job ${outcome.job_id} failed: ${outcome.error}`, {
        jobId: outcome.job_id,
        reason: outcome.error,
      });
    },
    // The policy is hidden (a symbol, not enumerable): `saveResult` in @decart/core/node retries under it.
    queue: Object.defineProperty<QueueClient>(
      {
        submit,
        status: async (jobId, opts = {}) => (await readStatus(jobId, opts.signal)).job,
        result,
        download,
        wait: ((jobId: string, opts: QueueWaitOptions = {}) =>
          follow(checkId(jobId, "jobId"), opts, deadlineOf(opts))) as QueueClient["wait"],
        submitAndPoll: submitAndPoll as QueueClient["submitAndPoll"],
      },
      POLICY,
      { value: policy },
    ),
    tokens: {
      create: ({ signal, ...body } = {}) => post("/v1/client/tokens", JSON.stringify(body), signal),
    },
    files: {
      async upload(file, { ttlSeconds, signal } = {}) {
        const where = "Invalid upload";
        checkSchema({ type: "file" }, file, "file", where);
        if (ttlSeconds !== undefined && ttlSeconds !== "persistent")
          checkSchema({ type: "integer", minimum: 60, maximum: 2_592_000 }, ttlSeconds, "ttlSeconds", where);
        const blob = await toBlob(file, "file", fetchImpl, signal);
        return post("/v1/files", encodeForm({ file: blob, ttl_seconds: ttlSeconds }), signal);
      },
      get: (fileId, opts) => fileCall("GET", fileId, opts),
      async delete(fileId, opts) {
        await fileCall("DELETE", fileId, opts);
      },
    },
  };
}
