import { createHash } from "node:crypto";
import { catalogue } from "@decart/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator, EmulatorOptions } from "../src/index.js";
import { seededRandom } from "../src/index.js";
import { ResultCache, ResultCacheClosed } from "../src/results.js";
import {
  distinct,
  expectCleanDecode,
  form,
  get,
  modelsOfKind,
  pollUntil,
  post,
  probe,
  type StatusBody,
  saveTemp,
  start,
  submit,
  validInputs,
} from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

async function content(e: Emulator, jobId: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const res = await get(e, `/v1/jobs/${jobId}/content`);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get("content-type") };
}

describe("job lifecycle", () => {
  it("goes pending → processing → completed, in that order, and serves a decodable H.264 video", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "a red kite", seed: "3" });
    expect(id).toMatch(/^job_[0-9a-f]{32}$/);
    const seen = await pollUntil(emu, id, undefined, 3);
    const order = distinct(seen);
    expect(order[order.length - 1]).toBe("completed");
    // every status seen is in lifecycle order (a fast poller may skip none, a slow one may skip some)
    const rank = { pending: 0, processing: 1, completed: 2, failed: 2 };
    for (let i = 1; i < order.length; i++) expect(rank[order[i]!]).toBeGreaterThan(rank[order[i - 1]!]);
    const last = seen[seen.length - 1]!;
    expect(last).toMatchObject({ job_id: id, status: "completed", model: "lucy-pro-t2v" });
    expect(Date.parse(last.updated_at!)).toBeGreaterThanOrEqual(Date.parse(last.created_at!));
    expect(last.error).toBeUndefined();

    const c = await content(emu, id);
    expect(c.status).toBe(200);
    expect(c.type).toBe("video/mp4");
    const path = saveTemp(c.bytes, "mp4");
    expectCleanDecode(path);
    const stream = probe(path);
    expect(stream.codec_name).toBe("h264");
    const info = catalogue["lucy-pro-t2v"];
    expect(stream.width / stream.height).toBeCloseTo(info.width / info.height, 1);
    expect(Math.max(stream.width, stream.height)).toBeLessThanOrEqual(128);
  });

  it("is pending until pendingMs has passed, then processing until processingMs has, then completed", async () => {
    // The emulator's own clock, moved by the test: each phase ends when the test says, to the ms.
    const clock = { now: Date.now() };
    const slow = await start({ timing: { pendingMs: 2000, processingMs: 150 }, now: () => clock.now });
    try {
      const id = await submit(slow, "lucy-pro-t2v", { prompt: "slow one" });
      const read = async () => (await pollUntil(slow, id, () => true)).at(-1)!.status;
      const seen: string[] = [];
      for (const step of [0, 1999, 1, 149, 1]) {
        clock.now += step;
        seen.push(await read());
      }
      expect(seen).toEqual(["pending", "pending", "processing", "processing", "completed"]);
      const rec = slow.job(id)!;
      expect(rec.startedAt! - rec.submittedAt).toBe(2000);
      expect(rec.completedAt! - rec.startedAt!).toBe(150);
      expect(rec.firstCompletedReadAt).toBe(rec.completedAt);
    } finally {
      await slow.close();
    }
  });

  it("answers 409 with the job's status while the job is not completed", async () => {
    const slow = await start({ timing: { pendingMs: 60_000, processingMs: 60_000 } });
    try {
      const id = await submit(slow, "lucy-pro-t2v", { prompt: "not yet" });
      const res = await get(slow, `/v1/jobs/${id}/content`);
      expect(res.status).toBe(409);
      const body = (await res.json()) as { detail: string; status: string };
      expect(body.detail).toContain("pending");
      expect(body.status).toBe("pending");
    } finally {
      await slow.close();
    }
  });

  it("serves a portrait frame for orientation=portrait and a smaller one at 480p", async () => {
    const a = await submit(emu, "lucy-pro-t2v", { prompt: "tall", orientation: "portrait" });
    const b = await submit(emu, "lucy-pro-t2v", { prompt: "small", resolution: "480p" });
    await pollUntil(emu, a);
    await pollUntil(emu, b);
    const pa = probe(saveTemp((await content(emu, a)).bytes, "mp4"));
    expect(pa.height).toBeGreaterThan(pa.width);
    expect(pa.height / pa.width).toBeCloseTo(1280 / 720, 1);
    const pb = probe(saveTemp((await content(emu, b)).bytes, "mp4"));
    expect(Math.max(pb.width, pb.height)).toBeLessThan(128);
  });

  it("gives byte-identical results for the same model, prompt and seed, and a hash matching stats", async () => {
    const one = await submit(emu, "lucy-pro-t2v", { prompt: "same", seed: "11" });
    const two = await submit(emu, "lucy-pro-t2v", { prompt: "same", seed: "11" });
    const other = await submit(emu, "lucy-pro-t2v", { prompt: "same", seed: "12" });
    for (const id of [one, two, other]) await pollUntil(emu, id);
    const [c1, c2, c3] = await Promise.all([content(emu, one), content(emu, two), content(emu, other)]);
    expect(c1.bytes.equals(c2.bytes)).toBe(true);
    expect(c1.bytes.equals(c3.bytes)).toBe(false);
    const rec = emu.job(one)!;
    expect(rec.resultSha256).toBe(createHash("sha256").update(c1.bytes).digest("hex"));
    expect(rec.resultBytes).toBe(c1.bytes.length);
    expect(rec.contentReads).toBe(1);
  });

  it("accepts a valid submit for every video model of the catalogue, and completes it", async () => {
    const models = modelsOfKind("video");
    expect(models.length).toBeGreaterThan(5);
    const ids = await Promise.all(models.map(async (m) => [m, await submit(emu, m, await validInputs(m))] as const));
    for (const [model, id] of ids) {
      const seen = await pollUntil(emu, id);
      expect(seen[seen.length - 1], model).toMatchObject({ status: "completed", model });
    }
    const [model, id] = ids.find(([m]) => m === "lucy-2.1")!;
    const p = probe(saveTemp((await content(emu, id)).bytes, "mp4"));
    expect(p.width / p.height, model).toBeCloseTo(catalogue["lucy-2.1"].width / catalogue["lucy-2.1"].height, 1);
  });
});

