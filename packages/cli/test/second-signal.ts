import type { ChildProcess } from "node:child_process";

/**
 * How long after the first Ctrl-C was heard (its message seen) a person's second one comes in these tests: some tenths
 * of a second, the quickest a person presses it twice. A number of the tests' own, not the CLI's `ONE_DELIVERY_MS`:
 * a CLI that took the same signal this long after the first for that one delivered twice (ignored it) fails them.
 */
export const SECOND_CTRL_C_MS = 400;

/**
 * Sends `signal` to the CLI (its child process, or its pid) as a person's second Ctrl-C: `SECOND_CTRL_C_MS` after
 * the first was heard (call it once its message was seen). A runner late on a loaded machine only makes it later.
 */
export async function secondCtrlC(to: ChildProcess | number, signal: NodeJS.Signals = "SIGINT"): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, SECOND_CTRL_C_MS));
  if (typeof to === "number") process.kill(to, signal);
  else to.kill(signal);
}
