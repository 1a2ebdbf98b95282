import {
  type AbortError,
  aborted,
  asDecartError,
  callbackThrew,
  type DecartError,
  followedBy,
  InvalidResponseError,
  invalid,
  msOf,
  notSent,
  pause,
  RateLimitError,
  timedOut,
  UNSENT,
  unsent,
} from "./errors.js";
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS } from "./limits.js";
import type { DelayFunction } from "./types.js";

/** What a client's rate-limit gate reports when a 429 closes it: every new request of the client waits until `until`. */
export interface RateLimitPause {
  /** How long new requests wait, from now (the server's `Retry-After`, else backoff). */
  waitMs: number;
  /** When the gate opens again, on the client's clock (`poll.now`; by default monotonic, anchored at the wall time). */
  until: number;
  /** The `x-request-id` of the answer that closed it. */
  requestId: string | undefined;
}

/** A client's rate-limit gate (`client.rateLimit`): what a batch runner reads to show pacing. */
export interface RateLimitGate {
  /**
   * When the gate opens, on the client's clock, while it is closed; `undefined` while it is open. A clock that reads
   * earlier than before (stepped back, swapped for fake timers at another date) moves it back too: what is left holds.
   */
  pausedUntil(): number | undefined;
  /**
   * Calls `listener` each time a 429 closes (or extends) the gate. Returns the function that unsubscribes this
   * subscription (the same function subscribed twice is two subscriptions). What the listener throws, or a promise it
   * returns that rejects, changes no call's outcome: it goes to the logger's `warn`. A listener that is no function
   * throws `InvalidInputError` (`field: "listener"`).
   */
  subscribe(listener: (pause: RateLimitPause) => void): () => void;
}

/** The settings of the client's one retry policy, shared by every call. */
export interface RetryPolicy {
  /** Retries after the first attempt, when the call gives none. */
  maxRetries: number;
  delay: DelayFunction;
  /** The client's `poll.delay`, when given: what waits a helper outside the client does instead of its scheduler. */
  wait?: DelayFunction | undefined;
  /** The clock of deadlines, the gate and timers (the client's `poll.now`, default `monotonic`). */
  now: () => number;
  /** The wall clock a server's date is compared with (`poll.now` when given, else `Date.now`). */
  wall: () => number;
  /** Randomness of the backoff's jitter and of the gate's spread (`Math.random` by default; seed it in tests). */
  random: () => number;
  /** The client's, each method made never to throw. */
  logger: Record<"debug" | "warn", (message: string) => void>;
  gate: ReturnType<typeof createGate>;
  /** A plain call's budget (the client's `timeoutMs`): what it may wait in all, for retries and at the gate. */
  timeoutMs: number;
  /** Also retry a POST whose outcome is unknown (the client's `retrySubmit`). */
  retrySubmit?: boolean | undefined;
  /** The client's `apiKey` is a client token (`ek_…`): a fixed key, which a 401's message says is not renewed. */
  ek?: boolean | undefined;
}

/**
 * The client's default clock, in whole ms as `Date.now()`'s: `performance.now()` (browsers, Node, workers), anchored at
 * the wall time, so that a step of the wall clock (an NTP correction, a VM resumed) moves no deadline, gate or timer;
 * `Date.now` in a runtime without it. The runtime's `performance` is read at each call and anchored again when it is
 * another (a test's fake timers that replace it, and by default `Date`: the clock follows them, as it followed
 * `Date.now`; fake timers that leave `performance` real leave it on real time).
 */
let perf: Performance | undefined;
let at = 0;
export const monotonic = (): number => {
  const now = globalThis.performance;
  if (!now?.now) return Date.now();
  if (now !== perf) {
    perf = now;
    at = Date.now() - now.now();
  }
  // Whole ms, as `Date.now()`'s: waits worked out on it are whole ms too (a `poll.delay` of yours is asked for 600000,
  // not 599999.997).
  return Math.floor(at + now.now());
};

