/**
 * A step of the wall clock (an NTP correction while the CLI runs) of `STEP_MS` (10 minutes back by default) at its
 * `STEP_AT`th request (the first by default), after the CLI started, read its clocks and, from the second request on,
 * set its deadlines: loaded first (`NODE_OPTIONS=--import`) by a test. Only `Date.now` moves, as the wall clock does;
 * `performance.now` goes on.
 */
import { subscribe } from "node:diagnostics_channel";

const real = Date.now;
let offset = 0;
Date.now = () => real() + offset;
let requests = 0;
const step = () => {
  if (++requests === Number(process.env.STEP_AT ?? 1)) offset = Number(process.env.STEP_MS ?? -600_000);
};
// A request of fetch or of node:http, whichever comes first.
const fetch = globalThis.fetch;
globalThis.fetch = (...args) => {
  step();
  return fetch(...args);
};
subscribe("http.client.request.start", step);
