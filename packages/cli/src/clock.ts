/**
 * The CLI's clock, in ms since the epoch, and its client's (`poll.now`): `performance.now()` anchored at the wall time
 * when the CLI started, so that a step of the wall clock (an NTP correction, a VM resumed) moves none of its deadlines
 * (`--timeout`, a watch's budget), which it gives the client: they are on one clock.
 */
const anchor = Date.now() - performance.now();
/** Its readings are whole ms, as `Date.now()`'s and the client's default clock's are. */
export const now = (): number => Math.floor(anchor + performance.now());