/**
 * Where a client's `queue` keeps its retry policy, for helpers outside the client (`saveResult`, queue-rx's batch): a
 * `Symbol.for`, so that two copies of this package read each other's clients.
 */
export const POLICY = Symbol.for("@decart/core.retryPolicy");

/**
 * A download option of helpers that retry the whole download themselves (`saveResult`): call options added to the
 * download's, one attempt (`maxRetries: 0`) over a `fetch` of their own. Also `queue.submit`'s one second argument, for
 * a batch that sends again itself (queue-rx's): `{ [ONCE]: { spare: 0 } }` is one attempt, with no wait at a shut
 * rate-limit gate (`spare` left out: the client's wait there). A plain object there is refused.
 */
export const ONCE = Symbol.for("@decart/core.once");

/** One call under the policy. */
export interface RetryCall {
  signal?: AbortSignal | undefined;
  jobId?: string | undefined;
  /** Retries after the first attempt (default: the policy's `maxRetries`). */
  maxRetries?: number | undefined;
  /** The end of the call's budget (by the client's clock): no retry starts if its wait would end past it. */
  deadline?: number | undefined;
  /**
   * When the deadline, not the error itself, ends the retries: the call waits until the deadline (a retry that would
   * start past it is not made), then throws a `JobTimeoutError` (a submit's inside a wait's budget), the failure its
   * cause. Its value is the budget's length in ms, which the timeout's message names.
   */
  expired?: number | undefined;
  /**
   * What the call may wait in all, in ms, at the rate-limit gate and before retries (default: a plain call's budget,
   * or the time to its deadline): `0` fails at a shut gate at once, not sent (a batch that paces its submits itself).
   */
  spare?: number | undefined;
  /** What is being done, for the debug log. */
  what: string;
  /**
   * After a 401 (not one that is `SUBMIT_OUTCOME_UNKNOWN`, nor the token route's, `TOKEN_ERROR`): drops the key, and the
   * call is tried once more at once with a new one (once per call).
   */
  renew?: (() => void) | undefined;
}

/**
 * The errors of answers from another origin than the API's (a redirect's target, a CDN): a 429 there is that server's,
 * and does not shut the client's rate-limit gate, which paces the API's own limit (the transport adds them).
 */
export const away = new WeakSet<object>();

/**
 * The transport's aborts of an attempt whose answer came and names its own request id, or said the server took it
 * without one (a 2xx or a 303): their id, or none, is that answer's. (A 5xx without one is not: the earlier id stands.)
 */
export const heard = new WeakSet<object>();

/**
 * The 401s and 403s of a client whose key can change (a `token` source): another watch of the job, once the source
 * gives a valid key again (the user signed in again), can get past them (`canWatchAgain`).
 */
export const renewable = new WeakSet<object>();

/**
 * The retry policy of `client` (its `queue`'s, see `POLICY`), for helpers outside the client (queue-rx's batch); for
 * one made otherwise than by `createDecartClient` (a stand-in of yours), the settings of a client made without them:
 * `maxRetries` 2, `Math.random`, a plain call's budget of 60 s (`DEFAULT_MAX_RETRIES`, `DEFAULT_TIMEOUT_MS`).
 */
export const retryPolicyOf = (client: {
  queue: object;
}): Partial<RetryPolicy> & Pick<RetryPolicy, "maxRetries" | "random" | "timeoutMs"> =>
  (client.queue as { [POLICY]?: RetryPolicy })[POLICY] ?? {
    maxRetries: DEFAULT_MAX_RETRIES,
    random: Math.random,
    timeoutMs: DEFAULT_TIMEOUT_MS,
  };

