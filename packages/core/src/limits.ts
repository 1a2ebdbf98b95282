/**
 * The most bytes the client takes of an image model's answer (`process`), which it holds whole in memory: no image is
 * that large. One that goes on past it is cut there (its connection let go), and the call fails with an
 * `InvalidResponseError` (`SUBMIT_OUTCOME_UNKNOWN`: the server may have made, and billed, the image), rather than
 * filling the memory until the process ends. (A job's result, a video, is not bounded: stream it with
 * `queue.download`.)
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