describe("timing options out of bounds", () => {
  it("refuses a timing that is not a number in bounds, naming the option", async () => {
    const bad: [unknown, RegExp][] = [
      [{ timeScale: Number.NaN }, /timing\.timeScale must be a finite number from 0/],
      [{ timeScale: -1 }, /timing\.timeScale/],
      [{ timeScale: Number.POSITIVE_INFINITY }, /timing\.timeScale/],
      [{ spread: Number.NaN }, /timing\.spread must be a number from 0 to 1/],
      [{ spread: 1.5 }, /timing\.spread/],
      [{ pendingMs: Number.NaN }, /timing\.pendingMs must be a non-negative number/],
      [{ pendingMs: -1 }, /timing\.pendingMs/],
      [{ processingMs: "5" }, /timing\.processingMs must be .* \(got "5"\)/],
      [{ processingMs: { ms: 5 } }, /timing\.processingMs must be .* \(got \{"ms":5\}\)$/],
      [{ spread: [0.5] }, /^timing\.spread must be a number from 0 to 1 \(got \[0\.5\]\)$/],
      [{ processingMs: 2 ** 31 }, /timing\.processingMs/],
      ["slow", /timing must be "realistic", "fast" or an object/],
      [null, /timing must be/],
    ];
    for (const [timing, message] of bad) {
      await expect(start({ timing: timing as never }), JSON.stringify(timing)).rejects.toThrow(message);
    }
    await (await start({ timing: { timeScale: 0, spread: 1, pendingMs: 0, processingMs: () => 5 } })).close();
  });

  it("a pendingMs function that returns no duration answers 500 and creates no job; the log names the option", async () => {
    const lines: string[] = [];
    const e = await start({
      timing: { pendingMs: (() => undefined) as unknown as () => number, processingMs: 5 },
      logger: (line) => lines.push(line),
    });
    try {
      const res = await post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "never pending forever" }));
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(e.stats().jobsCreated).toBe(0);
      expect(lines.join("\n")).toContain("timing.pendingMs(model) must return a non-negative number");
    } finally {
      await e.close();
    }
  });
});