/**
 * An answer's `Retry-After` (of its `headers`) in ms, of its two forms in RFC 9110 §10.2.3: `delay-seconds` (digits
 * only) or an HTTP-date (a day name, then a time of day: `Sun, 06 Nov 1994 08:49:37 GMT`, or the obsolete forms; each
 * in GMT). Anything else (`0x10`, `1e3`, `-5`, `5.5`, an ISO date) is no `Retry-After`. An HTTP-date is a time on the
 * server's clock: the delay is from the answer's own `Date` header, when it has one that reads as a date, else from
 * `now`.
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  // (Surrounding whitespace is not part of a field's value: RFC 9110 §5.5.)
  const value = headers.get("retry-after")?.trim();
  const ms = /^\d+$/.test(value!)
    ? +value! * 1000
    : /^[A-Z][a-z]{2}.* \d\d:\d\d:\d\d/.test(value!)
      ? // An HTTP-date is GMT: asctime, the one form that does not say so (it ends with the year), is not local time.
        Date.parse(value!.replace(/\d$/, "$& GMT")) - (Date.parse(headers.get("date")!) || now)
      : NaN;
  return Number.isNaN(ms) ? undefined : Math.max(0, ms);
}

/** Exponential backoff with full jitter: a random delay in [0, min(8 s, 0.5 s·2^attempt)]. */
export const backoffDelay = (attempt: number, random: () => number): number =>
  random() * Math.min(8000, 500 * 2 ** attempt);

/**
 * The wait before retry `attempt + 1`: the server's `Retry-After` (at most 60 s: a longer one is cut to it), else
 * backoff; never less than a floor that grows from 50 ms to 1 s, so that `Retry-After: 0` cannot spin a call that
 * retries until its deadline. (The figures are written where they are used, here and in `retryDelay`, not as constants:
 * the minifier inlines no constant of a module that imports values, and each would cost its bytes in the bundle.)
 */
export const retryWait = (attempt: number, retryAfterMs: number | undefined, random: () => number): number =>
  Math.min(Math.max(retryAfterMs ?? backoffDelay(attempt, random), Math.min(1000, 50 * 2 ** attempt)), 60_000);

/**
 * How long a request held by a rate-limit pause of `span` ms, which ends in `left` ms (≤ 0: it ended that long ago),
 * waits more once it ends: a random part (`random`, in [0, 1)) of the pause's length after its end, so that the
 * requests it held are let go gradually, never before the server asked; 0 past that window (`random` not asked). The
 * client's gate lets its calls go by it, and queue-rx's batch its submits.
 */
export const releaseWait = (left: number, span: number, random: () => number): number => {
  // (From its end: one that waited for it is past it, also on a clock that did not move.)
  const t = Math.min(left, 0);
  return t + span > 0 ? t + random() * span : 0;
};

/** Where a retry decision is made: the call's retry count, the answers that broke the spec, the jitter's randomness. */
export interface RetryContext {
  /** Also retry a POST whose outcome is unknown (`SUBMIT_OUTCOME_UNKNOWN`): the client's `retrySubmit`. */
  retrySubmit?: boolean | undefined;
  /** Retries allowed after the first attempt (default: until the deadline). */
  maxRetries?: number;
  /** Answers that broke the spec in a row, this one included: more than 3 are not retried. */
  invalid: number;
  random?: (() => number) | undefined;
}

/**
 * The one retry decision. After a failure of attempt `attempt` (from 0), the ms to wait before trying again, or
 * `undefined` to give up and surface `error`. A failure is retried when it is `retryable` (the transport makes a
 * multipart POST's failure retryable only when the server certainly did not take it: 408, 429, 503, a refused
 * connection; a token request's as a read's), or, with `retrySubmit`, when the outcome of a POST is unknown; an answer that breaks the spec only a few times in a row. The
 * wait is `retryWait`; the caller says whether it ends within its deadline.
 */
export const retryDelay = (
  error: DecartError & { retryAfterMs?: number },
  attempt: number,
  { retrySubmit, maxRetries = Infinity, invalid, random = Math.random }: RetryContext,
): number | undefined =>
  attempt < maxRetries &&
  invalid <= 3 && // three answers that break the spec are retried (whatever the budget), the fourth surfaces
  (error.retryable || (retrySubmit && error.code === "SUBMIT_OUTCOME_UNKNOWN"))
    ? retryWait(attempt, error.retryAfterMs, random)
    : undefined;

