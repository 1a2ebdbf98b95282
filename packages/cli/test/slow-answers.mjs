/**
 * The clock of a CLI process whose every request takes `SLOW_MS` (1500 by default) to be answered, on its clocks only:
 * loaded first (`NODE_OPTIONS=--import`) by a test. As each HTTP request starts (fetch's or node:http's), `Date.now`
 * and `performance.now` (the CLI's clock and its client's: `--timeout`'s deadline) move that far on at once, and every
 * `AbortSignal.timeout` (`--timeout`'s own timer) stands still: what a test sees is what the clocks say, however long
 * the machine really takes.
 */
import { subscribe } from "node:diagnostics_channel";

const now = Date.now;
const steady = performance.now.bind(performance);
let offset = 0;
Date.now = () => now() + offset;
performance.now = () => steady() + offset;
AbortSignal.timeout = () => new AbortController().signal;
const step = () => {
  offset += Number(process.env.SLOW_MS ?? 1500);
};
const fetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  step();
  return fetch(...args);
};
subscribe("http.client.request.start", step);
