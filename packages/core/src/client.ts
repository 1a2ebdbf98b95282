import {
  apiKeyHeader,
  type CreateTokenRequest,
  type CreateTokenResponse,
  canonicalModel,
  catalogue,
  defaultBaseUrl,
  type FileReference,
  type ImageModelName,
  isModelName,
  type JobStatusResponse,
  type paths,
  requestSchemas,
  type VideoModelName,
} from "@decart/api";
import createClient from "openapi-fetch";
import { AbortError, DecartError, InvalidInputError, JobFailedError, JobTimeoutError } from "./errors.js";
import { encodeForm, resolveFiles } from "./inputs.js";
import type { ModelDefinition } from "./models.js";
import { createDurationModel, mergePoll, scheduleFor, sleep } from "./poll.js";
import { backoffDelay, type Call, createTransport } from "./transport.js";
import type {
  Download,
  DownloadOptions,
  FileInput,
  GenerateOptions,
  JobSubmitResult,
  Logger,
  PollOptions,
  ProcessOptions,
  QueueJobResult,
  QueueWaitOptions,
  SubmitAndPollOptions,
  SubmitOptions,
} from "./types.js";
import { checkSchema, isFileInput, validateInputs } from "./validate.js";
import { VERSION } from "./version.js";

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
  wait(jobId: string, options?: QueueWaitOptions): Promise<QueueJobResult>;
  /** Submits, watches and downloads. Never throws for a failed job: the result says `failed` with the reason. */
  submitAndPoll<M extends VideoModelName>(options: SubmitAndPollOptions<M>): Promise<QueueJobResult>;
}

