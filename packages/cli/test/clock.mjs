/**
 * The clock of a CLI process a test starts with `start(…, { clock: true })` (loaded first, `node --import`): what ends
 * a wait is the test's to say. Every `AbortSignal.timeout` (`--timeout` of `image`, `jobs submit` and `jobs status`,
 * the CLI's grace for the answer of a submit or an image after a signal) stands still until the test sends the
 * process SIGUSR2, which moves the clock 30 days on at once (more than any `--timeout`): those all end, and
 * `Date.now` and `performance.now` (the client's clock: its deadlines, its watch's budget) jump as far. A test moves time on once the CLI has told it (on stderr) that it
 * reached the point where time is to pass, and no wait ends before: no real-time window, however loaded the machine.
 * With `CLOCK_TOLD=1` in its environment, the process says on stderr that its clock moved (`clock: moved on`), for a
 * test that must know it did before it lets anything else happen (an answer it holds).
 * With `CLOCK_STILL=1`, the steady clock (`performance.now`) does not run at all between those jumps: whatever the
 * real time between two events (two deliveries of one signal, sent a few milliseconds apart by a test runner that a
 * loaded machine may keep off the CPU far longer), the process finds them at one instant of its clock.
 */
const now = Date.now;
const steady = performance.now.bind(performance);
let offset = 0;
/** The controllers of the `AbortSignal.timeout` signals not ended yet. */
const pending = new Set();

// The wall clock and the steady one (`performance.now`, the client's default clock and the CLI's) move together (the
// steady one only by the jumps with `CLOCK_STILL`).
Date.now = () => now() + offset;
const still = process.env.CLOCK_STILL === "1";
const began = steady();
performance.now = still ? () => began + offset : () => steady() + offset;
AbortSignal.timeout = () => {
  const controller = new AbortController();
  pending.add(controller);
  return controller.signal;
};

process.on("SIGUSR2", () => {
  offset += 30 * 86_400_000;
  for (const controller of pending) {
    controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
  }
  pending.clear();
  if (process.env.CLOCK_TOLD === "1") process.stderr.write("clock: moved on\n");
});