/**
 * The one watch-again decision, for every layer that offers to watch a job again after its watch ended with `error`
 * (queue-rx's `retryWatch`, the React hooks' `retry()` and `canRetry`, your own `queue.wait(error.jobId)`): whether
 * another watch of the job can get past `error`. True for an error that carries the job's id and says the job goes on:
 * the watch's budget ran out (`JOB_TIMEOUT`); a transient failure the policy gave up on (`retryable`: a connection, a
 * timeout, 408, 429, 5xx, an answer that broke the spec three times in a row; by its code a result cut short, a
 * connection's failure (a download reset partway; one not retried too, a certificate not trusted, a proxy's refusal:
 * the job may still be fetched once it is fixed), a `TIMEOUT`, 429 or 5xx also where it ended `submitAndPoll`,
 * `submitAndWatch` or `generate`, not `retryable` there since the job was made); your code threw (`CALLBACK_ERROR`: a new
 * watch runs your callbacks afresh, and an `onUploadProgress` not at all); your token source failed (`TOKEN_ERROR`, the
 * third failure in a row too: the next request asks it again); an answer that broke the spec (`INVALID_RESPONSE`
 * without a `cause`: a submit answer with a usable `job_id` but no known status, whose job was made; a read's garbled
 * answer, no status or another job's, which another read may get past). False for an `INVALID_RESPONSE` with a
 * `cause`: an answer of the job that this version does not know (`unreadable`: a status the API added since, a result
 * in a video type the spec does not list; its `cause` the answer), which another read gets again (upgrading is the
 * remedy); an unexpected throw of the client's own code (a check that threw), wrapped as one (`asDecartError`), which
 * another watch would meet again; for one of a redirect the client refused (more than 5, to a URL that is no http(s)
 * one: its `status` the 3xx's), which another read would get again; for an error without a job id (nothing to watch:
 * a failed submit, `SUBMIT_OUTCOME_UNKNOWN`, options or an id refused), a job that ended (`JobFailedError`), an answer
 * another read would only get again (a 404, no such job; a 401 or 403 of a fixed key, which may not read it, where one
 * of a `token` source's client is true: once the source gives a valid key again, another watch gets past it; a 410), an
 * abort of yours (`ABORT`), and anything else.
 */
export const canWatchAgain = (error: unknown): boolean =>
  typeof (error as DecartError | undefined)?.jobId === "string" &&
  ((error as DecartError).retryable === true ||
    // By its code too: a transient failure that ended a call after its job was made (`submitAndWatch`'s cut download)
    // is not `retryable` (the call tried again would make another job), yet another watch of the job can get past it.
    /^(JOB_TIMEOUT|CALLBACK_ERROR|TOKEN_ERROR|TRUNCATED|TIMEOUT|SERVER|RATE_LIMIT|CONNECTION_\w+)$/.test(
      (error as DecartError).code,
    ) ||
    ((error as DecartError).code === "INVALID_RESPONSE" &&
      !("cause" in (error as DecartError)) &&
      // (Not a redirect refused: its status a 3xx, or a browser's hidden one's 0.)
      !/^[03]/.test((error as DecartError).status as never)) ||
    renewable.has(error as object));

/**
 * The client-wide rate-limit gate: a 429 of the API on any request (not one of another origin a redirect led to, a
 * CDN's) closes it for the server's `Retry-After` (else backoff), and every request of the client starts only once it
 * is open, so that many concurrent calls slow down together.
 */
