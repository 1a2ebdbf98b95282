import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  type ClientToken,
  ConnectionError,
  createDecartClient,
  type DecartClientOptions,
  DecartError,
  fetchTokenFrom,
  InvalidInputError,
  InvalidResponseError,
  JobTimeoutError,
  models,
  PermissionDeniedError,
} from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import {
  clientFor,
  drain,
  fastPoll,
  instantDelay,
  serveBytes,
  silent,
  startFast,
  until,
  virtualTime,
} from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

const model = models.video("lucy-pro-t2v");

/** A token fetcher over a token route of the emulator that counts its calls; `first` answers the first ones instead. */
function minting(expiresIn = 120, first: ClientToken[] = []) {
  const route = createTokenRoute({ authorize: () => true, apiKey: emu.apiKey, baseUrl: emu.url, expiresIn });
  const fetcher = async (): Promise<ClientToken> => {
    fetcher.calls++;
    const early = first.shift();
    if (early) return early;
    const token = await (await route(new Request("http://app.test/token", { method: "POST" }))).json();
    fetcher.keys.push(token.apiKey);
    return token;
  };
  fetcher.calls = 0;
  fetcher.keys = [] as string[];
  return fetcher;
}

const clientWith = (token: DecartClientOptions["token"], options: DecartClientOptions = {}) =>
  createDecartClient({
    token,
    baseUrl: emu.url,
    logger: silent,
    ...options,
    poll: { ...fastPoll, ...options.poll },
  } as DecartClientOptions);

