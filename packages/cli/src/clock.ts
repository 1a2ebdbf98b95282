/**
 * The CLI's clock, in ms since the epoch, and its client's (`poll.now`): `performance.now()` anchored at the wall time
 * when the CLI started, so that a step of the wall clock (an NTP correction, a VM resumed) moves none of its deadlines
 * (`--timeout`, a watch's budget), which it gives the client: they are on one clock.
 */
const anchor = Date.now() - performance.now();
export const now = (): number => anchor + performance.now();