export interface DecartClient {
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

const DEFAULT_WAIT_MS = 11 * 60_000;
const UNKNOWN_MODEL_MS = 30_000;
const TERMINAL = new Set(["completed", "failed"]);

function runtime(): string | undefined {
  const g = globalThis as any;
  if (g.Bun?.version) return `bun/${g.Bun.version}`;
  if (g.Deno?.version?.deno) return `deno/${g.Deno.version.deno}`;
  if (typeof g.EdgeRuntime === "string") return "vercel-edge";
  if (g.process?.versions?.node) return `node.js/${g.process.version}`;
  if (typeof g.window !== "undefined" && typeof g.document !== "undefined") return undefined; // a browser
  return "unknown";
}

function readEnvKey(): string | undefined {
  const g = globalThis as any;
  try {
    return g.process?.env?.DECART_API_KEY ?? g.Deno?.env?.get?.("DECART_API_KEY");
  } catch {
    return undefined;
  }
}

const isPositive = (v: unknown) => typeof v === "number" && v > 0;
const canonical = (name: string): string => (isModelName(name) ? canonicalModel(name) : name);

/** Creates a client. Throws `InvalidInputError` for a missing key or a bad URL; sends nothing until you call it. */
export function createDecartClient(options: DecartClientOptions = {}): DecartClient {
  const { proxy } = options;
  if (proxy !== undefined && options.apiKey !== undefined) {
    throw new InvalidInputError("Pass either `proxy` or `apiKey`, not both: a proxy adds the key itself", {
      field: "proxy",
      expected: "no apiKey with a proxy",
    });
  }
  const apiKey = proxy === undefined ? (options.apiKey ?? readEnvKey())?.trim() : undefined;
  if (proxy === undefined && !apiKey) {
    throw new InvalidInputError(
      "Missing API key: pass `apiKey` to createDecartClient(), set the DECART_API_KEY environment variable, or use `proxy`",
      { field: "apiKey", expected: "a non-empty API key" },
    );
  }
  const baseUrl = (proxy ?? options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "");
  if (!(proxy?.startsWith("/") || /^https?:\/\/[^/]/i.test(baseUrl))) {
    throw new InvalidInputError(`Invalid ${proxy === undefined ? "baseUrl" : "proxy"} "${baseUrl}"`, {
      field: proxy === undefined ? "baseUrl" : "proxy",
      expected: proxy === undefined ? "an http(s) URL" : "an http(s) URL or a path starting with /",
    });
  }
  for (const name of ["timeoutMs", "uploadTimeoutMs"] as const) {
    if (options[name] !== undefined && !isPositive(options[name])) {
      throw new InvalidInputError(`\`${name}\` must be a positive number of milliseconds`, {
        field: name,
        expected: "a positive number",
      });
    }
  }
  if (options.maxRetries !== undefined && !(Number.isInteger(options.maxRetries) && options.maxRetries >= 0)) {
    throw new InvalidInputError("`maxRetries` must be a whole number ≥ 0", { field: "maxRetries", expected: "≥ 0" });
  }

  const logger: Logger = options.logger ?? { warn: (m) => console.warn(m) };
  const clientPoll: PollOptions = options.poll ?? {};
  const delay = clientPoll.delay ?? sleep;
  const now = clientPoll.now ?? Date.now;
  const maxRetries = options.maxRetries ?? 2;
  const validate = options.validateInputs !== false;
  const fetchImpl: typeof fetch = (input, init) => (options.fetch ?? globalThis.fetch)(input, init);
  const rt = runtime();
  const headers: Record<string, string> = {};
  // Browsers refuse to set User-Agent, and an unknown header would need CORS approval: send nothing there.
  if (rt) {
    headers["user-agent"] =
      `decart-ts-sdk/${VERSION} lang/js${options.integration ? ` ${options.integration}` : ""} runtime/${rt}`;
  }
  const transport = createTransport({
    apiKey,
    apiKeyHeader,
    fetch: fetchImpl,
    headers,
    timeoutMs: options.timeoutMs ?? 60_000,
    uploadTimeoutMs: options.uploadTimeoutMs ?? 600_000,
    maxRetries,
    retrySubmit: options.retrySubmit === true,
    delay,
    now,
    logger,
  });
  const api = createClient<paths>({ baseUrl, fetch: transport({ idempotent: false }) });
  const durations = createDurationModel();
  const warned = new Set<string>();
  const warnOnce = (key: string, message: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn?.(message);
  };

  /** Awaits an openapi-fetch call; anything thrown becomes a `DecartError` carrying `jobId`. */
  async function send<T>(pending: Promise<{ data?: T }>, jobId?: string): Promise<T> {
    try {
      return (await pending).data as T;
    } catch (e) {
      throw asDecartError(e, jobId);
    }
  }

  function asDecartError(e: unknown, jobId?: string): DecartError {
    const error = DecartError.isInstance(e)
      ? e
      : new DecartError(`Unexpected answer from the API: ${(e as Error)?.message ?? e}`, {
          code: "INVALID_RESPONSE",
          cause: e,
        });
    error.jobId ??= jobId;
    return error;
  }

  function checkId(id: unknown, field: string): string {
    if (typeof id !== "string" || id.length === 0 || id.length > 256) {
      throw new InvalidInputError(`\`${field}\` must be a non-empty string of at most 256 characters`, {
        field,
        expected: "a non-empty string",
      });
    }
    return id;
  }

  function checkModel(model: unknown, kind: "video" | "image"): ModelDefinition {
    const m = model as ModelDefinition | undefined;
    if (!m || typeof m !== "object" || typeof m.path !== "string" || !Array.isArray(m.fields)) {
      throw new InvalidInputError(
        `\`model\` must be a model definition: models.${kind}("…")${typeof model === "string" ? `, not the string "${model}"` : ""}`,
        { field: "model", expected: `models.${kind}(name)` },
      );
    }
    if (m.kind !== kind) {
      throw new InvalidInputError(
        kind === "video"
          ? `${m.name} is an image model: generate images with client.process()`
          : `${m.name} is a video model: generate videos with client.queue.submitAndPoll()`,
        { field: "model", expected: `a ${kind} model` },
      );
    }
    if (m.deprecatedInFavourOf) {
      warnOnce(
        `model:${m.name}`,
        `Decart: the model "${m.name}" is deprecated; use "${m.deprecatedInFavourOf}" instead`,
      );
    }
    return m;
  }

  const controlKeys = new Set(["model", "signal", "onStatusChange", "onSubmitted", "poll", "timeoutMs"]);
  function inputsOf(options: object): Record<string, unknown> {
    const inputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) if (!controlKeys.has(k)) inputs[k] = v;
    return inputs;
  }

  /** Validates, resolves files, and POSTs a model's inputs as multipart. */
  async function postModel<T>(
    model: ModelDefinition,
    raw: Record<string, unknown>,
    signal: AbortSignal | undefined,
    parseAs: "json" | "blob",
  ): Promise<T> {
    if (validate) validateInputs(model, raw);
    if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
    const inputs = await resolveFiles(model, raw, fetchImpl, signal);
    const call: Call = { idempotent: false, signal };
    return send(
      api.POST(model.path as "/v1/jobs/lucy-pro-t2v", {
        body: inputs as never,
        bodySerializer: (body: unknown) => {
          call.body = encodeForm(model, body as Record<string, unknown>);
          return call.body;
        },
        parseAs,
        fetch: transport(call),
      }) as Promise<{ data?: T }>,
    );
  }

  async function submit(options: SubmitOptions<VideoModelName>): Promise<JobSubmitResult> {
    const model = checkModel(options?.model, "video");
    return postModel<JobSubmitResult>(model, inputsOf(options), options.signal, "json");
  }

  async function status(jobId: string, opts: { signal?: AbortSignal } = {}): Promise<JobStatusResponse> {
    checkId(jobId, "jobId");
    return readStatus(jobId, opts.signal);
  }

