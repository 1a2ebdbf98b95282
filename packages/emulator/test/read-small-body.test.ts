/**
 * `readSmallBody` called late, over real HTTP on loopback: after the request's body was read to its end by another
 * reader ("end" has fired), or after its client went away ("close" has fired). It settles at once in both (a rejection
 * naming the body read already; undefined for the client gone), where it waited for events that had come already
 * (never settling), or took the request's "close" after its "end" for an empty body.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { type Ctx, readSmallBody } from "../src/http.js";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A server handing its first request to `handle`; its port. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  closers.push(() => server.closeAllConnections());
  return (server.address() as AddressInfo).port;
}

/** The parts of a request's context `readSmallBody` reads. */
const ctxOf = (req: IncomingMessage, res: ServerResponse) =>
  ({ req, res, responded: false, awaitingContinue: false, server: { drainLimit: 1 << 20 } }) as unknown as Ctx;

/** Whether `promise` has settled once the events already queued have run (no timer: one turn of the event loop). */
async function settledSoon<T>(promise: Promise<T>): Promise<{ settled: boolean; value?: T; error?: unknown }> {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error) => Object.assign(state, { settled: true, error }),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
}

for (const event of ["end", "close"] as const) {
  it(`after the body was read to its end (on its "${event}"): rejects at once, naming the body read already`, async () => {
    let outcome: Promise<{ settled: boolean; value?: unknown; error?: unknown }> | undefined;
    const port = await serve((req, res) => {
      const late = () => {
        outcome = settledSoon(readSmallBody(ctxOf(req, res)));
        void outcome.then(() => res.end("ok"));
      };
      req.resume();
      req.once("end", () => (event === "end" ? late() : req.once("close", late)));
    });
    const answered = await new Promise<string>((resolve, reject) => {
      const r = request({ port, host: "127.0.0.1", method: "POST", path: "/" }, (res) => {
        res.setEncoding("utf8");
        let text = "";
        res.on("data", (chunk) => (text += chunk)).on("end", () => resolve(text));
      });
      r.on("error", reject);
      r.end('{"a":1}');
    });
    expect(answered).toBe("ok");
    const { settled, value, error } = await outcome!;
    expect(settled).toBe(true);
    expect(value).toBeUndefined();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("body was read already");
  });
}

it("after its client went away: resolves undefined at once, the request over", async () => {
  let outcome: Promise<{ settled: boolean; value?: unknown; ctx: Ctx }> | undefined;
  let got: () => void = () => {};
  const came = new Promise<void>((resolve) => (got = resolve));
  let handed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (handed = resolve));
  const port = await serve((req, res) => {
    req.once("close", () => {
      const ctx = ctxOf(req, res);
      outcome = settledSoon(readSmallBody(ctx)).then((state) => ({ ...state, ctx }));
      handed();
    });
    got();
  });
  const r = request({ port, host: "127.0.0.1", method: "POST", path: "/", headers: { "content-length": "100" } });
  r.on("error", () => {});
  r.write("{");
  // The server has the request (its head) before the client goes away, its body not whole.
  await came;
  r.destroy();
  await closed;
  const { settled, value, ctx } = await outcome!;
  expect(settled).toBe(true);
  expect(value).toBeUndefined();
  expect(ctx.responded).toBe(true);
});
