import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  InvalidInputError,
  JobFailedError,
  JobTimeoutError,
  ModelRetiredError,
  PayloadTooLargeError,
  PermissionDeniedError,
  TimeoutError,
  ValidationError,
} from "@decart/core";
import { CliError, EXIT, type ExitCode } from "./exit.js";

/**
 * The exit code for anything thrown: the CLI's own errors carry one; the client's are mapped by kind. A wait that ran
 * out while its last request was failing (a `JobTimeoutError` with a `cause`: the server down, or answering 5xx or 429
 * to every status read or download) is the network's or the server's failure (1), not a slow job's timeout (5).
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (AbortError.isInstance(error)) return EXIT.interrupted;
  if (
    InvalidInputError.isInstance(error) ||
    ValidationError.isInstance(error) ||
    BadRequestError.isInstance(error) ||
    PayloadTooLargeError.isInstance(error) ||
    ModelRetiredError.isInstance(error)
  )
    return EXIT.usage;
  if (AuthenticationError.isInstance(error) || PermissionDeniedError.isInstance(error)) return EXIT.auth;
  if (JobTimeoutError.isInstance(error)) return (error as Error).cause ? EXIT.error : EXIT.timeout;
  if (TimeoutError.isInstance(error)) return EXIT.timeout;
  if (JobFailedError.isInstance(error)) return EXIT.jobFailed;
  return EXIT.error;
}

/**
 * A client error's message in the CLI's terms. A key the server refuses (401) names the two places a key comes from.
 * A request whose outcome is unknown (code `SUBMIT_OUTCOME_UNKNOWN`: a 500,
 * a connection lost after the request went) ends, as the client writes it, with one clause of its own after the last
 * `;` (that it did not send the request again: its `retrySubmit`, which a CLI user cannot set). That clause is replaced
 * by what may have happened and what running the command again does; the request id (the error's `requestId`, which
 * the client's text names when there is one) is what support can find it by.
 */
export function messageOf(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; requestId?: unknown } | undefined;
  const message = typeof e?.message === "string" ? e.message : String(error);
  // A key the server refuses: the message names where the CLI took it from, the fix a user needs.
  if (AuthenticationError.isInstance(error)) return `${message}; check the key given by --api-key or DECART_API_KEY`;
  if (e?.code !== "SUBMIT_OUTCOME_UNKNOWN") return message;
  const end = message.lastIndexOf(";");
  const support =
    typeof e.requestId === "string" && e.requestId
      ? "the request id above lets support find it"
      : "no answer came, so there is no request id to give support";
  return (
    `${end < 0 ? message : message.slice(0, end)}; the server may have taken the request: a job or an image may ` +
    "have been made (and billed) although its answer never came, and the CLI did not send it again. Running the " +
    "command again asks for (and bills) another one; a job made this way is not in the journal (decart jobs list " +
    `cannot show it): ${support}`
  );
}
