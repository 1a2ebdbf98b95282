/** Public types of `@decart/emulator`. The README's "Programmatic API" section is the contract for these. */
import type { JobStatus } from "@decart/api";
import type { FaultKind } from "./faults.js";
import type { FaultRoute, RouteName } from "./routes.js";

export type { FaultKind, JobStatus, RouteName };

/**
 * The options of `startEmulator`, each optional. A value out of bounds makes `startEmulator` throw, naming the option.
 */
export interface EmulatorOptions {
  /**
   * Interface to listen on; default "127.0.0.1". Any other than loopback needs `keys` of your own (the default key is
   * public and refused there).
   */
  host?: string;
  /**
   * Extra names a request's `Host` header may give (e.g. "my-laptop.local"). Loopback names, the bound interface and,
   * when bound to 0.0.0.0 or ::, this machine's addresses and name are always accepted; any other Host answers 421.
   */
  allowedHosts?: string[];
  /** The secret the admin routes (`/_emulator/*`) require as `Authorization: Bearer …`; default: a random one. */
  adminToken?: string;
  /** Port; default 0 (a free port). */
  port?: number;
  /**
   * Accepted API keys; default [DEFAULT_API_KEY]. Each as an `X-API-KEY` header carries it: visible ASCII, spaces
   * inside only (any other makes startEmulator throw, naming its place in the list).
   */
  keys?: string[];
  /** Job timing; default "realistic". */
  timing?: "realistic" | "fast" | TimingOptions;
  /** Server-side job timeout; default 600_000 (10 minutes, as the real API). */
  jobTimeoutMs?: number;
  /** How long results stay downloadable; default 86_400_000. */
  retentionMs?: number;
  /**
   * Most jobs kept in memory; default 10_000. Beyond it the oldest finished job is forgotten (its status then answers
   * 404, its content 410); when none has finished, a submit answers 429.
   */
  maxJobs?: number;
  /**
   * Most live client tokens; default 10_000. Their `allowedOrigins` hold at most `maxClientTokenOriginChars`
   * characters in all. A token request beyond either bound answers 429 with Retry-After (until the first live token
   * expires).
   */
  maxClientTokens?: number;
  /**
   * Characters the `allowedOrigins` of live client tokens hold in all; default 16_777_216 (16 Mi). A token request
   * whose own origins are more answers 413: it could never fit.
   */
  maxClientTokenOriginChars?: number;
  /** Largest accepted upload (per file part); default the spec's, `maxFileBytes` of @decart/api (200 * 1024 * 1024). */
  maxUploadBytes?: number;
  /**
   * Longest time a client may take to send a request's head, from its first byte (or from connecting); default
   * 10_000. A slower client gets 408 and its connection is closed.
   */
  headersTimeoutMs?: number;
  /**
   * How long a request body may take before it has to keep up `minUploadBytesPerSecond`: a body of n bytes has
   * `requestTimeoutMs + n / minUploadBytesPerSecond` seconds, and must arrive at that pace as it goes (a client that
   * sends nothing is cut after `requestTimeoutMs`). Default 30_000. A slower client gets 408 and is disconnected.
   */
  requestTimeoutMs?: number;
  /** The slowest upload pace accepted once `requestTimeoutMs` has passed, in bytes per second; default 32_768. */
  minUploadBytesPerSecond?: number;
  /**
   * A download (any answer) whose client takes nothing of it for this long is cut: a client that stopped reading does
   * not hold the connection and the answer forever. Default 60_000. The pauses of `stall` and `trickle` faults do not
   * count.
   */
  writeTimeoutMs?: number;
  /** Faults injected at random by rate. */
  faults?: FaultRule[];
  /**
   * Send the spec's optional `x-poll-after-ms` hint on status reads of unfinished jobs: the time until the job's next
   * change (for a processing `[hold]` job, which a release may end at any moment: the time a job of its model would
   * still take), a whole number of ms as the spec has it (rounded up: a client that waits it is never early). Off by
   * default, since the real API is not known to send it (and benchmarks compare clients without it).
   */
  pollHints?: boolean;
  /** Pad every video result (a trailing MP4 `free` box) to this size, for memory tests. */
  resultBytes?: number;
  /**
   * Randomness for timing spread and fault sampling (default Math.random): a number from 0 up to (not including) 1.
   * Drawn as requests arrive: a seeded one (`seededRandom`) gives the same faults to requests sent one after another,
   * while concurrent requests arrive in an order that varies, and so does which of them a fault hits.
   * A first draw out of bounds makes startEmulator throw (naming the option), a later one answers its request 500.
   */
  random?: () => number;
  /**
   * The emulator's clock, in ms since the epoch (default `() => Date.now()`, read at each call: it follows a test's fake
   * timers when they replace `Date`, as `vi.useFakeTimers()` does by default, whether the emulator started before or
   * after them; fake timers whose `toFake` leaves out `"Date"` leave it on real time, while `@decart/core`'s default
   * clock follows `"performance"`: fake both, or give the emulator and the client one clock of yours): job phases and
   * the server timeout, token, file and result expiry, and the job records read it, in whole ms as Date.now gives them
   * (a fraction is dropped). A test that moves a clock of its own sees a job go pending → processing → completed, or
   * a token expire, without waiting. The HTTP `Date` header, a synchronous route's wait, the request time limits and
   * the pauses of faults keep real time. It must return a number from 0 to 8.64e15 (the latest time a Date holds): a
   * first result out of bounds makes startEmulator throw (naming the option), a later one answers its request 500.
   */
  now?: () => number;
  /** Receives one line per request (and a few lifecycle lines). */
  logger?: (line: string) => void;
}

