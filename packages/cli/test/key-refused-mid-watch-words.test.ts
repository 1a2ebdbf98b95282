/**
 * A key refused (401) after a job's status was read once, while the CLI watches it: the client adds its own advice
 * for a library's caller (`follow it with queue.wait(jobId) from a client with a valid key`, and for a client token
 * `give token: fetchTokenFrom(…)`); the CLI says its own words instead, whatever the client appends after which: where
 * the key comes from (`--api-key`, `DECART_API_KEY`) and the command that picks the job up (`decart … jobs wait …`).
 * Against the emulator, through a proxy that answers every status read after a job's first with 401.
 */
import { request } from "node:http";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, printed, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
/** The emulator's clock, which never moves: a job stays pending. */
const clock = Date.now();
useEmulator({ timing: { pendingMs: 1000, processingMs: 1000 }, now: () => clock }, (f) => ({ emu, env, dir } = f), {
  ownDir: true,
});

/** Status reads the proxy passed on, by job id. */
const reads = new Map<string, number>();
let proxy: Loopback;
beforeAll(async () => {
  const base = new URL(emu.url);
  proxy = await listenOnLoopback((req, res) => {
    const status = req.method === "GET" ? /^\/v1\/jobs\/([^/]+)$/.exec(req.url!) : null;
    if (status) {
      const seen = reads.get(status[1]!) ?? 0;
      reads.set(status[1]!, seen + 1);
      if (seen > 0) {
        res.writeHead(401, { "content-type": "application/json", "x-request-id": "req_refused" });
        res.end('{"detail":"Invalid API key."}');
        return;
      }
    }
    const forward = request(
      new URL(req.url!, base),
      { method: req.method, headers: { ...req.headers, host: base.host } },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
});
afterAll(() => proxy?.close());

/** A client token (`ek_…`) the emulator issues for the test key. */
async function token(): Promise<string> {
  const answer = await fetch(`${emu.url}/v1/client/tokens`, {
    method: "POST",
    headers: { "x-api-key": KEY, "content-type": "application/json" },
    body: "{}",
  });
  const { apiKey } = (await answer.json()) as { apiKey: string };
  expect(apiKey).toMatch(/^ek_/);
  return apiKey;
}

/** The library's advice, which a terminal's user cannot follow. */
const LIBRARY = ["queue.wait", "fetchTokenFrom", "apiKey", "token source"];

describe("a key refused mid-watch is told in the CLI's words", () => {
  it("a key (dct_…), video: where the key comes from, then decart jobs wait -o", async () => {
    const at = { ...env, DECART_BASE_URL: proxy.url };
    const out = join(dir, "lake.mp4");
    const made = await run(["video", "A lake", "-o", out], { env: at });
    expect(made.code, made.stderr).toBe(4);
    const [submitted, status, error] = events(made.stdout);
    const jobId: string = submitted!.job_id;
    expect(status).toMatchObject({ type: "status", job_id: jobId, status: "pending" });
    expect(error).toMatchObject({ type: "error", exit_code: 4, job_id: jobId });
    for (const text of [error!.message as string, made.stderr]) {
      expect(text).toContain(`Job ${jobId} exists and goes on (it bills): `);
      expect(text).toContain("; check the key given by --api-key or DECART_API_KEY");
      for (const words of LIBRARY) expect(text).not.toContain(words);
    }
    expect(made.stderr).toContain(
      `The job ${jobId} may still finish; with a valid key: ${printed(at, "jobs", "wait", jobId, "-o", out)}`,
    );
  });

  it("a client token (ek_…) expiring, video and jobs wait: a valid key or a new token, then decart jobs wait", async () => {
    const at = { ...env, DECART_BASE_URL: proxy.url, DECART_API_KEY: await token() };
    const out = join(dir, "snow.mp4");
    const made = await run(["video", "Snow", "-o", out], { env: at });
    expect(made.code, made.stderr).toBe(4);
    const jobId: string = events(made.stdout)[0]!.job_id;
    // The job's first read answers again (another command, another watch), the next one is refused.
    reads.delete(jobId);
    const waited = await run(["jobs", "wait", jobId], { env: at });
    expect(waited.code, waited.stderr).toBe(4);
    for (const ran of [made, waited]) {
      const error = events(ran.stdout).at(-1)!;
      expect(error).toMatchObject({ type: "error", exit_code: 4, job_id: jobId });
      for (const text of [error.message as string, ran.stderr]) {
        expect(text).toContain(`Job ${jobId} exists and goes on (it bills): `);
        expect(text).toContain(
          "; a client token (ek_…) expires and the CLI does not renew it: set a valid API key (dct_…), or a new token, in DECART_API_KEY or --api-key",
        );
        expect(text).not.toContain("check the key given");
        for (const words of LIBRARY) expect(text).not.toContain(words);
      }
      expect(ran.stderr).toContain(
        `The job ${jobId} may still finish; with a valid key: ${printed(at, "jobs", "wait", jobId, "-o", out)}`,
      );
    }
  });
});
