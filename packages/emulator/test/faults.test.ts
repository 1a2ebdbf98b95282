import { createHook } from "node:async_hooks";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, type EmulatorOptions, emulatorOptionsFromFlags, seededRandom } from "../src/index.js";
import { distinct, fakeMsUntil, form, get, pollUntil, post, raw, samplePng, start, submit } from "./helpers.js";

let emu: Emulator | undefined;
async function fresh(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await start(options);
  return emu;
}
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function completedJob(e: Emulator): Promise<string> {
  const id = await submit(e, "lucy-pro-t2v", { prompt: "fault target" });
  await pollUntil(e, id);
  return id;
}

/**
 * GET through node:http, collecting what arrives until the response ends, errors, or `waitMs` passes after the first
 * bytes of the body (counted from then, not from the request, so that a slow start on a loaded machine takes nothing
 * from the wait).
 */
function partialGet(
  e: Emulator,
  path: string,
  fault: string,
  waitMs: number,
): Promise<{ status: number; declared: number; received: number; ended: boolean; error: boolean }> {
  const u = new URL(e.url);
  return new Promise((resolve) => {
    let received = 0;
    let declared = -1;
    let status = 0;
    let settled = false;
    const done = (ended: boolean, error: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status, declared, received, ended, error });
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const req = request(
      { host: u.hostname, port: u.port, path, headers: { "x-api-key": e.apiKey, "x-emulator-fault": fault } },
      (res) => {
        status = res.statusCode ?? 0;
        declared = Number(res.headers["content-length"]);
        res.on("data", (c: Buffer) => {
          timer ??= setTimeout(() => done(false, false), waitMs);
          received += c.length;
        });
        res.on("end", () => done(true, false));
        res.on("aborted", () => done(false, true));
        res.on("error", () => done(false, true));
      },
    );
    req.on("error", () => done(false, true));
    req.end();
  });
}

/**
 * GET through node:http with a forced fault (none: `undefined`), or a POST of `body`: the body's pieces as the client
 * read them, and the bytes the emulator (in this process) had served when the first piece was read.
 */
function piecesOf(
  e: Emulator,
  path: string,
  fault: string | undefined,
  body?: { type: string; bytes: Buffer },
): Promise<{ status: number; declared: number; chunks: Buffer[]; ended: boolean; servedAtFirst: number }> {
  const u = new URL(e.url);
  const before = e.stats().bytesServed;
  const headers: Record<string, string> = { "x-api-key": e.apiKey };
  if (fault !== undefined) headers["x-emulator-fault"] = fault;
  if (body) headers["content-type"] = body.type;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let servedAtFirst = -1;
    const req = request({ host: u.hostname, port: u.port, path, method: body ? "POST" : "GET", headers }, (res) => {
      res.on("data", (c: Buffer) => {
        if (chunks.length === 0) servedAtFirst = e.stats().bytesServed - before;
        chunks.push(c);
      });
      res.on("end", () => {
        const declared = Number(res.headers["content-length"]);
        resolve({ status: res.statusCode ?? 0, declared, chunks, ended: true, servedAtFirst });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body?.bytes);
  });
}

describe("error faults (x-emulator-fault header)", () => {
  it.each([
    ["429", 429],
    ["500", 500],
    ["503", 503],
    ["504", 504],
  ] as const)("answers %s with a JSON detail, and a rejected submit creates no job", async (kind, status) => {
    const e = await fresh();
    const res = await post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }), { "x-emulator-fault": kind });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(typeof ((await res.json()) as { detail: string }).detail).toBe("string");
    expect(res.headers.get("retry-after")).toBeNull();
    const stats = e.stats();
    expect(stats.jobsCreated).toBe(0);
    expect(stats.jobsKept).toBe(0);
    expect(stats.faultsInjected).toEqual({ [kind]: 1 });
  });

  it("sends Retry-After when asked", async () => {
    const e = await fresh();
    const res = await get(e, "/v1/jobs/job_x", { "x-emulator-fault": "429; retry-after=7" });
    // a fault on status needs the job to exist; an unknown job is a plain 404
    expect(res.status).toBe(404);
    const id = await completedJob(e);
    const limited = await get(e, `/v1/jobs/${id}`, { "x-emulator-fault": "429; retry-after=7" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    const unavailable = await get(e, `/v1/jobs/${id}`, { "x-emulator-fault": "503;retry-after=0" });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get("retry-after")).toBe("0");
  });

  it("rejects an unknown fault kind in the header (400)", async () => {
    const e = await fresh();
    const res = await post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }), { "x-emulator-fault": "explode" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toContain("explode");
    expect(e.stats().jobsCreated).toBe(0);
  });
});