describe("the random, now and keys options", () => {
  it("refuses up front a now or random whose result is out of bounds, and keys a header cannot carry, naming the option", async () => {
    const bad: [EmulatorOptions, RegExp][] = [
      [
        { now: () => Number.NaN },
        /^now\(\) must return ms since the epoch, a number from 0 to 8640000000000000 \(returned NaN\)$/,
      ],
      [{ now: () => -1 }, /now\(\) must return .* \(returned -1\)/],
      [{ now: (() => "1") as never }, /now\(\) must return .* \(returned "1"\)/],
      [{ now: 5 as never }, /^now must be a function \(got 5\)$/],
      [{ random: () => 2 }, /^random\(\) must return a number from 0 up to \(not including\) 1 \(returned 2\)$/],
      [{ random: () => 1 }, /random\(\) must return .* \(returned 1\)/],
      [{ random: () => Number.NaN }, /random\(\) must return .* \(returned NaN\)/],
      // seededRandom itself (the maker, not the function it makes) returns a function.
      [{ random: seededRandom as never }, /random\(\) must return .* \(returned a function\)/],
      [
        { keys: [""] },
        /^keys\[0\] must be a non-empty string that an X-API-KEY header carries as it is: .* \(got an empty string\)$/,
      ],
      [{ keys: ["good-key", "clé"] }, /^keys\[1\] must be .* \(got a string with other characters/],
      [{ keys: [" padded"] }, /^keys\[0\] must be/],
      [{ keys: ["two\nlines"] }, /^keys\[0\] must be/],
      [{ keys: [5] as never }, /^keys\[0\] must be .* \(got a number\)$/],
      [{ keys: "k1" as never }, /^keys must be an array of API keys \(got a string\)$/],
    ];
    for (const [options, message] of bad) {
      const error = await start(options).then(
        (e) => e.close().then(() => undefined),
        (err: Error) => err,
      );
      expect(error?.message, String(message)).toMatch(message);
    }
    // A key never appears in the message: it is a secret.
    await expect(start({ keys: ["sécret"] })).rejects.toThrow(/^(?!.*sécret)/);
    const fine = await start({ keys: ["k 1", "~!#$%&*+-./:;<=>?@[]^_`{|}"], now: () => 0, random: () => 0 });
    await fine.close();
  });

  it("keeps random's first draw for its first use: a seeded sequence runs as it would unchecked", async () => {
    const draws = [0.1, 0.9];
    const e = await start({
      random: () => draws.shift() ?? 0.99,
      faults: [{ kind: "503", route: "status", rate: 0.5 }],
    });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "drawn" });
      expect((await get(e, `/v1/jobs/${id}`)).status).toBe(503);
      expect((await get(e, `/v1/jobs/${id}`)).status).toBe(200);
    } finally {
      await e.close();
    }
  });

  it("a later result out of bounds answers its request 500 (JSON); the log names the option", async () => {
    const lines: string[] = [];
    const clock = { now: Date.parse("2030-01-01T00:00:00.000Z") };
    const draws = [0.5, 2];
    const e = await start({
      now: () => clock.now,
      random: () => draws.shift() ?? 0.5,
      faults: [{ kind: "503", route: "status", rate: 0.25 }],
      logger: (line) => lines.push(line),
    });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "bad draw" });
      expect((await get(e, `/v1/jobs/${id}`)).status).toBe(200);
      const drawn = await get(e, `/v1/jobs/${id}`);
      expect(drawn.status).toBe(500);
      expect(drawn.headers.get("content-type")).toContain("application/json");
      expect(lines.join("\n")).toContain("random() must return a number from 0 up to (not including) 1 (returned 2)");
      clock.now = Number.NaN;
      expect((await get(e, `/v1/jobs/${id}`)).status).toBe(500);
      expect(lines.join("\n")).toContain("now() must return ms since the epoch");
    } finally {
      await e.close();
    }
  });
});

