/**
 * What the tests wait for (`until`), checked again at each change that may have made it hold: a render React commits
 * and its effects (setup.ts hears them through React's devtools hook), an answer an emulator of `startFast` closed
 * (helpers.tsx), and, for what no event tells (a count a test's own server or fetch keeps, a job an emulator's timer
 * ends), every CHECK_MS.
 */

/** How often a condition is checked again without an event (40 checks a second). */
const CHECK_MS = 25;

/** The conditions waited for: the check that resolves each wait once it holds, and what ends that wait's checks. */
const waits = new Map<() => void, () => void>();

/** Checks every condition waited for again (they only read: a check changes nothing). */
export function changed(): void {
  for (const check of waits.keys()) check();
}

/**
 * Resolves once `condition` holds: checked now, then at each change `changed()` is told of and every CHECK_MS (the
 * test's own timeout bounds it). A condition that throws rejects the wait with its error.
 */
export function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      let held: boolean;
      try {
        held = condition();
      } catch (error) {
        stop();
        reject(error);
        return;
      }
      if (held) {
        stop();
        resolve();
      }
    };
    const timer = setInterval(check, CHECK_MS);
    const stop = () => {
      clearInterval(timer);
      waits.delete(check);
    };
    waits.set(check, stop);
    check();
  });
}

/** Ends the checks of the waits still going (a test that timed out left them): they stay pending. */
export function forgetWaits(): void {
  for (const stop of waits.values()) stop();
}
