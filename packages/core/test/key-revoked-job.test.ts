/**
 * A key refused (401) after the job was made (revoked before the first status read, or between `completed` and the
 * download) ends `submitAndPoll` with an `AuthenticationError` that says the job exists and how to follow it: with a
 * valid key. A client whose `token` source can give a valid key again may watch it again (`canWatchAgain`); one of a
 * fixed key is told to watch it from a client with a valid key. Over HTTP: the emulator behind a proxy that answers
 * 401 for a revoked key and sends a second key to the emulator as the first (the same account).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import { fileURLToPath } from "node:url";
import type { Emulator } from "@decart/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { AuthenticationError, canWatchAgain, type DecartClient, type DecartError, models } from "../src/index.js";
import { clientFor, fastPoll, startFast } from "./helpers.js";

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
  const asked: string[] = [];
  emu = await startFast({ keys: [KEY] });
  const target = new URL(emu.url);
  const revoked = new Set<string>();
  const server = createServer((req, res) => {
    const key = req.headers["x-api-key"] as string;
    asked.push(key);
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
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, revoked, asked };
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

describe("the README's key rotation: a token function that answers the current key", () => {
  // Its sample as written, as a module of this package: `@decart/core` is the source, and the client it makes is given
  // the test's server and a quick schedule besides; it answers the client, and a way to set the key it reads.
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.split("\n### Rotating a key without a new client\n")[1]?.split("\n## ")[0] ?? "";
  const [, sample] = /```ts\n([\s\S]*?)```/.exec(section) ?? [];

  it("a key rotated mid-watch: the job completes, one job, the new key sent after the old one's 401", async () => {
    expect(sample).toContain("token: async () => ({ apiKey,");
    const { url, revoked, asked } = await revokingProxy();
    const dir = new URL("../.vitest-results/", import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL("readme-rotation.sample.ts", dir);
    writeFileSync(
      file,
      `${sample!
        .replace('"@decart/core"', JSON.stringify(fileURLToPath(new URL("../src/index.js", import.meta.url))))
        .replace(
          "createDecartClient({",
          "createDecartClient({ ...(globalThis as any).sampleOptions,",
        )}\nexport { client };\nexport const rotate = (key: string) => {\n  apiKey = key;\n};\n`,
    );
    const env = process.env.DECART_API_KEY;
    process.env.DECART_API_KEY = KEY;
    (globalThis as any).sampleOptions = { baseUrl: url, logger: { warn() {}, debug() {} }, poll: fastPoll };
    let module: { client: DecartClient; rotate: (key: string) => void };
    try {
      module = await import(fileURLToPath(file));
    } finally {
      process.env.DECART_API_KEY = env;
      if (env === undefined) delete process.env.DECART_API_KEY;
      delete (globalThis as any).sampleOptions;
    }
    const result = await module.client.queue.submitAndPoll({
      model,
      prompt: "A lake",
      // Rotated once the job is made: the new key set, then the old one revoked.
      onSubmitted: () => {
        module.rotate(SECOND);
        revoked.add(KEY);
      },
    });
    expect(result.status).toBe("completed");
    expect(emu!.stats().jobsCreated).toBe(1);
    // The old key until its 401, then the new one.
    const first = asked.indexOf(SECOND);
    expect([asked[0], asked[first - 1], first > 1, asked.slice(first).every((k) => k === SECOND)]).toEqual([
      KEY,
      KEY,
      true,
      true,
    ]);
  });
});