describe("poll hints", () => {
  it("sends x-poll-after-ms only when asked, counting down to the job's next change", async () => {
    const clock = { now: Date.now() };
    const hinted = await start({
      pollHints: true,
      timing: { pendingMs: 30_000, processingMs: 60_000 },
      now: () => clock.now,
    });
    try {
      const id = await submit(hinted, "lucy-pro-t2v", { prompt: "hint me" });
      const read = async () => {
        const res = await get(hinted, `/v1/jobs/${id}`);
        return [((await res.json()) as { status: string }).status, res.headers.get("x-poll-after-ms")];
      };
      const seen: (string | null)[][] = [];
      for (const step of [0, 10_000, 20_000, 59_999, 1]) {
        clock.now += step;
        seen.push(await read());
      }
      expect(seen).toEqual([
        ["pending", "30000"],
        ["pending", "20000"],
        ["processing", "60000"],
        ["processing", "1"],
        ["completed", null],
      ]);
    } finally {
      await hinted.close();
    }
    const plain = await start({ timing: { pendingMs: 30_000, processingMs: 60_000 } });
    try {
      const id = await submit(plain, "lucy-pro-t2v", { prompt: "no hint" });
      expect((await get(plain, `/v1/jobs/${id}`)).headers.get("x-poll-after-ms")).toBeNull();
    } finally {
      await plain.close();
    }
  });

  it("gives a held job the time a job of its model would take, not the whole server timeout", async () => {
    const clock = { now: Date.now() };
    const hinted = await start({
      pollHints: true,
      timing: { pendingMs: 30_000, processingMs: 60_000 },
      jobTimeoutMs: 600_000,
      now: () => clock.now,
    });
    try {
      const id = await submit(hinted, "lucy-pro-t2v", { prompt: "[hold] hint me" });
      const read = async () => {
        const res = await get(hinted, `/v1/jobs/${id}`);
        return [((await res.json()) as { status: string }).status, res.headers.get("x-poll-after-ms")];
      };
      const seen: (string | null)[][] = [];
      // Pending, processing, 1 ms before and past a normal job's end, and 1 s before the server timeout.
      for (const step of [0, 30_000, 59_999, 2, 508_999]) {
        clock.now += step;
        seen.push(await read());
      }
      expect(seen).toEqual([
        ["pending", "30000"],
        ["processing", "60000"],
        ["processing", "1"],
        ["processing", "60000"],
        ["processing", "1000"],
      ]);
      expect(hinted.release(id)).toBe(true);
      expect(await read()).toEqual(["completed", null]);
    } finally {
      await hinted.close();
    }
  });

  it("sends a whole number of ms with a spread, exactly when the job changes; the records' times are whole ms", async () => {
    // A clock with a fraction of a ms: the emulator reads it in whole ms, as Date.now gives them.
    const clock = { now: 1_800_000_000_000.75 };
    const e = await start({
      pollHints: true,
      timing: { pendingMs: 300, processingMs: 700, spread: 0.5 },
      random: seededRandom(3),
      now: () => clock.now,
    });
    try {
      const read = async (id: string) => {
        const res = await get(e, `/v1/jobs/${id}`);
        return { status: ((await res.json()) as { status: string }).status, hint: res.headers.get("x-poll-after-ms") };
      };
      for (let i = 0; i < 5; i++) {
        const id = await submit(e, "lucy-pro-t2v", { prompt: `spread ${i}` });
        const pending = await read(id);
        expect(pending.status).toBe("pending");
        expect(pending.hint).toMatch(/^[1-9]\d*$/);
        clock.now += Number(pending.hint) - 1; // 1 ms before the hint: not yet
        expect((await read(id)).status).toBe("pending");
        clock.now += 1;
        const processing = await read(id);
        expect(processing.status).toBe("processing");
        expect(processing.hint).toMatch(/^[1-9]\d*$/);
        clock.now += Number(processing.hint);
        expect(await read(id)).toEqual({ status: "completed", hint: null });
        const record = e.job(id)!;
        for (const t of [record.submittedAt, record.startedAt, record.completedAt, record.firstCompletedReadAt]) {
          expect(Number.isInteger(t), `${t}`).toBe(true);
        }
        expect(record.startedAt! - record.submittedAt).toBe(Number(pending.hint));
        clock.now += 0.5;
      }
    } finally {
      await e.close();
    }
  });

  it("sends no hint once the job has ended", async () => {
    const hinted = await start({ pollHints: true, timing: "fast" });
    try {
      const id = await submit(hinted, "lucy-pro-t2v", { prompt: "done" });
      const seen = await pollUntil(hinted, id);
      expect(seen.at(-1)?.status).toBe("completed");
      expect((await get(hinted, `/v1/jobs/${id}`)).headers.get("x-poll-after-ms")).toBeNull();
    } finally {
      await hinted.close();
    }
  });
});

