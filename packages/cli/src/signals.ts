/**
 * The CLI's handler of Ctrl-C, SIGTERM and SIGHUP from the bin's first lines (see `catchSignals`), before the commands'
 * own (`interruptible` in follow.ts, the emulator's): loading a command and the client takes some tenths of a second,
 * during which a signal ended the process by the signal (exit 143, nothing on stdout), where a run that exits non-zero
 * ends with a line carrying its exit code (130 for an interrupt, 129 for SIGHUP).
 */

import { signalExit } from "./exit.js";

/**
 * How soon after a signal the same signal again is that one delivered twice rather than a second one: coreutils
 * `timeout` (a CI step's limit) sends its signal to the CLI, then to the CLI's whole process group, which holds the
 * CLI too, microseconds apart; a shell's job control and `kill 0` can do the same. A human's Ctrl-C twice is some
 * tenths of a second apart at the quickest.
 */
export const ONE_DELIVERY_MS = 100;

/** The signals the CLI takes as an interrupt. */
const INTERRUPTS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** The first signal that came before the command started (see `commandStarts`). */
let noted: NodeJS.Signals | undefined;
/** What a signal does once the command has started, while no handler of its own is installed. */
let act: ((signal: NodeJS.Signals) => void) | undefined;
let caught = false;

const onSignal = (signal: NodeJS.Signals) => {
  // A handler of the command's own is installed (see `interruptible`): it is in charge.
  if (process.listenerCount(signal) > 1) return;
  if (act) act(signal);
  else noted ??= signal;
};

/** Installs the handler (the bin, before it loads anything else); a signal is noted until the command starts. */
export function catchSignals(): void {
  if (caught) return;
  caught = true;
  for (const name of INTERRUPTS) process.on(name, onSignal);
}

/**
 * Called as the command starts (its options read): answers the first signal that came before (the command is then
 * not run), and from then on `then` is what a signal does while the command has no handler of its own installed (a
 * command that has nothing under way that a signal must not lose: it ends at once). Nothing where `catchSignals` was
 * not called (the CLI run in a process of another's, `main` imported).
 */
export function commandStarts(then: (signal: NodeJS.Signals) => void): NodeJS.Signals | undefined {
  if (!caught) return undefined;
  act = then;
  return noted;
}

/**
 * Hears Ctrl-C, SIGTERM and SIGHUP for a command that has work under way (`interruptible` in follow.ts, the
 * emulator's): the first calls `first`; a second one ends the process at once with its exit code, but the same signal
 * again within `ONE_DELIVERY_MS` of the first, which is that one delivered twice. Returns the function that stops
 * hearing them.
 */
export function onInterrupt(first: (signal: NodeJS.Signals) => void): () => void {
  let seen: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const at = performance.now();
    if (seen) {
      if (signal === seen.signal && at - seen.at < ONE_DELIVERY_MS) return;
      process.exit(signalExit(signal));
    }
    seen = { signal, at };
    first(signal);
  };
  for (const name of INTERRUPTS) process.on(name, onSignal);
  return () => {
    for (const name of INTERRUPTS) process.off(name, onSignal);
  };
}