  function readStatus(jobId: string, signal?: AbortSignal, deadline?: number): Promise<JobStatusResponse> {
    const call: Call = { idempotent: true, signal, jobId, deadline };
    if (deadline !== undefined) call.maxRetries = Number.POSITIVE_INFINITY;
    return send(api.GET("/v1/jobs/{job_id}", { params: { path: { job_id: jobId } }, fetch: transport(call) }), jobId);
  }

  async function download(jobId: string, opts: DownloadOptions = {}): Promise<Download> {
    checkId(jobId, "jobId");
    const { data, response } = await send(
      api
        .GET("/v1/jobs/{job_id}/content", {
          params: { path: { job_id: jobId } },
          parseAs: "stream",
          fetch: transport({ idempotent: true, signal: opts.signal, jobId, onProgress: opts.onProgress }),
        })
        .then((r) => ({ data: r })),
      jobId,
    );
    const length = response.headers.get("content-length");
    return {
      stream: (data as ReadableStream<Uint8Array> | undefined) ?? new Blob([]).stream(),
      contentLength: length !== null && /^\d+$/.test(length) ? Number(length) : undefined,
      contentType: response.headers.get("content-type") ?? undefined,
    };
  }

  async function result(jobId: string, opts: DownloadOptions = {}): Promise<Blob> {
    for (let attempt = 0; ; attempt++) {
      const d = await download(jobId, opts);
      try {
        const init = d.contentType ? { headers: { "content-type": d.contentType } } : {};
        return await new Response(d.stream, init).blob();
      } catch (e) {
        const error = asDecartError(e, jobId);
        if (!error.retryable || attempt >= maxRetries) throw error;
        logger.debug?.(`Download of job ${jobId} failed (${error.message}); retrying`);
        await delay(backoffDelay(attempt), opts.signal).catch((e) => {
          throw opts.signal?.aborted ? new AbortError(undefined, { jobId, cause: e }) : e;
        });
      }
    }
  }

  interface Watch extends QueueWaitOptions {
    first?: JobSubmitResult;
    startedAt?: number;
  }

  /** Polls a job until it is `completed` or `failed`, or until the deadline. */
  async function watch(jobId: string, opts: Watch): Promise<JobStatusResponse> {
    const poll = mergePoll(clientPoll, opts.poll);
    const schedule = scheduleFor(poll);
    const pause = poll.delay ?? delay;
    const clock = poll.now ?? now;
    const { signal } = opts;
    const begin = clock();
    const deadline = begin + (opts.timeoutMs ?? DEFAULT_WAIT_MS);
    let modelName: string | undefined = typeof opts.model === "string" ? opts.model : opts.model?.canonical;
    // When the job was submitted elsewhere, its age comes from `created_at` (once known).
    let origin = opts.startedAt ?? begin;
    let originKnown = opts.startedAt !== undefined;
    let last: JobStatusResponse | undefined = opts.first;
    if (last) opts.onStatusChange?.(last);
    // When the previous read happened (ms after origin): a job seen completed finished between the two reads.
    let previousRead = 0;

    for (let attempt = 0; ; attempt++) {
      if (last && TERMINAL.has(last.status)) return last;
      const info = modelName && isModelName(modelName) ? catalogue[modelName] : undefined;
      const catalogueMs = info ? info.typicalJobSeconds * 1000 : UNKNOWN_MODEL_MS;
      const typicalMs = modelName ? durations.typicalMs(modelName, catalogueMs) : catalogueMs;
      const ms = last
        ? Math.max(0, schedule({ attempt, elapsedMs: clock() - origin, status: last.status, typicalMs }))
        : 0;
      const left = deadline - clock();
      if (left <= 0) {
        throw new JobTimeoutError(
          `Job ${jobId} did not finish within ${opts.timeoutMs ?? DEFAULT_WAIT_MS} ms (last status: ${last?.status ?? "unknown"}); it may still finish: watch it again with queue.wait()`,
          { jobId, lastStatus: last?.status },
        );
      }
      await pause(Math.min(ms, left), signal).catch((e) => {
        throw signal?.aborted ? new AbortError(undefined, { jobId, cause: e }) : asDecartError(e, jobId);
      });
      let current: JobStatusResponse;
      try {
        current = await readStatus(jobId, signal, deadline);
      } catch (e) {
        const error = asDecartError(e, jobId);
        if (!error.retryable) throw error;
        throw new JobTimeoutError(
          `Job ${jobId}: no status could be read before the wait's deadline (${error.message}); it may still finish`,
          { jobId, lastStatus: last?.status, cause: error },
        );
      }
      if (!modelName && current.model) modelName = canonical(current.model);
      if (!originKnown && current.created_at) {
        const created = Date.parse(current.created_at);
        const age = Date.now() - created;
        if (age >= 0 && age < 86_400_000) origin = clock() - age;
        originKnown = true;
      }
      if (current.status !== last?.status) opts.onStatusChange?.(current);
      const readAt = clock() - origin;
      if (current.status === "completed" && modelName && last && originKnown) {
        durations.observe(modelName, catalogueMs, (previousRead + readAt) / 2);
      }
      previousRead = readAt;
      last = current;
    }
  }

