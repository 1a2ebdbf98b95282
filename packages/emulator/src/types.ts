/** Public types of `@decart/emulator`. The README's "Programmatic API" section is the contract for these. */

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
  /** Accepted API keys; default [DEFAULT_API_KEY]. */
  keys?: string[];
  /** Job timing; default "realistic". */
  timing?: "realistic" | "fast" | TimingOptions;
  /** Server-side job timeout; default 600_000 (10 minutes, as the real API). */
  jobTimeoutMs?: number;
  /** How long results stay downloadable; default 86_400_000. */
  retentionMs?: number;
  /** Largest accepted upload (per file part); default 200 * 1024 * 1024. */
  maxUploadBytes?: number;
  /** Faults injected at random by rate. */
  faults?: FaultRule[];
  /**
   * Send the spec's optional `x-poll-after-ms` hint on status reads of unfinished jobs: the time until the job's next
   * change. Off by default, since the real API is not known to send it (and benchmarks compare clients without it).
   */
  pollHints?: boolean;
  /** Pad every video result (a trailing MP4 `free` box) to this size, for memory tests. */
  resultBytes?: number;
  /** Randomness for timing spread and fault sampling (default Math.random). */
  random?: () => number;
  /** Receives one line per request (and a few lifecycle lines). */
  logger?: (line: string) => void;
}

export interface TimingOptions {
  /** Multiplies every duration; default 1. */
  timeScale?: number;
  /** 0..1: each duration drawn uniformly in [d·(1−spread), d·(1+spread)]; default 0. */
  spread?: number;
  /** Default: 20 % of the model's typical job time. */
  pendingMs?: number | ((model: string) => number);
  /** Default: 80 % of the model's typical job time. */
  processingMs?: number | ((model: string) => number);
}

export interface Emulator {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** The first accepted key. */
  apiKey: string;
  /** The secret of the admin routes: send `Authorization: Bearer <adminToken>` to `/_emulator/*`. */
  adminToken: string;
  /** Stops listening, ends open sockets and timers. */
  close(): Promise<void>;
  /** A snapshot. */
  stats(): EmulatorStats;
  resetStats(): void;
  setFaults(rules: FaultRule[]): void;
}

/** Route names used by `stats().requests.byRoute` and by fault rules. */
export type RouteName = "submit" | "status" | "content" | "process" | "legacy" | "tokens" | "files" | "admin" | "other";

export interface EmulatorStats {
  jobsCreated: number;
  requests: { total: number; byRoute: Record<string, number>; byJob: Record<string, number> };
  /** By fault kind. */
  faultsInjected: Record<string, number>;
  /** Response body bytes. */
  bytesServed: number;
  jobs: Record<string, JobRecord>;
}

export type JobStatus = "pending" | "processing" | "completed" | "failed";

export interface JobRecord {
  id: string;
  model: string;
  status: JobStatus;
  error?: string;
  /** ms since epoch (Date.now()). */
  submittedAt: number;
  startedAt?: number;
  completedAt?: number;
  /** First status read that saw the terminal status. */
  firstCompletedReadAt?: number;
  statusReads: number;
  contentReads: number;
  /** Hex SHA-256 of the full result body the emulator serves for this job. */
  resultSha256?: string;
  resultBytes?: number;
}

export type FaultKind = "429" | "500" | "503" | "504" | "reset" | "slow" | "stall" | "truncate" | "stuck";

export interface FaultRule {
  /** Default "*". */
  route?: "submit" | "status" | "content" | "process" | "legacy" | "tokens" | "files" | "*";
  kind: FaultKind;
  /** Probability per matching request, 0..1; default 1. */
  rate?: number;
  /** For 429 / 503: the Retry-After header. */
  retryAfterSeconds?: number;
  /** For "slow": delay before the first byte; for "stall": how long a download stalls. */
  delayMs?: number;
}
