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
 * A `code` the CLI prints in an `error` or `interrupted` event: the client's (`ErrorCode`, whose list is `errorCodes`
 * of `@decart/core`, passed on as the client gives them: a code the client adds needs nothing here) or its own. (A
 * write the system refused carries the system's code instead, `ENOSPC` …: see the README.)
 */
export type Code = ErrorCode | CliCode;

/**
 * The `code` an error carries (a client error's, or one of the CLI's own), as the CLI passes it on; undefined for none.
 */
export const codeOf = (error: unknown): Code | undefined => {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? (code as Code) : undefined;
};

/**
 * The request id (`x-request-id`) an error carries (a client error's, or a `CliError` telling one); undefined for none.
 */
export const requestIdOf = (error: unknown): string | undefined => {
  const id = (error as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === "string" && id ? id : undefined;
};
