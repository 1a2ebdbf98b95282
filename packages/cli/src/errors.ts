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
