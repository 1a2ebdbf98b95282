import type { Code } from "./codes.js";

/** The process's exit codes: each failure kind has its own, so a script can tell them apart. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  jobFailed: 3,
  auth: 4,
  timeout: 5,
  batchPartial: 6,
  /** Interrupted by SIGHUP (the terminal closed, an ssh connection dropped): as `interrupted`, with SIGHUP's code. */
  hangup: 129,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit codes as `--help` and the README show them. */
export const EXIT_CODES_HELP = `Exit codes:
  0    ok
  1    error (network, server (also when a wait ran out while every status read failed), a journal that could not
       record a job, the same batch running already with the same journal, anything not listed below)
  2    usage or invalid input, nothing made: refused before anything was sent, or by the server (HTTP 400, 413 or
       422: the same request would be refused again)
  3    the job failed (the server's reason is printed)
  4    authentication (no key, a key a header cannot carry, or a key the server refuses)
  5    timeout (the job or a request outlasted its limit; the job may still finish)
  6    batch partly failed (see the errors file)
  129  hung up: as 130, for SIGHUP (the terminal closed, an ssh connection dropped)
  130  interrupted (Ctrl-C or SIGTERM: a request sent whole is let finish, 5 s at most, so nothing paid for is lost;
       watching stopped, the job was not cancelled; Ctrl-C again exits at once)`;

/** The first signal that interrupted the command (see `interruptible` in follow.ts), for its exit code. */
let interrupt: NodeJS.Signals | undefined;

/** Notes the signal that interrupts the command (the first one counts). */
export const interruptedBy = (signal: NodeJS.Signals): void => {
  interrupt ??= signal;
};

/** The exit code of a command interrupted by `signal`: 129 (SIGHUP's, 128 + 1) for SIGHUP, else 130. */
export const signalExit = (signal: NodeJS.Signals | undefined): ExitCode =>
  signal === "SIGHUP" ? EXIT.hangup : EXIT.interrupted;

/** The exit code of the command the first signal interrupted (see `interruptedBy`): 130, or 129 for SIGHUP. */
export const interruptedCode = (): ExitCode => signalExit(interrupt);

/** A command's exit code, `interrupted` (130) made SIGHUP's own (129) when SIGHUP was what interrupted it. */
export const interruptedExit = (code: number): number => (code === EXIT.interrupted ? signalExit(interrupt) : code);

/** An error of the CLI itself, with the exit code it ends the process with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly jobId?: string,
    /** The message already says how to pick the job up again (no generic hint is added). */
    readonly hinted = false,
    /**
     * The client's error code, when this tells a client error in the CLI's words (`SERVER`, `CONNECTION_ERROR` …), or
     * one of the CLI's own (`CLI_CODES`).
     */
    readonly code?: Code,
    /** The request id (`x-request-id`) of the answer of the client error this tells, if it had one. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** The command that picks up the job of an error (see `hintResume`). */
const resumes = new WeakMap<object, string>();

/**
 * Notes the command that picks up the job an error is about (with its `-o` and `--timeout`: see `resumeCommand` in
 * follow.ts), for the hint printed after it ("may still finish"); the first one noted counts.
 */
export function hintResume(error: unknown, command: string): void {
  if (error !== null && typeof error === "object" && !resumes.has(error)) resumes.set(error, command);
}

/** The command noted for an error's job (see `hintResume`), if one was. */
export const resumeOf = (error: unknown): string | undefined =>
  error !== null && typeof error === "object" ? resumes.get(error) : undefined;

/** The longest the client waits for one request in all, its retries and `Retry-After` included: its `timeoutMs`. */
export const CALL_BUDGET_MS = 60_000;

let callBudget = CALL_BUDGET_MS;

/** Notes what the client of this command waits for one request in all (see `clientFor`), for the messages. */
export const useCallBudget = (ms: number): void => {
  callBudget = ms;
};

/**
 * What the client of this command waits for one request in all: 60 s, or the `--timeout` of `image`, `jobs submit` or
 * `jobs status` (see `clientFor`).
 */
export const callBudgetMs = (): number => callBudget;

export const usageError = (message: string) => new CliError(message, EXIT.usage);

/**
 * The value of a setting given by a flag or, else, an environment variable (`names`: the flag's and the variable's);
 * undefined when neither is set. One set but empty or only white space (`--base-url ''`, `DECART_BASE_URL=` left in a
 * script or an env file) is refused, naming which (exit `code`, usage by default; nothing sent), not taken as unset:
 * the default in its place is another server (the production API, which the key would be sent to) or another journal
 * than the one meant. `instead` says what to do, given whether the flag was the one set.
 */
export function givenSetting(
  flag: string | undefined,
  variable: string | undefined,
  names: readonly [flag: string, variable: string],
  instead: (flag: boolean) => string,
  code: ExitCode = EXIT.usage,
): string | undefined {
  const value = flag ?? variable;
  if (value === undefined || value.trim()) return value;
  const byFlag = flag !== undefined;
  throw new CliError(
    `${names[byFlag ? 0 : 1]} is ${value ? "set to white space only" : byFlag ? "empty" : "set but empty"}; ` +
      `${instead(byFlag)} (nothing was sent)`,
    code,
  );
}