describe("prompt markers", () => {
  it("[fail] fails the job with the default reason", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "please [fail]" });
    const seen = await pollUntil(emu, id);
    const last = seen[seen.length - 1]!;
    expect(last.status).toBe("failed");
    expect(last.error).toBe("The emulator was asked to fail this job ([fail] in the prompt).");
    const res = await get(emu, `/v1/jobs/${id}/content`);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { detail: string; status: string };
    expect(body.detail).toContain("failed");
    expect(body.status).toBe("failed");
    expect(emu.job(id)).toMatchObject({ status: "failed", error: last.error });
  });

  it("[fail: reason] fails the job with that reason", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "x [fail: out of llamas] y" });
    const seen = await pollUntil(emu, id);
    expect(seen[seen.length - 1]).toMatchObject({ status: "failed", error: "out of llamas" });
  });

  it("[stuck] keeps the job processing until the server timeout fails it", async () => {
    // The emulator's own clock, moved by the test: processing from 20 ms after the submit to the timeout, to the ms.
    const clock = { now: Date.now() };
    const e = await start({ jobTimeoutMs: 2000, now: () => clock.now });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "[stuck]" });
      const seen: StatusBody[] = [];
      for (const step of [0, 20, 1979, 1]) {
        clock.now += step;
        seen.push((await pollUntil(e, id, () => true)).at(-1)!);
      }
      expect(seen.map((s) => s.status)).toEqual(["pending", "processing", "processing", "failed"]);
      expect(seen.at(-1)!.error).toMatch(/timeout/);
    } finally {
      await e.close();
    }
  });
});

describe("[hold]: a job that lasts until the caller releases it", () => {
  const admin = (e: Emulator) => ({ authorization: `Bearer ${e.adminToken}` });
  const release = (e: Emulator, id: string, init: RequestInit = {}) =>
    fetch(`${e.url}/_emulator/jobs/${id}/release`, { method: "POST", headers: admin(e), ...init });

  it("stays processing until release(), then completes with its video; release() is true once, for held jobs only", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "[hold] a kite" });
    const plain = await submit(emu, "lucy-pro-t2v", { prompt: "a kite" });
    expect(emu.release(plain)).toBe(false);
    const seen = await pollUntil(emu, id, (s) => s.status === "processing");
    expect(distinct(seen).at(-1)).toBe("processing");
    // Held: no time passing ends it. Many more reads (and the content route) still find it processing.
    for (let i = 0; i < 20; i++) expect((await pollUntil(emu, id, () => true)).at(-1)!.status).toBe("processing");
    expect((await content(emu, id)).status).toBe(409);
    expect(emu.job(id)).toMatchObject({ status: "processing" });

    expect(emu.release(id)).toBe(true);
    expect(emu.job(id)).toMatchObject({ status: "completed" });
    expect((await pollUntil(emu, id, () => true)).at(-1)).toMatchObject({ status: "completed" });
    const c = await content(emu, id);
    expect(c.status).toBe(200);
    expect(createHash("sha256").update(c.bytes).digest("hex")).toBe(emu.job(id)!.resultSha256);
    expect(emu.release(id)).toBe(false);
    expect(emu.release("job_unknown")).toBe(false);
  });

  it("with [fail], a released job fails with its reason", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "[hold] [fail: held, then failed]" });
    expect(emu.release(id)).toBe(true);
    expect((await pollUntil(emu, id)).at(-1)).toMatchObject({ status: "failed", error: "held, then failed" });
  });

  it("released while still pending, it ends at once without processing; its record's startedAt is the release", async () => {
    const clock = { now: 1_000_000 };
    const e = await start({ timing: { pendingMs: 1000, processingMs: 1000 }, now: () => clock.now });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "[hold] early" });
      clock.now += 400;
      expect(e.job(id)).toMatchObject({ status: "pending" });
      expect(e.release(id)).toBe(true);
      expect((await pollUntil(e, id, () => true)).at(-1)).toMatchObject({ status: "completed" });
      expect(e.job(id)).toMatchObject({ status: "completed", startedAt: 1_000_400, completedAt: 1_000_400 });
      expect(e.release(id)).toBe(false);
    } finally {
      await e.close();
    }
  });

  it("the server timeout still ends a held job, which can then no longer be released", async () => {
    const clock = { now: Date.now() };
    const e = await start({ jobTimeoutMs: 300, now: () => clock.now });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "[hold] forgotten" });
      clock.now += 299;
      expect((await pollUntil(e, id, () => true)).at(-1)).toMatchObject({ status: "processing" });
      clock.now += 1;
      const last = (await pollUntil(e, id, () => true)).at(-1)!;
      expect(last).toMatchObject({ status: "failed" });
      expect(last.error).toMatch(/timeout/);
      expect(e.release(id)).toBe(false);
    } finally {
      await e.close();
    }
  });

  it("POST /_emulator/jobs/{id}/release releases it over HTTP: 200 with the record, 409 when not held, 404, 401, 405", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "[hold] over http" });
    expect((await release(emu, id, { headers: {} })).status).toBe(401);
    expect((await release(emu, id, { method: "GET" })).status).toBe(405);
    expect(emu.job(id)?.status).not.toBe("completed");
    const res = await release(emu, id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, status: "completed" });
    expect((await release(emu, id)).status).toBe(409);
    expect((await release(emu, `job_${"0".repeat(32)}`)).status).toBe(404);
  });
});

