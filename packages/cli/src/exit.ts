/** The process's exit codes: each failure kind has its own, so a script can tell them apart. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  jobFailed: 3,
  auth: 4,
  timeout: 5,
  batchPartial: 6,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit codes as `--help` and the README show them. */
export const EXIT_CODES_HELP = `Exit codes:
  0    ok
  1    error (network, server, a journal that could not record a job, the same batch running already with the same
       journal, anything not listed below)
  2    usage or invalid input (nothing was sent)
  3    the job failed (the server's reason is printed)
  4    authentication (no key, a key a header cannot carry, or a key the server refuses)
  5    timeout (the job or a request outlasted its limit; the job may still finish)
  6    batch partly failed (see the errors file)
  130  interrupted (Ctrl-C or SIGTERM: a request in flight is let finish so nothing paid for is lost, watching
       stopped, the job was not cancelled; Ctrl-C again exits at once)`;

/** An error of the CLI itself, with the exit code it ends the process with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly jobId?: string,
    /** The message already says how to pick the job up again (no generic hint is added). */
    readonly hinted = false,
    /** The client's error code, when this tells a client error in the CLI's words (`SERVER`, `CONNECTION_ERROR` …). */
    readonly code?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