  async function finish(jobId: string, final: JobStatusResponse, signal?: AbortSignal): Promise<QueueJobResult> {
    if (final.status === "failed") return { status: "failed", job_id: jobId, error: final.error || "Job failed" };
    return { status: "completed", job_id: jobId, data: await result(jobId, { signal }) };
  }

  async function wait(jobId: string, opts: QueueWaitOptions = {}): Promise<QueueJobResult> {
    checkId(jobId, "jobId");
    const model = typeof opts.model === "string" ? (canonical(opts.model) as VideoModelName) : opts.model;
    return finish(jobId, await watch(jobId, { ...opts, model }), opts.signal);
  }

  async function submitAndPoll(options: SubmitAndPollOptions<VideoModelName>): Promise<QueueJobResult> {
    const job = await submit(options);
    options.onSubmitted?.(job.job_id);
    const startedAt = (mergePoll(clientPoll, options.poll).now ?? now)();
    const final = await watch(job.job_id, { ...options, model: options.model, first: job, startedAt });
    return finish(job.job_id, final, options.signal);
  }

  async function process(options: ProcessOptions<ImageModelName>): Promise<Blob> {
    const model = checkModel(options?.model, "image");
    return postModel<Blob>(model, inputsOf(options), options.signal, "blob");
  }

  async function generate(options: GenerateOptions<VideoModelName>): Promise<Blob> {
    warnOnce(
      "generate",
      "Decart: client.generate() is deprecated; it now runs through the Queue API. Use client.queue.submitAndPoll().",
    );
    const outcome = await submitAndPoll(options);
    if (outcome.status === "failed") throw new JobFailedError(outcome.error, { jobId: outcome.job_id });
    return outcome.data;
  }

  async function createToken(options: CreateTokenOptions = {}): Promise<CreateTokenResponse> {
    const { signal, ...body } = options;
    checkSchema(requestSchemas.CreateTokenRequest as never, body, "options", "Invalid token options");
    const call: Call = { idempotent: false, signal };
    return send(
      api.POST("/v1/client/tokens", {
        body: body as CreateTokenRequest,
        bodySerializer: (b: unknown) => {
          call.body = JSON.stringify(b);
          return call.body;
        },
        fetch: transport(call),
      }),
    );
  }

  async function upload(
    file: FileInput,
    opts: { ttlSeconds?: number | "persistent"; signal?: AbortSignal } = {},
  ): Promise<FileReference> {
    if (!isFileInput(file)) {
      throw new InvalidInputError(
        "`file` must be a Blob, File, ReadableStream, Uint8Array, ArrayBuffer or http(s) URL",
        {
          field: "file",
          expected: "a file",
        },
      );
    }
    if (opts.ttlSeconds !== undefined) {
      checkSchema(
        requestSchemas.UploadFileRequest.properties.ttl_seconds as never,
        opts.ttlSeconds,
        "ttlSeconds",
        "Invalid upload options",
      );
    }
    const fields = [{ name: "file", type: "file" }, { name: "ttl_seconds" }] as unknown as ModelDefinition["fields"];
    const def = { fields } as ModelDefinition;
    const inputs = await resolveFiles(def, { file, ttl_seconds: opts.ttlSeconds }, fetchImpl, opts.signal);
    const call: Call = { idempotent: false, signal: opts.signal };
    return send(
      api.POST("/v1/files", {
        body: inputs as never,
        bodySerializer: (b: unknown) => {
          call.body = encodeForm(def, b as Record<string, unknown>);
          return call.body;
        },
        fetch: transport(call),
      }),
    );
  }

  const fileCall = (fileId: string, signal?: AbortSignal) => ({
    params: { path: { file_id: checkId(fileId, "fileId") } },
    fetch: transport({ idempotent: true, signal }),
  });

  return {
    process,
    generate,
    queue: { submit, status, result, download, wait, submitAndPoll },
    tokens: { create: createToken },
    files: {
      upload,
      get: (fileId, opts = {}) => send(api.GET("/v1/files/{file_id}", fileCall(fileId, opts.signal))),
      delete: async (fileId, opts = {}) => {
        await send(api.DELETE("/v1/files/{file_id}", fileCall(fileId, opts.signal)));
      },
    },
  } as DecartClient;
}