describe("connection faults", () => {
  it("reset destroys the connection without an answer; the server stays up", async () => {
    const e = await fresh();
    await expect(get(e, "/v1/jobs/job_x", {})).resolves.toHaveProperty("status", 404);
    const id = await completedJob(e);
    await expect(get(e, `/v1/jobs/${id}`, { "x-emulator-fault": "reset" })).rejects.toThrow();
    await expect(
      post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }), { "x-emulator-fault": "reset" }),
    ).rejects.toThrow();
    expect(e.stats().faultsInjected.reset).toBe(2);
    expect(e.stats().jobsCreated).toBe(1);
    expect((await get(e, `/v1/jobs/${id}`)).status).toBe(200);
  });

  it("slow delays the answer by delayMs", async () => {
    const e = await fresh();
    const id = await completedJob(e);
    // The wait is counted in fake ms (its timer's), not on the wall clock: no answer before 250 of them.
    const { ms, value: res } = await fakeMsUntil(async () => {
      const res = await get(e, `/v1/jobs/${id}`, { "x-emulator-fault": "slow; delay=250" });
      await res.clone().json();
      return res;
    });
    expect(res.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(e.stats().faultsInjected.slow).toBe(1);
  });

  it("truncate declares the full Content-Length and closes part-way", async () => {
    const e = await fresh();
    const id = await completedJob(e);
    const r = await partialGet(e, `/v1/jobs/${id}/content`, "truncate", 5000);
    expect(r.status).toBe(200);
    expect(r.declared).toBeGreaterThan(1000);
    expect(r.received).toBeLessThan(r.declared);
    expect(r.ended).toBe(false);
    expect(r.error).toBe(true);
    await expect(
      get(e, `/v1/jobs/${id}/content`, { "x-emulator-fault": "truncate" }).then((x) => x.arrayBuffer()),
    ).rejects.toThrow();
  });

  it("stall sends part of the body and then nothing (no delay: until the client gives up)", async () => {
    const e = await fresh();
    const id = await completedJob(e);
    const r = await partialGet(e, `/v1/jobs/${id}/content`, "stall", 400);
    expect(r.status).toBe(200);
    expect(r.received).toBeGreaterThan(0);
    expect(r.received).toBeLessThan(r.declared);
    expect(r.ended).toBe(false);
    expect(r.error).toBe(false);
  });

  it("stall with a delay resumes and completes the body", async () => {
    const e = await fresh();
    const id = await completedJob(e);
    const r = await partialGet(e, `/v1/jobs/${id}/content`, "stall; delay=100", 10_000);
    expect(r.ended).toBe(true);
    expect(r.received).toBe(r.declared);
  });

  it("a wait ends when its client leaves: slow, stall with a delay, a synchronous route's job time", async () => {
    // Each wait is a timer of the emulator's (in this process) for DELAY ms; the request it belongs to is held until the
    // wait ends. A client that leaves must end it (the timer cleared), however long the delay.
    const DELAY = 2_000_000_000;
    const waits: { _destroyed?: boolean }[] = [];
    const hook = createHook({
      init(_id, type, _trigger, resource) {
        if (type === "Timeout" && (resource as { _idleTimeout?: number })._idleTimeout === DELAY) waits.push(resource);
      },
    });
    let answered: (() => void) | undefined;
    const e = await fresh({
      jobTimeoutMs: DELAY,
      logger: (line) => (line.includes(" → ") ? answered?.() : undefined),
    });
    const id = await completedJob(e);
    const host = new URL(e.url).host;
    const form = "prompt=%5Bstuck%5D";
    hook.enable();
    try {
      for (const head of [
        `GET /v1/jobs/${id}/content HTTP/1.1\r\nx-emulator-fault: slow; delay=${DELAY}\r\n`,
        `GET /v1/jobs/${id}/content HTTP/1.1\r\nx-emulator-fault: stall; delay=${DELAY}\r\n`,
        `POST /v1/generate/lucy-pro-t2i HTTP/1.1\r\ncontent-type: application/x-www-form-urlencoded\r\n` +
          `content-length: ${form.length}\r\n`,
      ]) {
        waits.length = 0;
        const socket = connect(Number(new URL(e.url).port), "127.0.0.1");
        socket.on("error", () => {});
        socket.write(`${head}host: ${host}\r\nx-api-key: ${e.apiKey}\r\n\r\n${head.startsWith("POST") ? form : ""}`);
        while (waits.length === 0) await new Promise((r) => setImmediate(r)); // the wait has begun
        const closed = new Promise<void>((r) => {
          answered = r;
        });
        socket.destroy();
        await closed; // the emulator saw the client leave
        await new Promise((r) => setImmediate(r));
        expect(waits.length, head).toBe(1);
        expect(waits[0]!._destroyed, head).toBe(true);
      }
    } finally {
      hook.disable();
    }
  });

  it("trickle sends the whole body in chunk-sized writes, a pause apart: the same bytes, read in many pieces", async () => {
    const e = await fresh();
    const id = await completedJob(e);
    const whole = Buffer.from(await (await get(e, `/v1/jobs/${id}/content`)).arrayBuffer());
    const pieces = await piecesOf(e, `/v1/jobs/${id}/content`, "trickle; chunk=8192; delay=5");
    expect(pieces.status).toBe(200);
    expect(pieces.declared).toBe(whole.length);
    expect(Buffer.concat(pieces.chunks).equals(whole)).toBe(true);
    // Each write after the first waits for a timer, and this process reads its socket between timers: however late
    // the first read, the emulator had written a few chunks then, not the body (a clip of more than 6 chunks).
    expect(whole.length).toBeGreaterThan(6 * 8192);
    expect(pieces.servedAtFirst).toBeGreaterThan(0);
    expect(pieces.servedAtFirst).toBeLessThan(whole.length / 2);
    expect(pieces.chunks.length).toBeGreaterThan(1);
    expect(e.stats().faultsInjected.trickle).toBe(1);
  });

  it("trickle's pauses are the emulator's own: a pause longer than the write timeout does not cut the answer", async () => {
    const e = await fresh({ writeTimeoutMs: 100 });
    const id = await completedJob(e);
    const pieces = await piecesOf(e, `/v1/jobs/${id}/content`, "trickle; chunk=8192; delay=250");
    expect(pieces.status).toBe(200);
    expect(pieces.ended).toBe(true);
    expect(Buffer.concat(pieces.chunks).length).toBe(pieces.declared);
  });

  it("trickle from a rule on the content route, as a client that sends no fault header meets it", async () => {
    const e = await fresh({ faults: [{ route: "content", kind: "trickle", chunkBytes: 2048, delayMs: 0 }] });
    const id = await completedJob(e);
    expect((await get(e, `/v1/jobs/${id}`)).status).toBe(200);
    const res = await get(e, `/v1/jobs/${id}/content`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(Number(res.headers.get("content-length")));
    expect(e.stats().faultsInjected).toEqual({ trickle: 1 });
  });

  it("[trickle] in a prompt: the job's content is the trickle fault with its defaults, the same bytes in many pieces", async () => {
    const e = await fresh();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "A lake [trickle]" });
    await pollUntil(e, id);
    const pieces = await piecesOf(e, `/v1/jobs/${id}/content`, undefined);
    expect(pieces.status).toBe(200);
    const whole = Buffer.concat(pieces.chunks);
    expect(whole.length).toBe(pieces.declared);
    expect(createHash("sha256").update(whole).digest("hex")).toBe(e.job(id)!.resultSha256);
    // As above: at the first read, a few 1024-byte writes had gone out, not the clip (50 KB or more).
    expect(whole.length).toBeGreaterThan(6 * 1024);
    expect(pieces.servedAtFirst).toBeGreaterThan(0);
    expect(pieces.servedAtFirst).toBeLessThan(whole.length / 2);
    expect(pieces.chunks.length).toBeGreaterThan(1);
    expect(e.stats().faultsInjected).toEqual({ trickle: 1 });
  });

  it("[trickle] in a prompt: a fault from the header wins, and the synchronous routes trickle their answer too", async () => {
    const e = await fresh({ timing: "fast" });
    const id = await submit(e, "lucy-pro-t2v", { prompt: "A lake [trickle]" });
    await pollUntil(e, id);
    const cut = await partialGet(e, `/v1/jobs/${id}/content`, "truncate", 5000);
    expect(cut.received).toBeLessThan(cut.declared);
    expect(e.stats().faultsInjected).toEqual({ truncate: 1 });

    const request = new Request(e.url, { method: "POST", body: form({ prompt: "A lighthouse [trickle]" }) });
    const body = { type: request.headers.get("content-type")!, bytes: Buffer.from(await request.arrayBuffer()) };
    const pieces = await piecesOf(e, "/v1/generate/lucy-pro-t2i", undefined, body);
    expect(pieces.status).toBe(200);
    const image = Buffer.concat(pieces.chunks);
    expect(image.length).toBe(pieces.declared);
    expect(image.subarray(1, 4).toString()).toBe("PNG");
    expect(pieces.servedAtFirst).toBeLessThan(image.length / 2);
    expect(pieces.chunks.length).toBeGreaterThan(1);
    expect(e.stats().faultsInjected).toEqual({ truncate: 1, trickle: 1 });
  });

  it.each([
    "trickle; chunk=0",
    "trickle; chunk=1.5",
    "trickle; chunk=1048577",
    "trickle; delay=1001",
    "trickle; delay=-1",
    "stall; chunk=64",
  ])("refuses %s in the header (400, naming the bounds)", async (header) => {
    const e = await fresh();
    const id = await completedJob(e);
    const res = await get(e, `/v1/jobs/${id}/content`, { "x-emulator-fault": header });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(((await res.json()) as { detail: string }).detail).toMatch(/chunk=|delay=/);
  });

  it("stuck keeps a submitted job processing until the server timeout fails it", async () => {
    const e = await fresh({ jobTimeoutMs: 300 });
    const res = await post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "plain prompt" }), {
      "x-emulator-fault": "stuck",
    });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    const seen = await pollUntil(e, job_id, undefined, 10);
    expect(seen.at(-1)).toMatchObject({ status: "failed", error: expect.stringContaining("timeout") });
    expect(distinct(seen.slice(0, -1)).every((s) => s === "pending" || s === "processing")).toBe(true);
    // Its record, rather than a read landing in the 280 ms between: processing from its start until the timeout.
    const job = e.job(job_id)!;
    expect(job.startedAt! - job.submittedAt).toBeLessThan(300);
    expect(job.completedAt! - job.submittedAt).toBe(300);
    expect(e.stats().faultsInjected.stuck).toBe(1);
  });

  it("ignores stuck on routes where it means nothing (and does not count it)", async () => {
    const e = await fresh();
    const id = await completedJob(e);
    expect((await get(e, `/v1/jobs/${id}`, { "x-emulator-fault": "stuck" })).status).toBe(200);
    expect(e.stats().faultsInjected).toEqual({});
  });

  it("ignores stall, truncate and trickle on a HEAD or a DELETE, whose answer has no body (and does not count them)", async () => {
    const e = await fresh();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "A lake [trickle]" });
    await pollUntil(e, id);
    const head = (path: string, fault?: string) =>
      raw(e.url, {
        method: "HEAD",
        path,
        headers: { "x-api-key": e.apiKey, ...(fault ? { "x-emulator-fault": fault } : {}) },
      });
    const paths = [`/v1/jobs/${id}`, `/v1/jobs/${id}/content`];
    for (const path of paths) {
      for (const fault of [undefined, "stall", "truncate", "trickle; chunk=16"]) {
        const r = await head(path, fault);
        expect(r.status, `${path} ${fault}`).toBe(200);
        expect(Number(r.headers["content-length"]), `${path} ${fault}`).toBeGreaterThan(0);
      }
    }
    // From the rules too: a rule that means nothing on a HEAD is passed over, as stuck is on a read.
    e.setFaults([{ kind: "truncate" }, { kind: "trickle" }, { kind: "stall" }, { kind: "503" }]);
    for (const path of paths) expect((await head(path)).status, path).toBe(503);
    expect(e.stats().faultsInjected).toEqual({ "503": 2 });
    // A GET still gets them, the prompt's trickle included.
    e.setFaults([]);
    const got = await get(e, `/v1/jobs/${id}/content`);
    expect(Number(got.headers.get("content-length"))).toBe((await got.arrayBuffer()).byteLength);
    expect(e.stats().faultsInjected).toEqual({ "503": 2, trickle: 1 });
    // A file's DELETE answers 204, without a body.
    for (const fault of ["stall", "truncate", "trickle"]) {
      const upload = await post(e, "/v1/files", form({ file: samplePng() }));
      const { id: fileId } = (await upload.json()) as { id: string };
      const r = await raw(e.url, {
        method: "DELETE",
        path: `/v1/files/${fileId}`,
        headers: { "x-api-key": e.apiKey, "x-emulator-fault": fault },
      });
      expect(r.status, fault).toBe(204);
      expect((await get(e, `/v1/files/${fileId}`)).status, fault).toBe(404);
    }
    expect(e.stats().faultsInjected).toEqual({ "503": 2, trickle: 1 });
  });
});

