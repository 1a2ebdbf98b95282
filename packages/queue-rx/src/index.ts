export {
  type BatchEvent,
  type BatchInput,
  type BatchKeyOf,
  type BatchSummary,
  type SubmitAllOptions,
  submitAll,
} from "./batch.js";
export { jobFailed, retryWatch, statusChanges, throwOnFailure, toOutcome } from "./operators.js";
export { createPacer, type Pacer, throughPacer } from "./pacing.js";
export {
  fromAbortable,
  type ResultSource,
  type StatusSource,
  type SubmitSource,
} from "./sources.js";
export type {
  JobEvent,
  JobEventOf,
  JobOptions,
  OutcomeOf,
  StatusRead,
  SubmitInput,
  SubmitJobOptions,
  WatchJobOptions,
} from "./types.js";
export { type DriveWith, drive, submitJob, watchJob } from "./watch.js";
