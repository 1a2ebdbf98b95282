/**
 * A key refused (401) after the job was made (revoked before the first status read, or between `completed` and the
 * download) ends `submitAndPoll` with an `AuthenticationError` that says the job exists and how to follow it: with a
 * valid key. A client whose `token` source can give a valid key again may watch it again (`canWatchAgain`); one of a
 * fixed key is told to watch it from a client with a valid key. Over HTTP: the emulator behind a proxy that answers
 * 401 for a revoked key and sends a second key to the emulator as the first (the same account).
 */
import { createServer, request } from "node:http";
import type { Emulator } from "@decart/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { AuthenticationError, canWatchAgain, type DecartError, models } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

const KEY = "dct_first_key_000000000000000000000";
const SECOND = "dct_second_key_11111111111111111111";
const model = models.video("lucy-pro-t2v");

let emu: Emulator | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  await emu?.close();
  emu = close = undefined;
});

/** The emulator (key `KEY`) behind a proxy that refuses the keys in `revoked` (401) and sends `SECOND` as `KEY`. */
async function revokingProxy() {
  emu = await startFast({ keys: [KEY] });
  const target = new URL(emu.url);
  const revoked = new Set<string>();
  const server = createServer((req, res) => {
    const key = req.headers["x-api-key"] as string;
    if (revoked.has(key)) {
      req.resume();
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ detail: "Invalid API key." }));
      return;
    }
    const headers = { ...req.headers, "x-api-key": key === SECOND ? KEY : key };
    const out = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (r) => {
        res.writeHead(r.statusCode!, r.headers);
        r.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, revoked };
}

describe("a key refused after the job was made", () => {
  for (const at of ["submitted", "completed"] as const)
    it(`a fixed key revoked at ${at}: the error says the job exists and to watch it with a valid key`, async () => {
      const { url, revoked } = await revokingProxy();
      const client = clientFor(emu!, { apiKey: KEY, baseUrl: url });
      const error = (await client.queue
        .submitAndPoll({
          model,
          prompt: "A lake",
          onSubmitted: () => at === "submitted" && revoked.add(KEY),
          onStatusChange: (job) => job.status === at && revoked.add(KEY),
        })
        .catch((e) => e)) as DecartError;
      expect(AuthenticationError.isInstance(error)).toBe(true);
      expect([error.status, typeof error.jobId]).toEqual([401, "string"]);
      expect(error.message).toBe(
        `Job ${error.jobId} ${at === "completed" ? "completed; its result not downloaded" : "exists and goes on (it bills)"}: Invalid API key. (HTTP 401); follow it with queue.wait(jobId) from a client with a valid key`,
      );
      // The key cannot change: another watch of this client would meet the 401 again.
      expect(canWatchAgain(error)).toBe(false);
      // A client with a valid key follows the same job to its end: one job.
      const valid = clientFor(emu!, { apiKey: SECOND, baseUrl: url });
      expect((await valid.queue.wait(error.jobId!)).status).toBe("completed");
      expect(emu!.stats().jobsCreated).toBe(1);
    });

  it("a token source's key revoked mid-watch: watched again once the source gives a valid key", async () => {
    const { url, revoked } = await revokingProxy();
    // The source answers the revoked key until the user signs in again (`current` becomes the second key).
    let current = KEY;
    const client = clientFor(emu!, {
      apiKey: undefined,
      baseUrl: url,
      token: async () => ({ apiKey: current, expiresAt: new Date(Date.now() + 3600e3).toISOString() }),
    });
    const error = (await client.queue
      .submitAndPoll({ model, prompt: "A lake", onSubmitted: () => revoked.add(KEY) })
      .catch((e) => e)) as DecartError;
    expect([error.code, error.status]).toEqual(["AUTHENTICATION", 401]);
    expect(error.message).toBe(
      `Job ${error.jobId} exists and goes on (it bills): Invalid API key. (HTTP 401); follow it with queue.wait(jobId) once the token source gives a valid key`,
    );
    expect(canWatchAgain(error)).toBe(true);
    current = SECOND;
    expect((await client.queue.wait(error.jobId!)).status).toBe("completed");
    expect(emu!.stats().jobsCreated).toBe(1);
  });
});