/**
 * Job timing. Values out of bounds are refused by `startEmulator` (a RangeError naming the option); a duration function
 * that returns one makes its request answer 500 and create no job.
 */
export interface TimingOptions {
  /** Multiplies every duration (a finite number from 0); default 1. */
  timeScale?: number;
  /** 0..1: each duration drawn uniformly in [d·(1−spread), d·(1+spread)]; default 0. Durations are whole ms (rounded). */
  spread?: number;
  /** 0 to 2^31−1 ms, or a function of the model returning that. Default: 20 % of the model's typical job time. */
  pendingMs?: number | ((model: string) => number);
  /** 0 to 2^31−1 ms, or a function of the model returning that. Default: 80 % of the model's typical job time. */
  processingMs?: number | ((model: string) => number);
}

/** A running emulator, as `startEmulator` resolves it: where it listens, its keys, its counters and its controls. */
export interface Emulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** The first accepted key. */
  apiKey: string;
  /** The secret of the admin routes: send `Authorization: Bearer <adminToken>` to `/_emulator/*`. */
  adminToken: string;
  /**
   * Stops listening, ends open sockets and timers; resolves once the request log has a line for every request (those
   * cut by the close too), so that a process may exit then.
   */
  close(): Promise<void>;
  /**
   * The counters; with `page`, also that page of the job list (oldest first). Needs no admin token. A page value out
   * of bounds throws (see JobPage).
   */
  stats(page?: JobPage): EmulatorStats;
  /** One job's record (of any stats period), or undefined when the job is unknown or forgotten. */
  job(id: string): JobRecord | undefined;
  /**
   * Ends a job whose prompt has `[hold]` now, as it would have ended (`completed`, or `failed` with `[fail]`); such a
   * job stays in `processing` until then (or until the server timeout fails it). False when the job is unknown, not
   * held, or already ended.
   */
  release(jobId: string): boolean;
  /**
   * Starts a new stats period: every counter back to zero (the jobs' read counters too) and a new job list. Jobs
   * created before keep working, and `job(id)` still reads them, but `stats({ … })` no longer lists them.
   */
  resetStats(): void;
  /**
   * Replaces the fault rules injected at random (an empty list: none). A rule it refuses throws a TypeError naming
   * its index, and the rules in place are kept.
   */
  setFaults(rules: FaultRule[]): void;
}

