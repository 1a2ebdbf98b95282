/**
 * The most bytes the client takes of an image model's answer (`process`), which it holds whole in memory: no image is
 * that large. One that goes on past it is cut there (its connection let go), and the call fails with an
 * `InvalidResponseError` (`SUBMIT_OUTCOME_UNKNOWN`: the server may have made, and billed, the image), rather than
 * filling the memory until the process ends. (A job's result, a video, is not bounded: stream it with
 * `queue.download`.)
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * The retry settings of a client made without them, in one place: `maxRetries` (retries after the first attempt) and a
 * plain call's budget, `timeoutMs`. `createDecartClient`'s defaults, and the policy of a client made otherwise
 * (`retryPolicyOf`, `saveResult`). (Here, in a module that imports nothing: the minifier writes them in where they are
 * used, as it does no constant of a module that imports values, such as `retry.ts`.)
 */
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 60_000;
