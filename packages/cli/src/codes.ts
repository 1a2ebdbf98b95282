import type { ErrorCode } from "@decart/core";

/**
 * The codes of the CLI's own errors: the `code` of an `error` event (and of the `CliError` that makes it) that no
 * client error carries. One list: the README's "Error codes" table names each (a test reads them there).
 */
export const CLI_CODES = [
  /** A result whose first bytes are no MP4 video (see `checkingVideo`). */
  "NOT_A_VIDEO",
  /** An image answer whose bytes are no PNG, JPEG or WebP image (see `imageExtension`). */
  "NOT_AN_IMAGE",
  /** Another run of the same batch under way with the same journal (see `runBatch`). */
  "BATCH_IN_PROGRESS",
] as const;

export type CliCode = (typeof CLI_CODES)[number];

/**
 * Every code of the client (`ErrorCode` of `@decart/core`), which the CLI's events carry as the client gives them (and
 * as its `CliError`s carry them where it words a client error itself). Checked against `ErrorCode` (see `Unlisted`), so
 * that a code the client adds is a type error here until it is listed, and named in the README's table.
 */
export const CLIENT_CODES = [
  "DECART",
  "INVALID_INPUT",
  "BAD_REQUEST",
  "AUTHENTICATION",
  "PERMISSION_DENIED",
  "NOT_FOUND",
  "CONFLICT",
  "JOB_NOT_COMPLETED",
  "GONE",
  "MODEL_RETIRED",
  "PAYLOAD_TOO_LARGE",
  "VALIDATION",
  "RATE_LIMIT",
  "SERVER",
  "TIMEOUT",
  "INVALID_RESPONSE",
  "JOB_TIMEOUT",
  "ABORT",
  "JOB_FAILED",
  "SUBMIT_OUTCOME_UNKNOWN",
  "CONNECTION_REFUSED",
  "CONNECTION_ERROR",
  "TRUNCATED",
  "HTTP_ERROR",
  "UPLOAD_NOT_REPEATABLE",
  "CALLBACK_ERROR",
  "TOKEN_ERROR",
  "FILE_WRITE_FAILED",
  "AUTHORIZE_FAILED",
] as const satisfies readonly ErrorCode[];

/** The client's codes missing from `CLIENT_CODES`: none, or the line below fails to compile. */
type Unlisted = Exclude<ErrorCode, (typeof CLIENT_CODES)[number]>;
const everyClientCode: [Unlisted] extends [never] ? true : Unlisted = true;
void everyClientCode;

/**
 * A `code` the CLI prints in an `error` or `interrupted` event: the client's or its own. (A write the system refused
 * carries the system's code instead, `ENOSPC` …: see the README.)
 */
export type Code = ErrorCode | CliCode;

/** The `code` an error carries (a client error's, or one of the CLI's own), as the CLI passes it on; undefined for none. */
export const codeOf = (error: unknown): Code | undefined => {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? (code as Code) : undefined;
};