describe("timeouts and retention", () => {
  it("fails a job that would outlast jobTimeoutMs, with a timeout reason, at the timeout", async () => {
    const clock = { now: Date.now() };
    const e = await start({ jobTimeoutMs: 100, timing: { pendingMs: 20, processingMs: 60_000 }, now: () => clock.now });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "long" });
      const seen: StatusBody[] = [];
      for (const step of [20, 79, 1]) {
        clock.now += step;
        seen.push((await pollUntil(e, id, () => true)).at(-1)!);
      }
      expect(seen.map((s) => s.status)).toEqual(["processing", "processing", "failed"]);
      expect(seen.at(-1)!.error).toContain("timeout");
    } finally {
      await e.close();
    }
  });

  // On the emulator's own clock, moved by the test: the "fast" job ends 80 ms after its submit.
  const contentOf = async (e: Emulator, id: string) => {
    const res = await get(e, `/v1/jobs/${id}/content`);
    await res.arrayBuffer();
    return res.status;
  };

  it("answers 410 for content past the retention period, and the status still reads completed", async () => {
    const clock = { now: Date.now() };
    const e = await start({ retentionMs: 50, now: () => clock.now });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "short-lived" });
      clock.now += 80 + 50; // the end of its retention: still served
      expect(await contentOf(e, id)).toBe(200);
      clock.now += 1;
      expect(await contentOf(e, id)).toBe(410);
      clock.now += 49; // until one more retention period has passed
      expect(await contentOf(e, id)).toBe(410);
      expect((await (await get(e, `/v1/jobs/${id}`)).json()) as object).toMatchObject({ status: "completed" });
    } finally {
      await e.close();
    }
  });

  it("forgets a job one more retention period after its result expired, seen by every read with no submit", async () => {
    const clock = { now: Date.now() };
    const e = await start({ retentionMs: 50, now: () => clock.now });
    const adminJob = async (id: string) =>
      (await fetch(`${e.url}/_emulator/jobs/${id}`, { headers: { authorization: `Bearer ${e.adminToken}` } })).status;
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "forget me" });
      clock.now += 80 + 100; // exactly two retention periods after it ended: still known
      expect(await contentOf(e, id)).toBe(410);
      expect(e.job(id)).toMatchObject({ status: "completed" });
      expect(e.stats({}).jobsKept).toBe(1);
      clock.now += 1; // past them: forgotten, though nothing was submitted since
      expect(e.stats().jobsKept).toBe(0);
      expect(e.stats({}).jobs).toMatchObject({ total: 0, records: [] });
      expect(e.job(id)).toBeUndefined();
      expect(await adminJob(id)).toBe(404);
      expect((await get(e, `/v1/jobs/${id}`)).status).toBe(404);
      expect(await contentOf(e, id)).toBe(404);
      expect(e.stats().jobsCreated).toBe(1);
    } finally {
      await e.close();
    }
  });

  it("forgets each job at its own time: a read that forgets one keeps a later one", async () => {
    const clock = { now: Date.now() };
    const e = await start({ retentionMs: 50, now: () => clock.now });
    try {
      const first = await submit(e, "lucy-pro-t2v", { prompt: "first" });
      clock.now += 30;
      const second = await submit(e, "lucy-pro-t2v", { prompt: "second" });
      clock.now += 80 + 100 - 30 + 1; // past the first's time, not the second's
      expect(e.stats().jobsKept).toBe(1);
      expect(e.job(first)).toBeUndefined();
      expect(e.job(second)).toMatchObject({ status: "completed" });
      clock.now += 29; // the second's time exactly: still kept
      expect(e.stats().jobsKept).toBe(1);
      clock.now += 1;
      expect(e.stats().jobsKept).toBe(0);
      expect((await get(e, `/v1/jobs/${second}`)).status).toBe(404);
    } finally {
      await e.close();
    }
  });

  it("forgets a released [hold] job counting from its release, not from the server timeout", async () => {
    const clock = { now: Date.now() };
    const e = await start({ retentionMs: 50, jobTimeoutMs: 600_000, now: () => clock.now });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "[hold] released" });
      expect(e.stats().jobsKept).toBe(1);
      clock.now += 1000;
      expect(e.release(id)).toBe(true);
      clock.now += 100;
      expect(e.stats().jobsKept).toBe(1);
      clock.now += 1;
      expect(e.stats().jobsKept).toBe(0);
      expect(e.job(id)).toBeUndefined();
    } finally {
      await e.close();
    }
  });
});

