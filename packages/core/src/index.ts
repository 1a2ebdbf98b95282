/**
 * `@decart/core`: the typed client for the Decart API (`createDecartClient`), the catalogue's models (`models`), the
 * typed errors, and what a view layer builds on (`createJobWatch`). Runtime-neutral: only web globals. Node-only
 * helpers are in `@decart/core/node`, your server's token route in `@decart/core/server`.
 *
 * @module @decart/core
 */
export type {
  CreateTokenRequest,
  CreateTokenResponse,
  FileReference,
  ImageModelName,
  /** `@decartai/sdk`'s name of `ImageModelName`. */
  ImageModelName as ImageModels,
  /** `@decartai/sdk`'s name of `JobSubmitResult`: a submit's answer, `{ job_id, status }`. */
  JobSubmitResponse,
  /** `@decartai/sdk`'s name of `ModelName`. */
  ModelName as Model,
  ModelName,
  ValidationIssue,
  VideoModelName,
  /** `@decartai/sdk`'s name of `VideoModelName`. */
  VideoModelName as VideoModels,
} from "@decart/api";
export {
  type CreateTokenOptions,
  createDecartClient,
  type DecartClient,
  type DecartClientOptions,
  type DecartClientSettings,
  type QueueClient,
} from "./client.js";
export {
  checkJob,
  createJobWatch,
  type DurationModel,
  isUsableId,
  type JobEvent,
  type JobWatch,
  type JobWatchInit,
  type JobWatchNext,
  type JobWatchStep,
  MAX_ID_LENGTH,
  type StatusRead,
} from "./engine.js";
export {
  AbortError,
  AuthenticationError,
  aborted,
  BadRequestError,
  ConflictError,
  ConnectionError,
  callbackThrew,
  DecartError,
  /** `@decartai/sdk`'s name of the type of what it throws: here a `DecartError` (its own fields stand for `data`). */
  type DecartError as DecartSDKError,
  type DecartErrorJSON,
  type DecartErrorOptions,
  type ErrorCode,
  errorCodes,
  failedJob,
  GoneError,
  InvalidInputError,
  InvalidResponseError,
  JobFailedError,
  JobNotCompletedError,
  JobTimeoutError,
  ModelRetiredError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  shownUrl,
  TimeoutError,
  ValidationError,
} from "./errors.js";
export { MAX_ANSWER_BYTES } from "./limits.js";
export {
  canonicalModel,
  type FieldSpec,
  type ImageModel,
  type ModelDefinition,
  models,
  type RuleInfo,
  type VideoModel,
} from "./models.js";
export { adaptiveSchedule, createDurationModel } from "./poll.js";
export { canWatchAgain, type RateLimitGate, type RateLimitPause, retryWait } from "./retry.js";
export { type ClientToken, fetchTokenFrom, type TokenFetcher } from "./token.js";
export type {
  CreateWatchOptions,
  DelayFunction,
  Download,
  DownloadOptions,
  DownloadProgress,
  FileInput,
  FromSchema,
  GenerateOptions,
  Inputs,
  JobStatus,
  JobStatusResponse,
  JobSubmitResult,
  Logger,
  PollContext,
  PollOptions,
  PollSchedule,
  ProcessOptions,
  QueueJobOutcome,
  QueueJobResult,
  QueueWaitOptions,
  StatusListener,
  SubmitAndPollOptions,
  SubmitOptions,
  SubmitWaitDownloading,
  SubmitWaitOptions,
  UploadBody,
  UploadFunction,
  UploadPartValue,
  UploadProgress,
  WaitOptions,
} from "./types.js";
export { checkWatchOptions, invalid, isByteIterable, readOnce, sentLength } from "./validate.js";
export { VERSION } from "./version.js";
