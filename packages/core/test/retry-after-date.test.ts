/**
 * A `Retry-After` given as an HTTP-date is a time on the server's clock: the wait is from the answer's own `Date`
 * (RFC 9110 §10.2.3), not from the client's clock, which may be hours off the server's. A purpose-built server on
 * loopback plays a server whose clock is off the client's.
 */
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { createDecartClient } from "../src/index.js";
import { instantDelay, json, serve, silent } from "./helpers.js";

const HOUR = 3_600_000;

/**
 * A server whose clock is `offsetMs` off the local one (a whole number of seconds on the client's clock `now`): its
 * first status read is a 503 with `Retry-After` its time + 2 s as an HTTP-date, and the `Date` that `date` gives (none
 * for undefined); the next reads say `completed`.
 */
async function busy(now: () => number, offsetMs: number, date: (serverNow: number) => string | undefined) {
  let reads = 0;
  const server = createServer((_req, res) => {
    const serverNow = now() + offsetMs;
    const header = date(serverNow);
    res.sendDate = false;
    const headers = { "content-type": "application/json", ...(header && { date: header }) };
    if (reads++ === 0) {
      res.writeHead(503, { ...headers, "retry-after": new Date(serverNow + 2000).toUTCString() });
      return res.end('{"detail":"busy"}');
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify({ job_id: "job_1", status: "completed" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("an HTTP-date Retry-After", () => {
  // The client's clock, fixed on a whole second: the waits asked for are exact.
  const T = Date.parse("2026-12-05T12:00:00Z");
  const now = () => T;
  const httpDate = (serverNow: number) => new Date(serverNow).toUTCString();
  const cases: [what: string, offsetMs: number, date: (serverNow: number) => string | undefined][] = [
    ["a server 1 h ahead, with its Date", HOUR, httpDate],
    ["a server 1 h behind, with its Date", -HOUR, httpDate],
    ["no Date, the clocks agreeing", 0, () => undefined],
    ["a Date that is no date, the clocks agreeing", 0, () => "soon"],
  ];
  for (const [what, offset, date] of cases) {
    it(`${what}: waits the 2 s the server asked for`, async () => {
      const server = await busy(now, offset, date);
      try {
        const delay = instantDelay();
        const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, poll: { delay, now } });
        expect((await client.queue.status("job_1")).status).toBe("completed");
        expect(delay.calls).toEqual([2000]);
      } finally {
        await server.close();
      }
    });
  }

  // A server 1 h ahead made the wait an hour, longer than the budget: a watch of 120 s ended at once in JobTimeoutError.
  it("a watch after a server 1 h ahead answered 503: done, not timed out", async () => {
    const server = await busy(Date.now, HOUR, httpDate);
    try {
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: server.url,
        logger: silent,
        poll: { delay: instantDelay() },
      });
      const outcome = await client.queue.wait("job_1", { download: false, timeoutMs: 120_000 });
      expect(outcome.status).toBe("completed");
    } finally {
      await server.close();
    }
  });
});

describe("a Retry-After with spaces or tabs around it", () => {
  // Surrounding whitespace is no part of a field's value (RFC 9110 §5.5); fetch hands the value over as it came, a
  // trailing space or tab kept. Each server answers its first status read 503 with the header, then `completed`.
  for (const value of ["2 ", "2\t", " 2 ", "\t2\t"]) {
    it(`${JSON.stringify(value)}: waits the 2 s the server asked for`, async () => {
      let reads = 0;
      const server = await serve((_req, res) => {
        if (reads++ === 0) {
          res.writeHead(503, { "content-type": "application/json", "retry-after": value });
          res.end('{"detail":"busy"}');
        } else json(res, 200, { job_id: "job_1", status: "completed" });
      });
      try {
        const delay = instantDelay();
        const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, poll: { delay } });
        expect((await client.queue.status("job_1")).status).toBe("completed");
        expect(delay.calls).toEqual([2000]);
      } finally {
        await server.close();
      }
    });
  }
});