describe("a client with a token fetcher", () => {
  it("asks for a token when it first needs one, keeps it, and sends it", async () => {
    const fetcher = minting();
    const client = clientWith(fetcher);
    expect(fetcher.calls).toBe(0); // creating the client sends nothing
    const done = await client.queue.submitAndPoll({ model, prompt: "A lake" });
    expect(done.status).toBe("completed");
    expect(fetcher.calls).toBe(1);
    expect(emu.job(done.job_id)!.status).toBe("completed");
  });

  it("fetches one token at a time: concurrent requests share it", async () => {
    const fetcher = minting();
    const client = clientWith(fetcher);
    const { job_id } = await createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url }).queue.submit({
      model,
      prompt: "shared",
    });
    const reads = await Promise.all(Array.from({ length: 8 }, () => client.queue.status(job_id)));
    expect(reads.map((r) => r.job_id)).toEqual(Array(8).fill(job_id));
    expect(fetcher.calls).toBe(1);
  });

  it("gets a new token shortly before the old one expires (by the client's clock), once for concurrent requests", async () => {
    let offset = 0;
    const now = () => Date.now() + offset;
    const fetcher = minting(120);
    const client = clientWith(fetcher, { poll: { now } });
    const { job_id } = await client.queue.submit({ model, prompt: "clock" });
    expect(fetcher.calls).toBe(1);
    offset = 60_000; // half its life: kept
    await client.queue.status(job_id);
    expect(fetcher.calls).toBe(1);
    offset = 95_000; // within the last 30 s: renewed before it expires, one fetch for all
    await Promise.all([client.queue.status(job_id), client.queue.status(job_id), client.queue.status(job_id)]);
    expect(fetcher.calls).toBe(2);
    offset = 100_000; // the new token is younger
    await client.queue.status(job_id);
    expect(fetcher.calls).toBe(2);
  });

  it("after a 401 gets a new token once and sends the request again: a read, and a submit the server refused", async () => {
    const revoked = { apiKey: "ek_revoked", expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    const fetcher = minting(120, [revoked]);
    const client = clientWith(fetcher, { maxRetries: 0 });
    const before = emu.stats().jobsCreated;
    const { job_id } = await client.queue.submit({ model, prompt: "retried once" });
    expect(fetcher.calls).toBe(2);
    expect(emu.stats().jobsCreated).toBe(before + 1);
    expect(emu.job(job_id)).toBeDefined();

    const reads = minting(120, [revoked]);
    const reader = clientWith(reads, { maxRetries: 0 });
    expect((await reader.queue.status(job_id)).job_id).toBe(job_id);
    expect(reads.calls).toBe(2);
  });

  it("surfaces the 401 when the new token is refused too: one renewal per request", async () => {
    let calls = 0;
    const client = clientWith(async () => {
      calls++;
      return { apiKey: `ek_bad_${calls}`, expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
    });
    const error = await client.queue.status("job_x").catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(calls).toBe(2);
  });

  it("a token that expired on the server (the emulator's clock) is renewed after its 401", async () => {
    // The client's clock is an hour behind: it believes the token fresh until the server refuses it.
    const fetcher = minting(1);
    const client = clientWith(fetcher, { poll: { now: () => Date.now() - 3_600_000 } });
    const { job_id } = await client.queue.submit({ model, prompt: "expired" });
    const first = fetcher.keys[0]!;
    // Until the emulator refuses the first token, reads use it.
    for (;;) {
      await client.queue.status(job_id);
      if (fetcher.calls > 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(fetcher.keys[1]).not.toBe(first);
  });

  it("a clock set ahead does not fetch a token per request: a token that looks expired on arrival is used until refused", async () => {
    const fetcher = minting(120);
    const client = clientWith(fetcher, { poll: { now: () => Date.now() + 3_600_000 } });
    const { job_id } = await client.queue.submit({ model, prompt: "clock ahead" });
    for (let i = 0; i < 3; i++) await client.queue.status(job_id);
    expect(fetcher.calls).toBe(1);
  });

  it("a token fetcher's failure is retryable: a call asks again, the third failure in a row is final, a token resets the count", async () => {
    let asked = 0;
    const failures: boolean[] = [];
    const fetcher = minting();
    const blip = new TypeError("fetch failed");
    // Retries wait only on the client's clock, and the jitter's randomness is fixed. Each token lives 400 ms by that
    // clock.
    const time = virtualTime();
    const client = clientWith(
      async () => {
        asked++;
        if (failures.shift()) throw blip;
        const { apiKey } = await fetcher();
        return { apiKey, expiresAt: new Date(time.now() + 400).toISOString() };
      },
      { random: () => 0.5, poll: { now: time.now, delay: time.delay } },
    );
    failures.push(true, true, true);
    const error = await client.queue.status("job_x").catch((e) => e);
    // The call's two retries (maxRetries) ask again; the third failure is final, naming its cause.
    expect(error).toMatchObject({
      code: "TOKEN_ERROR",
      retryable: false,
      message: "Could not get a client token 3 times in a row: fetch failed",
      cause: blip,
    });
    expect(asked).toBe(3);
    // The next request asks again: a fourth failure in a row is final at once, and says it was the fourth.
    failures.push(true);
    const fourth = await client.queue.status("job_x").catch((e) => e);
    expect(fourth).toMatchObject({ code: "TOKEN_ERROR", retryable: false, cause: blip });
    expect(fourth.message).toBe("Could not get a client token 4 times in a row: fetch failed");
    expect(asked).toBe(4);
    // The next request asks again, and gets a token.
    const { job_id } = await client.queue.submit({ model, prompt: "after" });
    expect(asked).toBe(5);
    // Once that token is due for renewal, one failure is retryable again (not the fifth in a row): the call asks once
    // more and reads.
    await time.delay(1_000);
    failures.push(true);
    expect((await client.queue.status(job_id)).job_id).toBe(job_id);
    expect(asked).toBe(7);
  });

  it("a watch whose token fetcher fails once (a network blip) mid-watch asks again and completes", async () => {
    let jobId = "";
    let asked = 0;
    const fetcher = minting();
    // Time passes only in the client's waits. Each token lives 400 ms by the client's clock, so the watch asks for a
    // new one after 300 ms: the second ask fails as one network blip would; the third answers, and releases the job.
    const time = virtualTime();
    const client = clientWith(
      async () => {
        if (++asked === 2) throw new TypeError("fetch failed");
        const { apiKey } = await fetcher();
        if (asked === 3) emu.release(jobId);
        return { apiKey, expiresAt: new Date(time.now() + 400).toISOString() };
      },
      { random: () => 0.5, poll: { now: time.now, delay: time.delay } },
    );
    ({ job_id: jobId } = await client.queue.submit({ model, prompt: "a blip mid-watch [hold]" }));
    const done = await client.queue.wait(jobId, { model: "lucy-pro-t2v", download: false, timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: "completed", job_id: jobId });
    expect(asked).toBeGreaterThanOrEqual(3);
    expect(emu.job(jobId)!.status).toBe("completed");
  });

  it("a watch whose token fetcher always fails ends after 3 asks with a final TOKEN_ERROR and the job id, not a JobTimeoutError", async () => {
    const { job_id } = await clientWith(minting()).queue.submit({ model, prompt: "watched without a session" });
    let asked = 0;
    // Time passes only in the client's waits: were every failure retried, the watch would ask about 170 times in its
    // 11 minutes, then end in a JobTimeoutError hiding the cause.
    const time = virtualTime();
    const client = clientWith(
      async () => {
        asked++;
        throw new TypeError("fetch failed");
      },
      { random: () => 0.5, poll: { now: time.now, delay: time.delay } },
    );
    const error = await client.queue.wait(job_id, { model: "lucy-pro-t2v" }).catch((e) => e);
    expect(error).not.toBeInstanceOf(JobTimeoutError);
    expect(error).toMatchObject({
      name: "DecartError",
      code: "TOKEN_ERROR",
      retryable: false,
      jobId: job_id,
      message: "Could not get a client token 3 times in a row: fetch failed",
    });
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(asked).toBe(3);
  });

  it("a typed error of the fetcher that is not retryable (a route's 403) is a final TOKEN_ERROR at once, asked once", async () => {
    let asked = 0;
    const refused = new PermissionDeniedError("Not allowed to get a client token (HTTP 403)", { status: 403 });
    const client = clientWith(
      async () => {
        asked++;
        throw refused;
      },
      { poll: { delay: instantDelay() } },
    );
    const error = await client.queue.status("job_x").catch((e) => e);
    expect(error).toMatchObject({ code: "TOKEN_ERROR", status: 403, retryable: false });
    expect(error.cause).toBe(refused);
    expect(asked).toBe(1);
  });

  it("fetchTokenFrom: a token route that cannot be reached is a retryable TOKEN_ERROR, so a call tries again", async () => {
    // The route's first connection is cut before any answer; the next one is answered.
    const route = createTokenRoute({ authorize: () => true, apiKey: emu.apiKey, baseUrl: emu.url });
    let requests = 0;
    const server = createServer(async (req, res) => {
      if (requests++ === 0) return void req.socket.destroy();
      const answer = await route(new Request("http://app.test/token", { method: "POST" }));
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(await answer.text());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/decart-token`;
    try {
      const cut = await fetchTokenFrom(url)().catch((e) => e);
      expect(cut).toMatchObject({ code: "TOKEN_ERROR", retryable: true });
      expect(cut.message).toContain(`Token route ${url}: `);
      requests = 0;
      const { job_id } = await clientWith(minting()).queue.submit({ model, prompt: "route down once" });
      const client = clientWith(fetchTokenFrom(url), { poll: { delay: instantDelay() } });
      expect((await client.queue.status(job_id)).job_id).toBe(job_id);
      expect(requests).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fetchTokenFrom counts an HTTP-date Retry-After from the route's own Date (a server clock an hour ahead asks for 2 s, not an hour)", async () => {
    const serverNow = Date.now() + 3_600_000;
    const server = createServer((_req, res) =>
      res
        .writeHead(503, {
          "content-type": "application/json",
          date: new Date(serverNow).toUTCString(),
          "retry-after": new Date(serverNow + 2000).toUTCString(),
        })
        .end('{"detail":"busy"}'),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const busy = await fetchTokenFrom(`http://127.0.0.1:${(server.address() as AddressInfo).port}/token`)().catch(
        (e) => e,
      );
      // (Dates are whole seconds: the server's now is cut to its second, so the wait is 2 s to within one.)
      expect(busy).toBeInstanceOf(DecartError);
      expect(busy.retryAfterMs).toBeGreaterThanOrEqual(2000);
      expect(busy.retryAfterMs).toBeLessThanOrEqual(3000);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("fetchTokenFrom follows the same rule: a watch whose token route stays unreachable ends after 3 requests, naming why", async () => {
    const { job_id } = await clientWith(minting()).queue.submit({ model, prompt: "route down for good" });
    let requests = 0;
    // Every connection is cut before any answer.
    const server = createServer((req) => {
      requests++;
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/decart-token`;
    try {
      const time = virtualTime();
      const client = clientWith(fetchTokenFrom(url), { random: () => 0.5, poll: { now: time.now, delay: time.delay } });
      const error = await client.queue.wait(job_id, { model: "lucy-pro-t2v" }).catch((e) => e);
      expect(error).toMatchObject({ code: "TOKEN_ERROR", retryable: false, jobId: job_id });
      expect(error.message).toMatch(
        new RegExp(`^Could not get a client token 3 times in a row: Token route ${url.replace(/\./g, "\\.")}: `),
      );
      // The route's own error (retryable on its own) is the cause.
      expect(error.cause).toMatchObject({ code: "TOKEN_ERROR", retryable: true });
      expect(requests).toBe(3);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a call aborted while it waits for its token sends nothing", async () => {
    const fetcher = minting();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const client = clientWith(async () => {
      await gate;
      return fetcher();
    });
    const before = emu.stats().requests.byRoute.status ?? 0;
    const controller = new AbortController();
    const read = client.queue.status("job_waiting", { signal: controller.signal }).catch((e) => e);
    const reason = new Error("left the page");
    controller.abort(reason);
    release();
    const error = await read;
    expect(error.name).toBe("AbortError");
    // The abort's reason is the cause, as for an abort at any other point of a call.
    expect(error).toMatchObject({ jobId: "job_waiting", cause: reason });
    expect(fetcher.calls).toBe(1);
    expect(emu.stats().requests.byRoute.status ?? 0).toBe(before);
  });

  it("a token fetcher that never answers: an abort ends the call at once, a timeout ends it retryable, nothing sent", async () => {
    let calls = 0;
    const hanging = () => {
      calls++;
      return new Promise<ClientToken>(() => {});
    };
    const before = emu.stats().requests.byRoute.status ?? 0;
    const controller = new AbortController();
    const read = clientWith(hanging)
      .queue.status("job_waiting", { signal: controller.signal })
      .catch((e) => e);
    controller.abort();
    expect((await read).name).toBe("AbortError");

    // (No retry: one inside the budget would ask the source again, the wait before it given up; see below.)
    const client = clientWith(hanging, { timeoutMs: 50, maxRetries: 0 });
    const error = await client.queue.status("job_waiting").catch((e) => e);
    expect(error.name).toBe("TimeoutError");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("no client token");
    // One fetch for each client, and no request reached the server.
    expect(calls).toBe(2);
    expect(emu.stats().requests.byRoute.status ?? 0).toBe(before);
  });

  it("a fetch that never settles is given up with the wait that timed out or was aborted: the next request asks again", async () => {
    const { job_id } = await clientFor(emu).queue.submit({ model, prompt: "asked again" });
    /** A token fetcher whose first call never settles, the others mint; `calls` counts them. */
    const hangingOnce = () => {
      const fetcher = minting();
      const token = () => (token.calls++ === 0 ? new Promise<ClientToken>(() => {}) : fetcher());
      token.calls = 0;
      return token;
    };
    const token = hangingOnce();
    // (A limit long enough for the read that follows to mint and read in time on a busy machine.)
    const client = clientWith(token, { timeoutMs: 2000, maxRetries: 0 });
    // Three requests at once share the one fetch, and time out waiting for it.
    const waits = await Promise.all([1, 2, 3].map(() => client.queue.status(job_id).catch((e) => e)));
    expect(waits.map((e) => e.message)).toEqual(Array(3).fill(expect.stringContaining("no client token")));
    expect(token.calls).toBe(1);
    expect((await client.queue.status(job_id)).job_id).toBe(job_id);
    expect(token.calls).toBe(2);

    // A request aborted while it waits gives the fetch up too.
    const abandoned = hangingOnce();
    const other = clientWith(abandoned, { maxRetries: 0 });
    const controller = new AbortController();
    const read = other.queue.status(job_id, { signal: controller.signal }).catch((e) => e);
    controller.abort();
    expect((await read).name).toBe("AbortError");
    expect((await other.queue.status(job_id)).job_id).toBe(job_id);
    expect(abandoned.calls).toBe(2);
  });

  // A fetch the client gave up on (it did not settle in time) that failed later counted toward the third failure in a
  // row: two failures of the fetches after it, the client waiting for each, ended the second call with the final
  // TOKEN_ERROR "3 times in a row".
  it("a fetch given up on that fails later is not counted: two failures after it are still retryable", async () => {
    const { job_id } = await clientFor(emu).queue.submit({ model, prompt: "a late failure" });
    const blip = new TypeError("fetch failed");
    const retryable = { code: "TOKEN_ERROR", retryable: true, message: "Could not get a client token: fetch failed" };
    // Each fetch's outcome, settled by the test (`fail`), or a token (`mint`); `asked` counts the fetches.
    const fails: ((e: unknown) => void)[] = [];
    let mint = false;
    const fetcher = minting();
    const token = () => {
      token.asked++;
      return mint ? fetcher() : new Promise<ClientToken>((_, reject) => fails.push(reject));
    };
    token.asked = 0;
    // A read given 50 ms (its deadline) gives its fetch up when that runs out; the others wait the client's 60 s.
    const client = clientWith(token, { maxRetries: 0 });
    const read = (deadline?: number) => client.queue.status(job_id, { deadline }).catch((e) => e);

    // The first fetch does not settle in time: the call gives it up. It fails later, nobody waiting for it.
    expect((await read(Date.now() + 50)).message).toContain("no client token");
    fails[0]!(blip);
    await drain();
    // Two fetches fail, the client waiting for each: a first and a second failure in a row, both retryable.
    for (let i = 1; i <= 2; i++) {
      const failing = read();
      await until(() => fails.length > i);
      fails[i]!(blip);
      expect(await failing).toMatchObject(retryable);
    }
    mint = true;
    expect((await read()).job_id).toBe(job_id);
    expect(token.asked).toBe(4);

    // The same when the fetch given up on fails while the next one is going on.
    mint = false;
    fails.length = 0;
    const later = createDecartClient({ token, baseUrl: emu.url, logger: silent, maxRetries: 0 });
    const readLater = (deadline?: number) => later.queue.status(job_id, { deadline }).catch((e) => e);
    expect((await readLater(Date.now() + 50)).message).toContain("no client token");
    const second = readLater();
    await until(() => fails.length === 2);
    fails[0]!(blip);
    await drain();
    fails[1]!(blip);
    expect(await second).toMatchObject(retryable);
    const third = readLater();
    await until(() => fails.length === 3);
    fails[2]!(blip);
    expect(await third).toMatchObject(retryable);
  });

  it("a token that comes after its waiter gave up is kept: the next request sends it, asking nothing", async () => {
    const fetcher = minting();
    const { job_id } = await clientFor(emu).queue.submit({ model, prompt: "late token" });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const late = fetcher().then(async (token) => {
      await gate;
      return token;
    });
    // (A second, not less: the read after the token came is the emulator's, on a loaded machine too.)
    const client = clientWith(() => late, { timeoutMs: 1000, maxRetries: 0 });
    expect((await client.queue.status(job_id).catch((e) => e)).message).toContain("no client token");
    release();
    await late;
    await drain();
    expect((await client.queue.status(job_id)).job_id).toBe(job_id);
    expect(fetcher.calls).toBe(1);
  });

  // One request's abort while it waited for a fetch shared with others forgot that fetch although the others still
  // waited for it: the next request started a second fetch at once, and the shared fetch's failure, when it came, was
  // not counted toward the third failure in a row.
  describe("a fetch shared by several requests, one of them aborted, is still the one going on for the others", () => {
    /** A token fetcher whose fetches the test settles (`settle[i]`, a token or a failure); `asked` counts them. */
    const byHand = () => {
      const fetcher = minting();
      const settle: ((failure?: unknown) => void)[] = [];
      const token = () => {
        token.asked++;
        return new Promise<ClientToken>((resolve, reject) =>
          settle.push((failure) => (failure ? reject(failure) : resolve(fetcher()))),
        );
      };
      token.asked = 0;
      return { token, settle };
    };

    it("the next request shares it: one fetch in flight", async () => {
      const { job_id } = await clientFor(emu).queue.submit({ model, prompt: "one fetch" });
      const { token, settle } = byHand();
      const client = clientWith(token, { maxRetries: 0 });
      const controller = new AbortController();
      const aborted = client.queue.status(job_id, { signal: controller.signal }).catch((e) => e);
      const waiting = client.queue.status(job_id);
      await until(() => token.asked === 1);
      controller.abort();
      expect((await aborted).name).toBe("AbortError");
      const next = client.queue.status(job_id);
      await drain();
      expect(token.asked).toBe(1);
      settle[0]!();
      expect((await waiting).job_id).toBe(job_id);
      expect((await next).job_id).toBe(job_id);
      expect(token.asked).toBe(1);
    });

    it("its failure counts: the third failure in a row is the final TOKEN_ERROR", async () => {
      const { job_id } = await clientFor(emu).queue.submit({ model, prompt: "counted" });
      const blip = new TypeError("fetch failed");
      const { token, settle } = byHand();
      const client = clientWith(token, { maxRetries: 0 });
      const read = (signal?: AbortSignal) => client.queue.status(job_id, { signal }).catch((e) => e);
      // Two failures in a row, each waited for: retryable.
      for (let i = 0; i < 2; i++) {
        const failing = read();
        await until(() => settle.length > i);
        settle[i]!(blip);
        expect(await failing).toMatchObject({ code: "TOKEN_ERROR", retryable: true });
      }
      // The third fetch, shared by two requests; one is aborted, the other still waits when it fails.
      const controller = new AbortController();
      const aborted = read(controller.signal);
      const waiting = read();
      await until(() => settle.length === 3);
      controller.abort();
      expect((await aborted).name).toBe("AbortError");
      settle[2]!(blip);
      expect(await waiting).toMatchObject({
        code: "TOKEN_ERROR",
        retryable: false,
        message: "Could not get a client token 3 times in a row: fetch failed",
        cause: blip,
      });
      expect(token.asked).toBe(3);
    });
  });

  it("refuses `token` with `apiKey` or `proxy`, and a fetcher that answers no key", async () => {
    const fetcher = minting();
    // (Refused by the types too.)
    expect(() => createDecartClient({ token: fetcher, apiKey: "k" } as never)).toThrow(/token/);
    expect(() => createDecartClient({ token: fetcher, proxy: "/api/decart" } as never)).toThrow(/token/);
    const client = clientWith(async () => ({ apiKey: "", expiresAt: "soon" }) as ClientToken, { maxRetries: 0 });
    await expect(client.queue.status("job_x")).rejects.toMatchObject({ code: "TOKEN_ERROR" });
  });
});

describe("fetchTokenFrom", () => {
  it("POSTs to a token route and reads its token; a refusal is a typed error", async () => {
    const route = createTokenRoute({
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      authorize: (request) => request.headers.get("authorization") === "Bearer user",
    });
    // The route behind a node:http server, as a framework would serve it.
    const server = createServer(async (req, res) => {
      const answer = await route(
        new Request(`http://127.0.0.1${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
        }),
      );
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(await answer.text());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/decart-token`;
    try {
      const token = await fetchTokenFrom(url, { headers: { authorization: "Bearer user" } })();
      expect(token.apiKey).toMatch(/^ek_/);
      const client = clientWith(fetchTokenFrom(url, { headers: { authorization: "Bearer user" } }));
      const done = await client.queue.submitAndPoll({ model, prompt: "through the route" });
      expect(done.status).toBe("completed");
      const refused = await fetchTokenFrom(url)().catch((e) => e);
      expect(refused.status).toBe(403);
      expect(refused.message).toContain(url);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("reads at most the first MiB of the route's answer: a longer one is an InvalidResponseError, an endless one ends", async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const chunk = "x".repeat(64 * 1024);
    const server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      // A valid token, padded to 2 MiB.
      if (req.url === "/padded")
        return void res.end(JSON.stringify({ apiKey: "ek_padded", expiresAt, pad: chunk.repeat(32) }));
      // An answer that never ends: written as fast as it is read.
      res.write('{"apiKey":"ek_endless","pad":"');
      const more = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on("drain", more);
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ["/padded", "/endless"]) {
        const error = await fetchTokenFrom(url + path)().catch((e) => e);
        expect(error, path).toBeInstanceOf(InvalidResponseError);
        expect(error.retryable).toBe(true);
        expect(error.message).toContain(`Token route ${url}${path}: not JSON`);
        expect(error.message.length).toBeLessThan(300);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("fetchTokenFrom: an answer that is not JSON", () => {
  it("a token answered as text is shown by its length alone (nor in the cause); other text cut as the API's", async () => {
    const token = "ek_client_t0ken_0123456789abcdef0123456789";
    const server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(req.url === "/token" ? token : `an error page ${"y".repeat(200)}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const error = await fetchTokenFrom(`${url}/token`)().catch((e) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.message).toBe(`Token route ${url}/token: not JSON (${token.length} characters)`);
      expect(error.cause).toBeUndefined();
      const page = await fetchTokenFrom(`${url}/page`)().catch((e) => e);
      expect(page.message).toBe(`Token route ${url}/page: not JSON ("an error page")`);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("fetchTokenFrom's own timer", () => {
  it("a route that never answers, or whose answer stalls, is a retryable TOKEN_ERROR after timeoutMs, not a wait for ever", async () => {
    // Never answers the first path; answers the other's head, then nothing more.
    const server = createServer((req, res) => {
      if (req.url === "/stalled") res.writeHead(200, { "content-type": "application/json" }).write('{"apiKey":');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const path of ["/silent", "/stalled"]) {
        const error = await fetchTokenFrom(url + path, undefined, 50)().catch((e) => e);
        expect(error, path).toBeInstanceOf(DecartError);
        expect(error).toMatchObject({ code: "TOKEN_ERROR", retryable: true });
        expect(error.message).toBe(`Token route ${url}${path}: no answer within 50 ms`);
      }
      // A client on it is not held by the route either: its call fails, naming why, and asks again.
      const client = clientWith(fetchTokenFrom(`${url}/silent`, undefined, 50), {
        maxRetries: 1,
        poll: { delay: instantDelay() },
      });
      const error = await client.queue.status("job_x").catch((e) => e);
      expect(error).toMatchObject({ code: "TOKEN_ERROR" });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("bounds the call whatever init holds (a signal of yours, or signal: undefined written out); your signal aborts it too", async () => {
    const server = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/silent`;
    try {
      for (const init of [{ signal: undefined }, { signal: null }, { signal: new AbortController().signal }]) {
        const error = await fetchTokenFrom(url, { headers: { "x-page": "1" }, ...init }, 50)().catch((e) => e);
        expect(error).toMatchObject({ code: "TOKEN_ERROR", retryable: true });
        expect(error.message).toBe(`Token route ${url}: no answer within 50 ms`);
      }
      // Your signal, aborted while the route is silent, or before: the request ends with its reason.
      const mine = new AbortController();
      const pending = fetchTokenFrom(url, { signal: mine.signal })().catch((e) => e);
      mine.abort("the page left");
      expect(await pending).toMatchObject({ code: "TOKEN_ERROR", message: `Token route ${url}: the page left` });
      const early = await fetchTokenFrom(url, { signal: AbortSignal.abort("gone") })().catch((e) => e);
      expect(early).toMatchObject({ code: "TOKEN_ERROR", message: `Token route ${url}: gone` });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("shows the route's URL without its credentials and query, and keeps fetch's error (which quotes them) out", async () => {
    const server = createServer((req) => req.socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const url of [
        `${origin.replace("//", "//user:SECRET@")}/token?sig=SECRET#SECRET`,
        `${origin}/token?sig=SECRET`,
      ]) {
        const error = await fetchTokenFrom(url)().catch((e) => e);
        expect(error).toMatchObject({ code: "TOKEN_ERROR", retryable: true });
        expect(error.message).toMatch(new RegExp(`^Token route ${origin}/token: `));
        expect(error.message).not.toContain("SECRET");
        expect(error.cause).toBeUndefined();
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("a function of yours that throws a value that cannot be written as text", () => {
  const unprintable = {
    toString() {
      throw new Error("not as text either");
    },
  };
  const unreadable = new Proxy(
    {},
    {
      get() {
        throw new Error("no property can be read");
      },
    },
  );
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();

  it("isInstance and instanceof answer false for a value whose marker cannot be read, rather than throw", () => {
    for (const value of [unreadable, revoked]) {
      expect(DecartError.isInstance(value)).toBe(false);
      expect(InvalidResponseError.isInstance(value)).toBe(false);
      expect(value instanceof DecartError).toBe(false);
    }
  });

  it.each([
    ["an object whose toString throws", unprintable, "?"],
    ["a Symbol", Symbol("no token"), "Symbol(no token)"],
    ["null", null, "null"],
    ["a Proxy whose every property read throws", unreadable, "?"],
    ["a revoked Proxy", revoked, "?"],
  ])(
    "a token fetcher that throws %s: TOKEN_ERROR saying so, not a CONNECTION_ERROR or a TypeError",
    async (_, thrown, text) => {
      let calls = 0;
      const sent = emu.stats().requests.total;
      const client = clientWith(
        async () => {
          calls++;
          throw thrown;
        },
        { maxRetries: 0 },
      );
      const error = await client.queue.status("job_x").catch((e) => e);
      expect(error).toMatchObject({ name: "DecartError", code: "TOKEN_ERROR" });
      expect(error.message).toBe(`Could not get a client token: ${text}`);
      expect(error.cause).toBe(thrown);
      expect(calls).toBe(1);
      expect(emu.stats().requests.total).toBe(sent); // nothing sent without a key
    },
  );

  it("an upload function that throws a Symbol: a ConnectionError that writes it, not an INVALID_RESPONSE", async () => {
    const client = createDecartClient({
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      logger: silent,
      maxRetries: 0,
      upload: () => {
        throw Symbol("no route");
      },
    });
    const error = await client.queue.submit({ model, prompt: "unsent" }).catch((e) => e);
    expect(error).toMatchObject({ name: "ConnectionError", code: "SUBMIT_OUTCOME_UNKNOWN" });
    expect(error.message).toMatch(/: connection failed \(Symbol\(no route\)\); a job \(or file\) may exist/);
  });

  it.each([
    ["a Symbol", Symbol("no download"), "Symbol(no download)"],
    ["an object whose toString throws", unprintable, "?"],
  ])(
    "your fetch throwing %s for a URL input: InvalidInputError naming the field and writing it, nothing submitted",
    async (_, thrown, text) => {
      const site = await serveBytes(new Uint8Array([1, 2, 3]), "image/png");
      try {
        const submits = emu.stats().requests.byRoute.submit ?? 0;
        let asked = 0;
        const client = createDecartClient({
          apiKey: emu.apiKey,
          baseUrl: emu.url,
          logger: silent,
          // The API's requests go out; the URL input's download throws.
          fetch: (input, init) => {
            if (!String(input).startsWith(site.url)) return fetch(input, init);
            asked++;
            throw thrown;
          },
        });
        const url = `${site.url}/frame.png`;
        const error = await client.queue
          .submit({ model: models.video("lucy-pro-i2v"), prompt: "move", data: url })
          .catch((e) => e);
        expect(error).toBeInstanceOf(InvalidInputError);
        expect(error).toMatchObject({ field: "data", expected: "a reachable http(s) URL" });
        expect(error.message).toBe(`Could not download "data" from ${url}: ${text}`);
        // (Not the cause: what fetch throws may quote the URL, credentials and signature included.)
        expect(error.cause).toBeUndefined();
        expect(asked).toBe(1);
        expect(site.hits()).toBe(0);
        expect(emu.stats().requests.byRoute.submit ?? 0).toBe(submits);
      } finally {
        await site.close();
      }
    },
  );

  it.each([
    [
      "an error whose message getter throws",
      Object.defineProperty(new Error("unreadable"), "message", {
        get() {
          throw new Error("not readable either");
        },
      }),
      "?",
    ],
    [
      "a Proxy whose every property read throws",
      new Proxy(
        {},
        {
          get() {
            throw new Error("no property can be read");
          },
        },
      ),
      "?",
    ],
    [
      "an object whose code, errors, cause and message getters throw",
      Object.defineProperties(
        {},
        Object.fromEntries(
          ["code", "errors", "cause", "message"].map((name) => [
            name,
            {
              get() {
                throw new Error(`no ${name}`);
              },
            },
          ]),
        ),
      ),
      "[object Object]",
    ],
  ])(
    "your fetch throwing %s: a ConnectionError that writes it (? when that throws), not an INVALID_RESPONSE or a raw throw",
    async (_, thrown, text) => {
      let asked = 0;
      const client = createDecartClient({
        apiKey: emu.apiKey,
        baseUrl: emu.url,
        logger: silent,
        maxRetries: 0,
        fetch: () => {
          asked++;
          throw thrown;
        },
      });
      const read = await client.queue.status("job_x").catch((e) => e);
      expect(read).toBeInstanceOf(ConnectionError);
      expect(read).toMatchObject({ code: "CONNECTION_ERROR", retryable: true });
      expect(read.cause).toBe(thrown);
      expect(read.message).toBe(`GET ${emu.url}/v1/jobs/job_x: connection failed (${text})`);
      const submit = await client.queue.submit({ model, prompt: "unsent" }).catch((e) => e);
      expect(submit).toBeInstanceOf(ConnectionError);
      expect(submit).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(submit.cause).toBe(thrown);
      expect(submit.message).toContain(`: connection failed (${text}); a job (or file) may exist`);
      expect(asked).toBe(2);
    },
  );

  it.each([
    ["whose toString throws", unprintable],
    ["that is a Proxy whose every property read throws", unreadable],
    ["that is a revoked Proxy", revoked],
  ])("a watch handed a failure %s: an InvalidResponseError carrying the job id, not a raw throw", async (_, thrown) => {
    const client = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, logger: silent });
    const { job_id } = await client.queue.submit({ model, prompt: "watched by hand" });
    const watch = client.queue.createWatch(job_id, { model });
    watch.start();
    const { next } = watch.error(thrown);
    expect((next as { error: unknown }).error).toMatchObject({
      name: "InvalidResponseError",
      jobId: job_id,
      message: "Unexpected answer: ?",
    });
  });
});
