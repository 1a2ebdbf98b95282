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

/** The exit code for anything thrown: the CLI's own errors carry one; the client's are mapped by kind. */
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
  if (JobTimeoutError.isInstance(error) || TimeoutError.isInstance(error)) return EXIT.timeout;
  if (JobFailedError.isInstance(error)) return EXIT.jobFailed;
  return EXIT.error;
}

/**
 * A client error's message in the CLI's terms. A request whose outcome is unknown (`SUBMIT_OUTCOME_UNKNOWN`: a 500, a
 * connection lost after the request went) names the client's `retrySubmit`, which a CLI user cannot set: it says
 * instead what may have happened and what running the command again does.
 */
export function messageOf(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown } | undefined;
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (e?.code !== "SUBMIT_OUTCOME_UNKNOWN") return message;
  return (
    `${message.replace(/;[^;]*retrySubmit[^;]*$/, "")}; the server may have taken the request: a job or an image ` +
    "may have been made (and billed) although its answer never came, and the CLI did not send it again. Running the " +
    "command again asks for (and bills) another one; a job made this way is not in the journal (decart jobs list " +
    "cannot show it): the request id above lets support find it"
  );
}