describe("fault rules", () => {
  it("applies rules by route and rate, sampled with the given random source", async () => {
    const draws = [0.05, 0.95, 0.05, 0.95];
    let i = 0;
    const e = await fresh({
      faults: [{ route: "status", kind: "503", rate: 0.1, retryAfterSeconds: 2 }],
      random: () => draws[i++ % draws.length]!,
    });
    const id = await submit(e, "lucy-pro-t2v", { prompt: "rules" });
    const statuses: number[] = [];
    for (let n = 0; n < 4; n++) statuses.push((await get(e, `/v1/jobs/${id}`)).status);
    expect(statuses).toEqual([503, 200, 503, 200]);
    expect(e.stats().faultsInjected).toEqual({ "503": 2 });
  });

  it("a submit rule that answers an error never creates a job", async () => {
    const e = await fresh({ faults: [{ route: "submit", kind: "500" }] });
    for (let n = 0; n < 3; n++)
      expect((await post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }))).status).toBe(500);
    expect(e.stats().jobsCreated).toBe(0);
    e.setFaults([]);
    expect((await post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }))).status).toBe(200);
    expect(e.stats().jobsCreated).toBe(1);
  });

  it("setFaults and POST /_emulator/faults replace the rules; bad rules are refused", async () => {
    const e = await fresh();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "admin" });
    e.setFaults([{ route: "status", kind: "504" }]);
    expect((await get(e, `/v1/jobs/${id}`)).status).toBe(504);
    const admin = { authorization: `Bearer ${e.adminToken}` };
    const set = await fetch(`${e.url}/_emulator/faults`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify([{ route: "content", kind: "429", rate: 1 }]),
    });
    expect(set.status).toBe(200);
    expect(await (await fetch(`${e.url}/_emulator/faults`, { headers: admin })).json()).toEqual([
      { route: "content", kind: "429", rate: 1 },
    ]);
    expect((await get(e, `/v1/jobs/${id}`)).status).toBe(200);
    const bad = await fetch(`${e.url}/_emulator/faults`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify([{ kind: "boom" }]),
    });
    expect(bad.status).toBe(422);
    expect(() => e.setFaults([{ kind: "nope" as never }])).toThrow();
    // Numbers no timer or client can use: refused, not kept (a Retry-After of "1e+300", a sleep capped silently).
    for (const rule of [
      { kind: "429", retryAfterSeconds: 1e300 },
      { kind: "slow", delayMs: 1e300 },
      { kind: "trickle", chunkBytes: 0 },
      { kind: "trickle", chunkBytes: 2 ** 20 + 1 },
      { kind: "trickle", delayMs: 1001 },
      { kind: "stall", chunkBytes: 64 },
    ]) {
      const refused = await fetch(`${e.url}/_emulator/faults`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify([rule]),
      });
      expect(refused.status, JSON.stringify(rule)).toBe(422);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/retryAfterSeconds|delayMs|chunkBytes/);
    }
    for (const header of ["429; retry-after=1e300", "slow; delay=1e15"]) {
      const refused = await get(e, `/v1/jobs/${id}`, { "x-emulator-fault": header });
      expect(refused.status, header).toBe(400);
    }
  });

  it("shows the rule of a refused value as JSON at any depth, bounded, never as [object Object]", async () => {
    const e = await fresh();
    const circular: Record<string, unknown> = { kind: "503" };
    circular.self = circular;
    for (const [rule, message] of [
      [
        { kind: "503", rate: { nested: 1n } },
        'rate must be a number within 0..1 (got {"kind":"503","rate":{"nested":1n}})',
      ],
      [{ kind: "503", rate: [2n] }, 'rate must be a number within 0..1 (got {"kind":"503","rate":[2n]})'],
      [circular, 'unknown field "self" (got {"kind":"503","self":"[circular]"})'],
      [
        { kind: "slow", delayMs: () => 5 },
        'delayMs must be within 0..2147483647 (ms) (got {"kind":"slow","delayMs":"a function"})',
      ],
      [{ kind: "503", rate: Number.NaN }, 'rate must be a number within 0..1 (got {"kind":"503","rate":NaN})'],
      [{ kind: { name: "503" } }, 'unknown kind {"name":"503"} (got {"kind":{"name":"503"}})'],
    ] as const) {
      expect(() => e.setFaults([rule as never]), message).toThrow(`fault rule 0: ${message}`);
      await expect(start({ faults: [rule as never] }), message).rejects.toThrow(`fault rule 0: ${message}`);
    }
    // A long value is cut: the message stays short.
    const long = { kind: "503", rate: { list: Array.from({ length: 1000 }, (_, i) => i) } };
    let error: Error | undefined;
    try {
      e.setFaults([long as never]);
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.message).toMatch(
      /^fault rule 0: rate must be a number within 0\.\.1 \(got \{"kind":"503","rate":\{"list":\[0,1,2,.*…\)$/,
    );
    expect(error!.message.length).toBeLessThan(300);
  });

  it("refuses a value that is not a number of the field's kind, never reading it as one, and names the field", async () => {
    const e = await fresh();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "strict" });
    const admin = { authorization: `Bearer ${e.adminToken}` };
    e.setFaults([{ kind: "429", route: "status", rate: 0 }]);
    for (const [rule, field] of [
      [{ kind: "503", rate: null }, "rate"],
      [{ kind: "503", rate: [0.5] }, "rate"],
      [{ kind: "503", rate: "0.5" }, "rate"],
      [{ kind: "503", retryAfterSeconds: [] }, "retryAfterSeconds"],
      [{ kind: "503", retryAfterSeconds: "5" }, "retryAfterSeconds"],
      [{ kind: "slow", delayMs: "" }, "delayMs"],
      [{ kind: "slow", delayMs: null }, "delayMs"],
      [{ kind: "trickle", chunkBytes: "  " }, "chunkBytes"],
      [{ kind: ["503"] }, "kind"],
      [{ kind: "503", route: ["status"] }, "route"],
      [{ kind: "503", rat: 0.5 }, "rat"],
    ] as const) {
      const refused = await fetch(`${e.url}/_emulator/faults`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify([rule]),
      });
      expect(refused.status, JSON.stringify(rule)).toBe(422);
      expect(refused.headers.get("content-type")).toContain("application/json");
      expect(((await refused.json()) as { detail: string }).detail, JSON.stringify(rule)).toContain(field);
      expect(() => e.setFaults([rule as never]), JSON.stringify(rule)).toThrow(field);
      expect(() => emulatorOptionsFromFlags({ faults: JSON.stringify([rule]) }), JSON.stringify(rule)).toThrow(field);
    }
    // The rules in force are the last good ones.
    expect(await (await fetch(`${e.url}/_emulator/faults`, { headers: admin })).json()).toEqual([
      { kind: "429", route: "status", rate: 0 },
    ]);
    for (const [header, name] of [
      ["503; retry-after=", "retry-after"],
      ["503; retry-after", "retry-after"],
      ["503; retry-after=0x10", "retry-after"],
      ["503; retry-after=1e3", "retry-after"],
      ["503; retry-after=1.5", "retry-after"],
      ["503; retry-after=1; retry-after=2", "retry-after"],
      ["slow; delay=", "delay"],
      ["slow; delay=1e1", "delay"],
      ["slow; delay=Infinity", "delay"],
      ["503; foo", "foo"],
      ["stall; chunk=5", "chunk is for trickle only."],
    ] as const) {
      const refused = await get(e, `/v1/jobs/${id}`, { "x-emulator-fault": header });
      expect(refused.status, header).toBe(400);
      expect(((await refused.json()) as { detail: string }).detail, header).toContain(name);
    }
    const ok = await get(e, `/v1/jobs/${id}`, { "x-emulator-fault": "503; retry-after=16; delay=2.5" });
    expect(ok.status).toBe(503);
    expect(ok.headers.get("retry-after")).toBe("16");
  });

  // The header's grammar and where it is read, as the README states them.
  it("reads the header as the README says: kind as written, names in any case, spaces and empty parameters dropped", async () => {
    const e = await fresh();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "grammar" });
    const answer = async (header: string) => {
      const res = await get(e, `/v1/jobs/${id}`, { "x-emulator-fault": header });
      const body = (await res.json()) as { detail?: string };
      return [res.status, res.headers.get("retry-after"), res.status === 400 ? body.detail : undefined];
    };
    expect(await answer(" 503 ")).toEqual([503, null, undefined]);
    expect(await answer("503;;")).toEqual([503, null, undefined]);
    expect(await answer("503; Retry-After=5")).toEqual([503, "5", undefined]);
    expect(await answer("503; retry-after = 00010")).toEqual([503, "10", undefined]);
    expect(await answer("503; retry-after=1.0")).toEqual([503, "1", undefined]);
    // Retry-After goes with every error kind, not 429 and 503 alone; a parameter the kind does not use is ignored.
    expect(await answer("500; retry-after=5")).toEqual([500, "5", undefined]);
    expect(await answer("504; retry-after=7; delay=5")).toEqual([504, "7", undefined]);
    const [status, , detail] = await answer("STALL");
    expect([status, detail]).toEqual([400, expect.stringContaining('kind "STALL"')]);
    // Sent twice, the header is one value, the two joined by ", ": no kind.
    const twice = await raw(e.url, {
      path: `/v1/jobs/${id}`,
      headers: { "x-api-key": e.apiKey, "x-emulator-fault": ["503", "500"] as never },
    });
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.body.toString()).detail).toContain('kind "503, 500"');
    expect(e.stats().faultsInjected).toEqual({ "503": 5, "500": 1, "504": 1 });
  });

  it("answers a malformed header 400 only where a fault is decided: not before the key, the job, or on other paths", async () => {
    const e = await fresh();
    const bad = { "x-emulator-fault": "explode" };
    expect((await get(e, "/v1/jobs/job_nope", bad)).status).toBe(404);
    expect((await fetch(`${e.url}/v1/jobs/job_nope`, { headers: { ...bad, "x-api-key": "nope" } })).status).toBe(401);
    expect((await post(e, "/v1/jobs/lucy-2-v2v", form({ prompt: "p" }), bad)).status).toBe(410);
    expect((await get(e, "/v1/nothing", bad)).status).toBe(404);
    expect(
      (await fetch(`${e.url}/v1/jobs/job_x`, { method: "DELETE", headers: { ...bad, "x-api-key": e.apiKey } })).status,
    ).toBe(405);
    const admin = await fetch(`${e.url}/_emulator/stats`, {
      headers: { ...bad, authorization: `Bearer ${e.adminToken}` },
    });
    expect(admin.status).toBe(200);
    const preflight = await fetch(`${e.url}/v1/jobs/lucy-pro-t2v`, {
      method: "OPTIONS",
      headers: { ...bad, origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    const refused = await post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }), bad);
    expect(refused.status).toBe(400);
    expect(refused.headers.get("content-type")).toContain("application/json");
    expect(e.stats().jobsCreated).toBe(0);
  });

  it("faults never hit the admin routes", async () => {
    const e = await fresh({ faults: [{ kind: "500" }] });
    const res = await fetch(`${e.url}/_emulator/stats`, { headers: { authorization: `Bearer ${e.adminToken}` } });
    expect(res.status).toBe(200);
  });
});

describe("seededRandom", () => {
  it("repeats for one seed, differs between seeds, and stays in [0, 1)", () => {
    const draw = (seed: number) => Array.from({ length: 1000 }, seededRandom(seed));
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(990);
  });
});