export function createGate(now: () => number, warn?: (message: string) => void) {
  // The pause ends at `until` on the clock; `at` is the clock's latest reading. A clock that reads earlier than that (a
  // wall clock stepped back, `Date.now` where there is no `performance.now`; a clock swapped for another, a test's fake
  // timers at another date) moves the pause back with it: what was left of it is kept, never more than its cause (not
  // held for as long as the clock moved back), never less (not opened at once).
  let at = 0;
  let until = 0;
  // The end of the server's whole `Retry-After` (the gate holds 60 s of it at most): a call that meets the gate shut and
  // whose budget ends before it fails at once.
  let asked = 0;
  // Each closing, counted: what a caller waited for.
  let closing = 0;
  // The latest closing's length: the window after it in which its waiters are let go (`spread`).
  let span = 0;
  // The 429s in waves: one to a request sent before the latest wave began (its first 429 closed the gate) is of that
  // wave, the rest of its burst answered later; one to a request sent since begins the next. `grown`: the wave as it
  // was when the pause last moved later.
  let wave = 0;
  let grown = 0;
  // The calls held are numbered in the order they were first held (`hold`), from 1 again once none is held; those still
  // waiting, until each is sent, aborted or fails (`sent`), are live: at each opening the oldest go first (`spread`), so
  // that none is held again and again while later ones go, and one sent early or given up leaves no gap and no one
  // behind it. A call's rank among them is read from a Fenwick tree: `tree[i]` counts the live calls numbered
  // (i − i's lowest bit, i], so that a hold, a send and a rank cost O(log n), however many calls wait.
  let issued = 0;
  let tree: number[] = [];
  // The live calls numbered 1 … i.
  const liveTo = (i: number) => {
    let n = 0;
    for (; i; i -= i & -i) n += tree[i]!;
    return n;
  };
  const left = (t = now()) => {
    if (t < at) {
      until -= at - t;
      asked -= at - t;
    }
    at = t;
    return until - t;
  };
  const listeners = new Set<(pause: RateLimitPause) => void>();
  return {
    pausedUntil: () => (left() > 0 ? until : undefined),
    subscribe(listener: (pause: RateLimitPause) => void) {
      if (typeof listener !== "function") throw invalid("rateLimit.subscribe", "listener", "a function", listener);
      // Each subscription is its own (the same function subscribed twice is called twice, and each unsubscribe ends
      // one). A listener is diagnostics, as the logger is: what it throws, or a promise it returns that rejects, changes
      // no call's outcome and no other listener's turn; it goes to the logger's `warn`.
      const call = (pause: RateLimitPause) =>
        (async () => listener(pause))().catch((e) =>
          warn?.(callbackThrew(undefined, e, "a rateLimit listener threw").message),
        );
      listeners.add(call);
      return () => void listeners.delete(call);
    },
    /**
     * Closes the gate for `waitMs` from now (it only ever moves later), for a 429 to a request sent in wave `sent`
     * (`sent`'s) whose `Retry-After` asked `ask` ms; returns this closing (-1: a later one holds).
     */
    close(waitMs: number, requestId: string | undefined, sent: number, ask = 0): number {
      const t = now();
      const end = t + waitMs;
      left(t);
      // (The server's latest word: a 429 to a request sent since the last closing replaces the ask kept.)
      asked = Math.max(sent < wave ? asked : 0, t + ask);
      if (sent >= wave) wave = sent + 1;
      if (end <= until) return -1;
      until = end;
      span = waitMs;
      grown = wave;
      // (Those subscribed now: one that subscribes again as it is called is called at the next closing, not in a loop.)
      for (const listener of [...listeners]) listener({ waitMs, until, requestId });
      return ++closing;
    },
    /**
     * The closing a caller has to wait for, unless it already waited for that one: `[closing, ms left (≤ 0: none), the
     * wave that last moved it later, its length, ms left of the server's whole ask (while ms are left)]`.
     */
    pending: (waited: number): [number, number, number, number, number] => [
      closing,
      closing !== waited ? left() : 0,
      grown,
      span,
      asked - at,
    ],
    /** A held call's number, in the order calls were held (see `spread`); `sent` when it goes, is aborted or fails. */
    hold() {
      const i = ++issued;
      tree[i] = liveTo(i - 1) - liveTo(i - (i & -i)) + 1;
      return i;
    },
    /** Once per number `hold` gave (0, a call never held: nothing); returns the wave a request sent now is of. */
    sent(ticket: number) {
      if (ticket) {
        for (let i = ticket; i <= issued; i += i & -i) tree[i]!--;
        if (!liveTo(issued)) {
          issued = 0;
          tree = [];
        }
      }
      return wave;
    },
    /**
     * What call `ticket` (`hold`) waits more before it is sent, the gate open: the calls held are let go within the
     * closing's length after it ends, not all at the instant it opens (a 429 among them shuts it again for the rest,
     * which wait anew), and never before the server asked, in the order they were held: the window is cut in as many
     * parts as calls wait, the oldest's first, each let go at a random time within its part (its rank among the calls
     * still waiting: one sent early or given up frees its part). 0 past that window (no `random` asked).
     */
    spread: (random: () => number, ticket: number): number =>
      releaseWait(left(), span, () => (liveTo(ticket - 1) + random()) / liveTo(issued)),
  };
}