describe("timing options", () => {
  it("takes per-model duration functions and a time scale", async () => {
    const asked: string[] = [];
    const e = await start({
      timing: {
        pendingMs: (m) => {
          asked.push(m);
          return 10;
        },
        processingMs: () => 20,
        timeScale: 2,
      },
    });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "scaled" });
      await pollUntil(e, id);
      const rec = e.job(id)!;
      expect(asked).toEqual(["lucy-pro-t2v"]);
      expect(rec.startedAt! - rec.submittedAt).toBe(20);
      expect(rec.completedAt! - rec.startedAt!).toBe(40);
    } finally {
      await e.close();
    }
  });

  it("draws durations within the spread using the given random source", async () => {
    const e = await start({ timing: { pendingMs: 100, processingMs: 100, spread: 0.5 }, random: () => 0 });
    try {
      // The submit answered pending (`submit` checks it); the job's record is not read before it ends, as 50 ms after
      // the submit it would already say processing on a busy machine.
      const id = await submit(e, "lucy-pro-t2v", { prompt: "spread" });
      await pollUntil(e, id);
      const done = e.job(id)!;
      expect(done.startedAt! - done.submittedAt).toBe(50);
      expect(done.completedAt! - done.startedAt!).toBe(50);
    } finally {
      await e.close();
    }
  });

  it("uses the catalogue's typical job time by default (realistic)", async () => {
    const e = await start({ timing: "realistic" });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "real" });
      expect(e.job(id)!.status).toBe("pending");
      const res = await get(e, `/v1/jobs/${id}`);
      expect(((await res.json()) as { status: string }).status).toBe("pending");
    } finally {
      await e.close();
    }
  });
});

describe("padded results (resultBytes)", () => {
  it("serves exactly resultBytes, still a decodable MP4, and hashes what it serves", async () => {
    const size = 3_000_000;
    const e = await start({ resultBytes: size });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "padded" });
      await pollUntil(e, id);
      const c = await content(e, id);
      expect(c.status).toBe(200);
      expect(c.bytes.length).toBe(size);
      const path = saveTemp(c.bytes, "mp4");
      expectCleanDecode(path);
      expect(probe(path).codec_name).toBe("h264");
      const rec = e.job(id)!;
      expect(rec.resultBytes).toBe(size);
      expect(rec.resultSha256).toBe(createHash("sha256").update(c.bytes).digest("hex"));
      expect(e.stats().bytesServed).toBeGreaterThanOrEqual(size);
    } finally {
      await e.close();
    }
  });

  it("refuses a resultBytes above 4 GiB (4294967296), and takes that largest one", async () => {
    for (const resultBytes of [4 * 1024 ** 3 + 1, 1e12, Number.POSITIVE_INFINITY]) {
      await expect(start({ resultBytes }), String(resultBytes)).rejects.toThrow(
        "resultBytes must be a positive integer, at most 4294967296 (4 GiB)",
      );
    }
    await (await start({ resultBytes: 4 * 1024 ** 3 })).close();
  });

  it("close() stops the hash of a padded result under way", async () => {
    // 1 GiB of padding: hashed in full, it would take seconds; close() stops it at its next chunk.
    const cache = new ResultCache(1024 ** 3);
    const rendering = cache.video({ model: "lucy-pro-t2v", modelWidth: 1280, modelHeight: 704, prompt: "p", seed: 1 });
    await new Promise((r) => setImmediate(r));
    cache.close();
    await expect(rendering).rejects.toBeInstanceOf(ResultCacheClosed);
  });
});
