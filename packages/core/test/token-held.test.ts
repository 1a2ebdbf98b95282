import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, fetchTokenFrom, models } from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import { fastPoll, silent, startFast, until } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/**
 * A page's token route (60 s tokens of the emulator) behind node:http, which can be switched off: its connections
 * are then cut before any answer, as a network gone a moment fails a page's fetch.
 */
async function switchableRoute(expiresIn = 60) {
  const route = createTokenRoute({ authorize: () => true, apiKey: emu.apiKey, baseUrl: emu.url, expiresIn });
  const state = { on: true, asked: 0, minted: 0, busyFor: 0 };
  const server = createServer(async (req, res) => {
    state.asked++;
    if (!state.on) return void req.socket.destroy();
    // Rate-limited, as a route whose API answered 429: 503 with the Retry-After of `busyFor` seconds.
    if (state.busyFor) return void res.writeHead(503, { "retry-after": String(state.busyFor) }).end("{}");
    const answer = await route(new Request(`http://127.0.0.1${req.url}`, { method: req.method }));
    if (answer.ok) state.minted++;
    res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(await answer.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/decart-token`;
  return Object.assign(state, {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  });
}

describe("a token source whose renewal fails while the token held is still valid", () => {
  it("keeps sending the token held until it expires, renewing on each use; then fails as before", async () => {
    const route = await switchableRoute();
    // The client's clock, moved by the test (the emulator's tokens live 60 s of real time: plenty).
    let shift = 0;
    const sent: string[] = [];
    // The route's fetcher, counting the fetches that failed (once settled).
    const fetcher = fetchTokenFrom(route.url);
    let failed = 0;
    let got = 0;
    const client = createDecartClient({
      token: () =>
        fetcher().then(
          (token) => {
            got++;
            return token;
          },
          (e) => {
            failed++;
            throw e;
          },
        ),
      baseUrl: emu.url,
      logger: silent,
      maxRetries: 0,
      poll: { ...fastPoll, now: () => Date.now() + shift },
      fetch: (url, init) => {
        sent.push(new Headers(init?.headers).get("x-api-key")!);
        return fetch(url, init);
      },
    });
    try {
      const { job_id } = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "a lake" });
      const first = sent[0]!;
      expect(route.minted).toBe(1);
      // Past its refresh time (a quarter of its 60 s before it expires), still valid: the route is down a while. Each read goes, with
      // the token held, and asks for a new one on the way (in the background): more than three failures in a row end
      // nothing.
      // (A renewal that failed is tried again no sooner than 2 s later.)
      shift = 45_500;
      route.on = false;
      for (let i = 0; i < 4; i++) {
        shift += 2_100;
        expect((await client.queue.status(job_id)).job_id).toBe(job_id);
        await until(() => failed === 1 + i);
      }
      expect(sent.slice(1)).toEqual(Array(4).fill(first));
      // A watch of the job goes on too, to its end.
      const done = await client.queue.wait(job_id, { download: false });
      expect(done.status).toBe("completed");
      // Back: the next read's renewal brings a new token, which the read after it sends.
      route.on = true;
      shift += 2_100;
      await client.queue.status(job_id);
      await until(() => got === 2);
      await client.queue.status(job_id);
      expect(sent.at(-1)).not.toBe(first);
      // The token held expired (by the client's clock) and the route is down: no token, a retryable TOKEN_ERROR, the
      // third in a row final, as ever.
      shift = 200_000;
      route.on = false;
      const errors = [];
      for (let i = 0; i < 3; i++) errors.push(await client.queue.status(job_id).catch((e) => e));
      expect(errors.map((e) => [e.code, e.retryable])).toEqual([
        ["TOKEN_ERROR", true],
        ["TOKEN_ERROR", true],
        ["TOKEN_ERROR", false],
      ]);
    } finally {
      await route.close();
    }
  });

  it("waits for the route's Retry-After before asking again, not on every request", async () => {
    const route = await switchableRoute(300);
    // The client's clock, moved by the test (the emulator's tokens live 300 s of real time: plenty).
    let shift = 0;
    const client = createDecartClient({
      token: fetchTokenFrom(route.url),
      baseUrl: emu.url,
      logger: silent,
      maxRetries: 0,
      poll: { ...fastPoll, now: () => Date.now() + shift },
    });
    try {
      const { job_id } = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "a lake" });
      expect(route.asked).toBe(1);
      // Past its refresh time (30 s before it expires), still valid: the route is rate-limited for 20 s. The first
      // read asks for a new token (in the background) and is told to wait 20 s: the reads within them ask nothing.
      shift = 275_000;
      route.busyFor = 20;
      await client.queue.status(job_id);
      await until(() => route.asked === 2);
      for (const at of [275_000, 280_000, 290_000]) {
        shift = at;
        expect((await client.queue.status(job_id)).job_id).toBe(job_id);
      }
      expect(route.asked).toBe(2);
      // Once they have passed, the next read asks again, and the new token comes.
      route.busyFor = 0;
      shift = 296_000;
      await client.queue.status(job_id);
      await until(() => route.minted === 2);
      expect(route.asked).toBe(3);
    } finally {
      await route.close();
    }
  });
});