/**
 * Runs `attempt` under the client's one retry policy: each attempt waits at the rate-limit gate first; a failure is
 * tried again when `call.may` allows it, within `maxRetries` and the call's deadline, after `retryWait`; a 429 closes the
 * gate for everyone. An answer that breaks the spec (`InvalidResponseError`) is tried again at most a few times.
 */
export async function retry<T>(policy: RetryPolicy, call: RetryCall, attempt: (n: number) => Promise<T>): Promise<T> {
  // `renew` is used once at most.
  let { signal, jobId, deadline = Infinity, what, renew, maxRetries = policy.maxRetries } = call;
  // The tries the gate's pauses may take from it (below): `maxRetries` more at most, 2 × `maxRetries` + 1 in all.
  const most = 2 * maxRetries;
  let invalid = 0;
  let waited = 0;
  // The first failure after which a job may exist (a submit answered 500, sent again under `retrySubmit`): an abort in
  // any wait after it says so (`mayExist`, its request id), whatever failed since (a 503 that took nothing).
  let unknown: DecartError | undefined;
  // The error a call ends with: after such a failure, that one (a job may exist), what failed last added to its words;
  // an abort is the caller's own: an `AbortError` as ever, which says that a job may exist and names that failure's
  // request id (one aborted before its attempt was sent, or sent but not answered, or answered by one that took
  // nothing, a 503, or a 5xx without a request id), unless its own attempt's answer named its request id (a 2xx or a
  // 5xx that may have made the job) or said the server took it without one (a 2xx or a 303: none, an id is of the
  // answer it names).
  const told = (error: DecartError) => {
    if (!unknown || error === unknown) return error;
    if (error.code === "ABORT")
      return (error as AbortError).mayExist && heard.has(error)
        ? error
        : aborted(error.jobId, error.cause, unknown.requestId, true);
    // (Its words said already that it was sent again: what came of that follows.)
    unknown.message += `; then: ${error.message}`;
    followedBy.set(unknown, error);
    return unknown;
  };
  // A submit inside a wait's budget (`expired`) that the budget ends: `JobTimeoutError`, the last failure its cause. After
  // a failure the server may have taken, with that one's facts (`SUBMIT_OUTCOME_UNKNOWN`, `mayExist`, its request id);
  // else no job was made: sending it again is safe (`retryable`). Its message gives no last status: there is no job
  // yet to have one.
  /** The words of a failure after which a job may exist, sent again (`retrySubmit`). */
  const resent = (error: DecartError) =>
    error.message.replace(notSent, "sent again (`retrySubmit`): a second job may be billed");
  const ranOut = (error: DecartError, waited?: number) => {
    const e = timedOut(jobId, told(error), undefined, `${call.expired} ms`, waited);
    e.message = e.message.replace(" (last status: unknown)", "") + (unknown ? "" : "; no job was made");
    return Object.assign(
      e,
      unknown ? { code: unknown.code, requestId: unknown.requestId, mayExist: true } : { retryable: true },
    );
  };
  // What the call may still wait, in all: a plain call's budget, or the time to its deadline (not a submit's inside a
  // wait's budget, `expired`, which waits out its deadline). It never sleeps past it.
  let spare = call.spare ?? (call.expired ? Infinity : call.deadline ? deadline - policy.now() : policy.timeoutMs);
  // Whether the attempt about to be made was held by the rate-limit gate (`1`), and its number while held (`hold`).
  let after = 0;
  let ticket = 0;
  // The gate's wave when the last attempt was sent, and that of the call's latest 429 (`close`), and the pause taken
  // from its budget for that wave.
  let sent = 0;
  let mine = 0;
  let own = 0;
  for (let n = 0; ; n++) {
    const [until, left, grown, span, ask] = policy.gate.pending(waited);
    if (left > 0) {
      // What the call may still wait, and the server's whole ask (beyond the 60 s the gate holds): one that outruns it
      // fails at once too, with that ask's time left, as a call answered so fails (not sent on after the 60 s). Not a
      // read of a job (a paid job's watch): the ask may be a submit's; it waits the 60 s and reads on.
      const room = Math.max(left, spare);
      const hold = Math.max(left, jobId ? 0 : ask);
      // (A held call that ends here, aborted or failing, gives up its place at the gate: `sent`.)
      try {
        // Wait for the gate. A call whose budget ends first (a plain call's, or its deadline) fails at once, as for a
        // `Retry-After` beyond it: nothing is sent while the gate is shut; a submit inside a wait's budget (`expired`)
        // in that `JobTimeoutError`, this error its cause, as a watch's read ends. Its message gives the wait in whole
        // ms (a clock such as `performance.now` is fractional), or its first figure under half a ms (`msOf`). The rest
        // of a pause grown only by the 429s of the call's own wave (its burst's, answered after its own) is one pause
        // with the one it waited: what a longer `Retry-After` of its burst adds to it is taken from its budget, and so is
        // the time between their answers beyond a second (a request of that wave answered long after: a new pause).
        if (grown > mine) spare -= left;
        else {
          const more = Math.min(left, Math.max(span - own, left - 1e3));
          if (more > 0) {
            spare -= more;
            own += more;
          }
        }
        if (spare < 0 || hold > room || policy.now() + hold > deadline) {
          const error = unsent(
            new RateLimitError(`${what}: not sent, rate-limited for ${msOf(hold)} more`, {
              retryable: true,
              jobId,
              retryAfterMs: hold,
            }),
          );
          throw call.expired ? ranOut(error, hold) : told(error);
        }
        ticket ||= policy.gate.hold();
        await pause(policy.delay, left, signal, jobId, unknown);
        waited = until;
        after = 1;
        // Held by that closing, the call waits the gate's spread too, then looks at the gate again, not counted as a
        // try: a 429 meanwhile shut it anew. A spread that would reach the end of its budget or its deadline is not
        // waited: it is sent at once. (A call the gate never held, or the one whose 429 closed it, a probe, is not
        // spread.) The randomness is the client's `random`; one that throws ends the call as in a retry.
        let ms: number;
        try {
          ms = policy.gate.spread(policy.random, ticket);
        } catch (e) {
          throw told(e as DecartError);
        }
        if (ms > 0 && ms < spare && policy.now() + ms < deadline) {
          await pause(policy.delay, ms, signal, jobId, unknown);
          spare -= ms;
          n--;
          continue;
        }
      } catch (e) {
        policy.gate.sent(ticket);
        throw e;
      }
    }
    sent = policy.gate.sent(ticket);
    ticket = 0;
    let error: DecartError;
    try {
      return await attempt(n);
    } catch (e) {
      error = asDecartError(e, jobId);
    }
    // (A retry after such a failure that left, the one the gate or the deadline kept back not: see `unsent`.)
    if (unknown && !error[UNSENT as never]) unknown.message = resent(unknown);
    if (error.code === "SUBMIT_OUTCOME_UNKNOWN") unknown ??= error;
    // A 429 met right after the gate held the call is the pause's, not the call's: it spends no try (of a call that
    // retries at all; `maxRetries` such at most), bounded still by the budget and the deadline. (The closer's own 429s
    // count.)
    if (after && error.status === 429 && !away.has(error) && maxRetries < most) maxRetries++;
    after = 0;
    // (Not a 401 after an answer that says a POST was taken, the redirect's next hop's: that request is not sent again;
    // nor the token route's own 401, a `TOKEN_ERROR`: the route refused, not the API the key, and is not asked again.)
    if (error.status === 401 && !/^(SUBMIT_OUTCOME_UNKNOWN|TOKEN_ERROR)$/.test(error.code)) {
      if (renew) {
        renew();
        renew = undefined;
        n--;
        continue;
      }
      // A client token given as `apiKey` is a fixed key: nothing renews it once it expires.
      if (policy.ek) error.message += "; a client token given as apiKey is not renewed: give token: fetchTokenFrom(…)";
    }
    if (call.renew && /^40[13]$/.test(error.status as never)) renewable.add(error);
    if (error instanceof InvalidResponseError) invalid++;
    // `random` is asked only for a retry the policy makes; if yours throws (or answers no number), the call ends.
    let wait: number | undefined;
    let threw: unknown;
    try {
      wait = retryDelay(error, n, { ...policy, maxRetries, invalid });
    } catch (e) {
      threw = e;
    }
    // The server's `Retry-After`, in full (0: none).
    const asked = (error as RateLimitError).retryAfterMs ?? 0;
    if (error.status === 429 && !away.has(error)) {
      // Every 429 of the API closes the gate, also one this call does not retry (a watch's status read retries in the
      // engine): for its `Retry-After` (60 s at most; a call meeting it shut whose budget ends before the whole of it
      // fails at once), else the floor (no `random` asked). The caller that closed it waits once (below), not a second
      // time at the gate.
      own = wait ?? retryWait(n, asked, () => 0);
      waited = policy.gate.close(own, error.requestId, sent, asked);
      mine = sent + 1;
    }
    if (threw) {
      // A failure the server may have taken stays one (a job may exist), the callback's failure in its words.
      if (error.code !== "SUBMIT_OUTCOME_UNKNOWN") throw unknown ? told(threw as DecartError) : threw;
      error.message += `; not sent again: ${(threw as Error).message}`;
    }
    if (wait === undefined) throw told(error);
    // A `Retry-After` as long as what is left or longer (also one beyond the 60 s honoured) is not waited out by a
    // submit inside a wait's budget either: it ends at once, as a watch's read does (its `retryAfterMs` that wait).
    if (call.expired && asked >= deadline - policy.now()) throw ranOut(error, asked);
    // The deadline, not the error, ends the retries. A call that times out there (`expired`: a submit inside a wait's
    // budget) waits it out first, as a watch does, sending nothing more: it does not give up early saying it ran out.
    if (policy.now() + wait > deadline) {
      if (call.expired) {
        await pause(policy.delay, deadline - policy.now(), signal, jobId, unknown);
        throw ranOut(error);
      }
      throw told(error);
    }
    // A call whose wait (or the server's `Retry-After`, even beyond the 60 s honoured) would outrun its budget (a plain
    // call's, or the time to its deadline) fails at once, with the error that carries `retryAfterMs` for the caller to
    // decide. (What is left to the deadline is read again: the attempts took their time.)
    if (!call.expired) spare = Math.min(spare, deadline - policy.now());
    spare -= Math.max(wait, asked);
    if (spare < 0) throw told(error);
    // The transport's own failures name the request first (`GET <url>: connection failed`); an HTTP error's message
    // says only what the server said (`Not now (HTTP 503)`): `what` goes before it.
    // A failure after which a job may exist, sent again (`retrySubmit`), says so, at `warn`: a second job may be billed.
    // (Its words say so once the retry left, see above.)
    const again = error.code === "SUBMIT_OUTCOME_UNKNOWN";
    policy.logger[again ? "warn" : "debug"](
      `${error.message.startsWith(what) ? "" : `${what}: `}${resent(error)}; retry ${n + 1} in ${Math.round(wait)} ms`,
    );
    await pause(policy.delay, wait, signal, jobId, unknown);
  }
}
