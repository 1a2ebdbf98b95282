/**
 * `@decart/core`: the typed client for the Decart API (`createDecartClient`), the catalogue's models (`models`), the
 * typed errors, and what a view layer builds on (`createJobWatch`). Runtime-neutral: only web globals. Node-only
 * helpers are in `@decart/core/node`, your server's token route in `@decart/core/server`.
 *
 * @module @decart/core
 */
import type { ImageModelName, ModelName, VideoModelName } from "@decart/api";
import type { DecartError } from "./errors.js";
import type { JobSubmitResult } from "./types.js";

export type {
  CreateTokenRequest,
  CreateTokenResponse,
  FileReference,
  ImageModelName,
  ModelName,
  ValidationIssue,
  VideoModelName,
} from "@decart/api";

// `@decartai/sdk`'s names, declared (not renamed in an export list) so that their notes show on hover.
/** `@decartai/sdk`'s name of `ImageModelName`: models served by the Process API (images). */
export type ImageModels = ImageModelName;
/** `@decartai/sdk`'s name of `JobSubmitResult`: a submit's answer, `{ job_id, status }`. */
export type JobSubmitResponse = JobSubmitResult;
/** `@decartai/sdk`'s name of `ModelName`: every model name the API serves. */
export type Model = ModelName;
/** `@decartai/sdk`'s name of `VideoModelName`: models served by the Queue API (videos). */
export type VideoModels = VideoModelName;
/**
 * `@decartai/sdk`'s name of the type of what it throws: here a `DecartError` (its own fields stand for `data`), its
 * fields as a record (`Record<string, unknown>` takes it, as it takes the official one). A type only: test with
 * `instanceof DecartError`.
 */
export type DecartSDKError = Pick<DecartError, keyof DecartError>;
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
  idOf,
  isUsableId,
  type JobEvent,
  type JobWatch,
  type JobWatchInit,
  type JobWatchNext,
  type JobWatchStep,
  MAX_ID_LENGTH,
  readJob,
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
  shownValue,
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
export {
  canWatchAgain,
  ONCE,
  POLICY,
  type RateLimitGate,
  type RateLimitPause,
  type RetryContext,
  type RetryPolicy,
  releaseWait,
  retryDelay,
  retryPolicyOf,
  retryWait,
} from "./retry.js";
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
  SubmitCallOptions,
  SubmitOptions,
  SubmitWaitDownloading,
  SubmitWaitOptions,
  UploadBody,
  UploadFunction,
  UploadPartValue,
  UploadProgress,
  WaitOptions,
} from "./types.js";
export {
  checkWatchOptions,
  invalid,
  isByteIterable,
  isMp4Start,
  readOnce,
  type Schema,
  sentLength,
} from "./validate.js";
export { VERSION } from "./version.js";