/**
 * Which jobs `stats()` lists: `limit` (default 100, at most 1000: a larger one is 1000) jobs from `offset` (default 0),
 * oldest first. Each a whole number from 0, and no other field: `stats()` throws a TypeError (not a number,
 * an unknown field) or a RangeError (NaN, a fraction, a negative number) naming the field, the check by which
 * `GET /_emulator/stats` answers 422.
 */
export interface JobPage {
  /** Jobs to skip, oldest first; default 0. */
  offset?: number;
  /** Most jobs listed; default 100, at most 1000 (a larger one is 1000). */
  limit?: number;
}

/**
 * What `stats()` (and `GET /_emulator/stats`) answers: counters since the last `resetStats()`, and the job list when a
 * page was asked for.
 */
export interface EmulatorStats {
  /** Jobs created since the last reset. */
  jobsCreated: number;
  /** Jobs in memory now (at most `maxJobs`), whichever stats period they belong to. */
  jobsKept: number;
  /** Jobs forgotten since the last reset to stay within `maxJobs`. */
  jobsEvicted: number;
  /** Requests received, in all and by route (a key for every name of `ROUTE_NAMES`). */
  requests: { total: number; byRoute: Record<string, number> };
  /** By fault kind. */
  faultsInjected: Record<string, number>;
  /** Response body bytes. */
  bytesServed: number;
  /** Only when a page was asked for: jobs created since the last reset, oldest first. */
  jobs?: { total: number; offset: number; limit: number; records: JobRecord[] };
}

/** One job as the emulator holds it: `job(id)`, and each record of a `stats()` page. */
export interface JobRecord {
  /** The job's id, as the submit answered it (`job_…`). */
  id: string;
  /** The model it was submitted to. */
  model: string;
  /** Its status at the time of the read. */
  status: JobStatus;
  /** Why it failed: only on a `failed` job. */
  error?: string;
  /** ms since epoch (Date.now()), whole ms as are `startedAt` and `completedAt`. */
  submittedAt: number;
  /**
   * When it went from `pending` to `processing`; absent before then, and on a job the server timeout ended while
   * pending.
   */
  startedAt?: number;
  /** When it reached its terminal status, `completed` or `failed`; absent before then. */
  completedAt?: number;
  /** First status read that saw the terminal status. */
  firstCompletedReadAt?: number;
  /**
   * Status reads answered, faulted ones too but those a fault answered in place of (`429`, `500`, `503`, `504`,
   * `reset`); a `HEAD` is no read.
   */
  statusReads: number;
  /** Content reads answered, counted as `statusReads` are (a `HEAD` downloads nothing: no read). */
  contentReads: number;
  /** Status and content requests that named this job, faulted ones included. */
  requests: number;
  /** Hex SHA-256 of the full result body the emulator serves for this job. */
  resultSha256?: string;
  /** Size in bytes of that result body; like `resultSha256`, present once the result has been rendered. */
  resultBytes?: number;
}

/**
 * A fault to inject at random: on a route (or every one), of a kind, at a rate. The README's "Faults" section says
 * what each kind does.
 */
export interface FaultRule {
  /** The route it applies to; default "*" (every route). */
  route?: FaultRoute | "*";
  /** What happens to a request it hits. */
  kind: FaultKind;
  /** Probability per matching request, 0..1; default 1. */
  rate?: number;
  /** For the error kinds (429, 500, 503, 504): the Retry-After header sent with the error; the other kinds ignore it. */
  retryAfterSeconds?: number;
  /**
   * For "slow": delay before the first byte; for "stall": how long a download stalls; for "trickle": the pause after
   * each write (0 to 1000; default 10).
   */
  delayMs?: number;
  /** For "trickle" only: the bytes of each write (1 to 1 MiB; default 1024). */
  chunkBytes?: number;
}
