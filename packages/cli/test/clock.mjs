/**
 * The clock of a CLI process a test starts with `start(…, { clock: true })` (loaded first, `node --import`): real time,
 * until the test sends the process SIGUSR2, which moves it 30 days on at once (more than any `--timeout`): `Date.now`,
 * the client's clock (its deadlines, its watch's budget), jumps, and every `AbortSignal.timeout` (`--timeout` of
 * `image`, `jobs submit`, `jobs status`) ends. A test moves time on once the CLI has told it (on stderr) that it
 * reached the point where time is to pass: no real-time window, however loaded the machine.
 */
const now = Date.now;
let offset = 0;
/** The controllers of the `AbortSignal.timeout` signals not ended yet. */
const pending = new Set();
const timeout = AbortSignal.timeout;

const timedOut = () => new DOMException("The operation was aborted due to timeout", "TimeoutError");

Date.now = () => now() + offset;
AbortSignal.timeout = (ms) => {
  const controller = new AbortController();
  pending.add(controller);
  // As in real time, unless the test moves time on first.
  timeout(ms).addEventListener("abort", () => {
    pending.delete(controller);
    controller.abort(timedOut());
  });
  return controller.signal;
};

process.on("SIGUSR2", () => {
  offset += 30 * 86_400_000;
  for (const controller of pending) controller.abort(timedOut());
  pending.clear();
});
