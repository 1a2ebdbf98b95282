import { once } from "node:events";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, type EmulatorStats, FAULT_KINDS, ROUTE_NAMES } from "../src/index.js";
import { ADMIN_ROUTES, API_ROUTES, overlapping, SERVER_ALLOW } from "../src/routes.js";
import { form, get, jsonOf, pollUntil, post, raw, start, submit } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());
const admin = (e = emu) => ({ authorization: `Bearer ${e.adminToken}` });
/** A browser's preflight: an Origin and the method asked for. */
const PREFLIGHT = { origin: "http://localhost:5173", "access-control-request-method": "POST" };

describe("stats and admin routes", () => {
  it("counts requests by route, bytes served, and each job's reads", async () => {
    emu.resetStats();
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "counted" });
    const polls = (await pollUntil(emu, id)).length;
    const content = await get(emu, `/v1/jobs/${id}/content`);
    const size = (await content.arrayBuffer()).byteLength;
    await get(emu, "/nowhere");

    const s = emu.stats();
    expect(s.jobsCreated).toBe(1);
    expect(s.requests.byRoute).toMatchObject({ submit: 1, status: polls, content: 1, other: 1 });
    expect(s.requests.total).toBe(1 + polls + 1 + 1);
    expect(s.bytesServed).toBeGreaterThan(size);
    expect(emu.job(id)).toMatchObject({
      id,
      model: "lucy-pro-t2v",
      status: "completed",
      statusReads: polls,
      contentReads: 1,
      requests: polls + 1,
      resultBytes: size,
    });
  });

  it("counts a request once when its client resets the connection mid-answer or mid-body", async () => {
    let answered: (() => void) | undefined;
    const e = await start({ logger: (line) => (line.includes(" → ") ? answered?.() : undefined) });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "reset mid-answer" });
      await pollUntil(e, id);
      e.resetStats();
      const u = new URL(e.url);
      const head = `host: ${u.host}\r\nx-api-key: ${e.apiKey}\r\n`;
      for (let i = 0; i < 3; i++) {
        for (const request of [
          `GET /v1/jobs/${id}/content HTTP/1.1\r\n${head}x-emulator-fault: stall\r\n\r\n`, // half the answer, then nothing
          `POST /v1/files HTTP/1.1\r\n${head}content-type: multipart/form-data; boundary=b\r\ncontent-length: 100000\r\n\r\n--b\r\n`,
        ]) {
          const counted = e.stats().requests.total;
          const socket = connect(Number(u.port), u.hostname);
          socket.on("error", () => {});
          socket.write(request);
          if (request.startsWith("GET")) await once(socket, "data");
          else while (e.stats().requests.total === counted) await new Promise((r) => setImmediate(r));
          const closed = new Promise<void>((r) => {
            answered = r;
          });
          socket.resetAndDestroy();
          await closed; // the emulator saw the connection go (its error comes before)
        }
      }
      await new Promise((r) => setImmediate(r));
      expect(e.stats().requests).toEqual({
        total: 6,
        byRoute: expect.objectContaining({ content: 3, files: 3, other: 0 }),
      });
    } finally {
      await e.close();
    }
  });

  it("returns counters only by default, and a page of the job list on request", async () => {
    const e = await start();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await submit(e, "lucy-pro-t2v", { prompt: `page ${i}` }));
      const counters = e.stats();
      expect(counters.jobs).toBeUndefined();
      expect(counters).toMatchObject({ jobsCreated: 5, jobsKept: 5, jobsEvicted: 0 });
      const page = e.stats({ offset: 1, limit: 2 }).jobs!;
      expect(page).toMatchObject({ total: 5, offset: 1, limit: 2 });
      expect(page.records.map((r) => r.id)).toEqual(ids.slice(1, 3));
      expect(e.stats({}).jobs!.records.map((r) => r.id)).toEqual(ids);
      expect(e.stats({ limit: 1_000_000 }).jobs!.limit).toBe(1000);
    } finally {
      await e.close();
    }
  });

  it("checks a page's values as the admin route does: a TypeError or RangeError naming the field, never a guess", async () => {
    const e = await start();
    try {
      for (let i = 0; i < 3; i++) await submit(e, "lucy-pro-t2v", { prompt: `checked ${i}` });
      const cases: [page: unknown, error: typeof TypeError | typeof RangeError, message: string][] = [
        [{ limit: Number.NaN }, RangeError, "page.limit must be a whole number from 0 (got NaN)"],
        [{ limit: 1.5 }, RangeError, "page.limit must be a whole number from 0 (got 1.5)"],
        [{ limit: Number.POSITIVE_INFINITY }, RangeError, "page.limit must be a whole number from 0 (got Infinity)"],
        [{ offset: -1 }, RangeError, "page.offset must be a whole number from 0 (got -1)"],
        [{ offset: "1" }, TypeError, 'page.offset must be a whole number from 0 (got "1")'],
        [{ limit: null }, TypeError, "page.limit must be a whole number from 0 (got null)"],
        [{ limt: 5 }, TypeError, "page.limt is not a field of a page: give offset and limit only"],
        [null, TypeError, "page must be an object { offset?, limit? } (got null)"],
        [5, TypeError, "page must be an object { offset?, limit? } (got 5)"],
      ];
      for (const [page, error, message] of cases) {
        const call = () => e.stats(page as never);
        expect(call, JSON.stringify(page)).toThrow(error);
        expect(call, JSON.stringify(page)).toThrow(message);
      }
      // What is within the rule: the defaults, an explicit undefined, 0, a limit over the maximum (the maximum), an
      // offset past the end (an empty page).
      expect(e.stats({ offset: undefined, limit: 0 }).jobs).toMatchObject({
        total: 3,
        offset: 0,
        limit: 0,
        records: [],
      });
      expect(e.stats({ limit: 5000 }).jobs).toMatchObject({ total: 3, limit: 1000 });
      expect(e.stats({ offset: 1e20 }).jobs).toMatchObject({ total: 3, offset: 1e20, records: [] });
      expect(e.stats({ offset: 2 }).jobs!.records).toHaveLength(1);
    } finally {
      await e.close();
    }
  });

  it("serves the same at GET /_emulator/stats (counters; ?jobs, offset, limit for a page) and one job at /_emulator/jobs/{id}", async () => {
    // Jobs that stay pending, so that the record read over HTTP and the one read in process are the same.
    const e = await start({ timing: { pendingMs: 60_000, processingMs: 60_000 } });
    try {
      const ids = [await submit(e, "lucy-pro-t2v", { prompt: "a" }), await submit(e, "lucy-pro-t2v", { prompt: "b" })];
      const res = await fetch(`${e.url}/_emulator/stats`, { headers: admin(e) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as EmulatorStats;
      expect(body.jobsCreated).toBe(2);
      expect(body.jobs).toBeUndefined();
      const paged = (await (
        await fetch(`${e.url}/_emulator/stats?jobs&offset=1&limit=5`, { headers: admin(e) })
      ).json()) as EmulatorStats;
      expect(paged.jobs).toMatchObject({ total: 2, offset: 1, limit: 5 });
      expect(paged.jobs!.records.map((r) => r.id)).toEqual([ids[1]]);
      // A page's numbers are taken as written: anything but digits, or a number given twice, is a 422 naming it.
      for (const bad of [
        "offset=abc",
        "limit=-3",
        "limit=1.5",
        "offset=-1",
        "limit=",
        "limit=1e3",
        "offset=1&offset=2",
      ]) {
        const refused = await fetch(`${e.url}/_emulator/stats?jobs&${bad}`, { headers: admin(e) });
        expect(refused.status, bad).toBe(422);
        expect(((await refused.json()) as { detail: string }).detail).toContain(bad.slice(0, bad.indexOf("=")));
      }
      // A limit past the page's maximum is the maximum, as in stats(), digits however many.
      const most = (await (
        await fetch(`${e.url}/_emulator/stats?limit=99999999999999999999`, { headers: admin(e) })
      ).json()) as EmulatorStats;
      expect(most.jobs).toMatchObject({ total: 2, offset: 0, limit: 1000 });
      const one = await fetch(`${e.url}/_emulator/jobs/${ids[0]}`, { headers: admin(e) });
      expect(await one.json()).toEqual(e.job(ids[0]!));
      expect((await fetch(`${e.url}/_emulator/jobs/job_nope`, { headers: admin(e) })).status).toBe(404);
    } finally {
      await e.close();
    }
  });

  it("resets counters and the job list (POST /_emulator/reset-stats and resetStats())", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "before reset" });
    await get(emu, `/v1/jobs/${id}`);
    const res = await fetch(`${emu.url}/_emulator/reset-stats`, { method: "POST", headers: admin() });
    expect(res.status).toBe(204);
    const s = emu.stats({});
    expect(s.jobsCreated).toBe(0);
    expect(s.jobs!.records).toEqual([]);
    expect(s.bytesServed).toBe(0);
    expect(s.requests.total).toBe(0);
    expect(s.faultsInjected).toEqual({});
    expect(emu.job(id)).toMatchObject({ statusReads: 0, requests: 0 });
    // jobs from before still work
    expect((await get(emu, `/v1/jobs/${id}`)).status).toBe(200);
    expect(emu.stats().requests.byRoute.status).toBe(1);
  });

  it("counts faults by kind", async () => {
    emu.resetStats();
    await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }), { "x-emulator-fault": "503" });
    await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }), { "x-emulator-fault": "503" });
    await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }), { "x-emulator-fault": "429" });
    expect(emu.stats().faultsInjected).toEqual({ "503": 2, "429": 1 });
  });

  it("refuses wrong methods on admin routes (405) and unknown admin routes (404)", async () => {
    const headers = admin();
    expect((await fetch(`${emu.url}/_emulator/stats`, { method: "POST", headers })).status).toBe(405);
    expect((await fetch(`${emu.url}/_emulator/reset-stats`, { headers })).status).toBe(405);
    expect((await fetch(`${emu.url}/_emulator/nope`, { headers })).status).toBe(404);
  });

  it("reads an admin path as one route of its table: /_emulator/jobs/release is the job 'release', not a release", async () => {
    const headers = admin();
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "admin paths" });
    const cases: [method: string, path: string, status: number, detail: string, allow?: string][] = [
      // One segment after jobs/: a job's record (GET), whatever its id reads as.
      ["GET", "/_emulator/jobs/release", 404, "Job not found"],
      ["HEAD", "/_emulator/jobs/release", 404, ""],
      ["POST", "/_emulator/jobs/release", 405, "Method Not Allowed", "GET, HEAD"],
      ["GET", `/_emulator/jobs/${id}`, 200, ""],
      // Two, the second "release": a release (POST) of the job named by the first.
      ["POST", "/_emulator/jobs/release/release", 404, "Job not found"],
      ["GET", "/_emulator/jobs/release/release", 405, "Method Not Allowed", "POST"],
      ["GET", `/_emulator/jobs/${id}/release`, 405, "Method Not Allowed", "POST"],
      ["POST", `/_emulator/jobs/${id}/release`, 409, "Job is not held: no [hold] in its prompt, or it has ended."],
      // No job id, or more segments than any route has: no route.
      ["GET", "/_emulator/jobs//release", 404, "Not Found"],
      ["POST", "/_emulator/jobs//release", 404, "Not Found"],
      ["GET", "/_emulator/jobs/", 404, "Not Found"],
      ["GET", "/_emulator/jobs/a/b", 404, "Not Found"],
      ["POST", "/_emulator/jobs/a/b/release", 404, "Not Found"],
      ["GET", "/_emulator/stats/", 404, "Not Found"],
    ];
    for (const [method, path, status, detail, allow] of cases) {
      const r = await raw(emu.url, { method, path, headers });
      expect(r.status, `${method} ${path}`).toBe(status);
      if (detail) expect(jsonOf(r).detail, `${method} ${path}`).toBe(detail);
      expect(r.headers.allow, `${method} ${path}`).toBe(allow);
    }
  });

  it("has route tables in which no two paths match the same request path", () => {
    expect(overlapping(API_ROUTES)).toBeUndefined();
    expect(overlapping(ADMIN_ROUTES)).toBeUndefined();
    // What it guards against: a job id read as a literal segment, or the other way round.
    const ambiguous = [
      { path: "/_emulator/jobs/{job_id}", methods: { GET: "admin-job" } },
      { path: "/_emulator/jobs/release", methods: { POST: "admin-release" } },
    ] as const;
    expect(overlapping(ambiguous)).toEqual(["/_emulator/jobs/{job_id}", "/_emulator/jobs/release"]);
    expect(
      overlapping([
        { path: "/a/{x}/c", methods: {} },
        { path: "/a/b/{y}", methods: {} },
      ]),
    ).toBeDefined();
    expect(
      overlapping([
        { path: "/a/{x}", methods: {} },
        { path: "/a/{x}/c", methods: {} },
      ]),
    ).toBeUndefined();
  });

  it("logs one line per request through the logger", async () => {
    const lines: string[] = [];
    const e = await start({ logger: (l) => lines.push(l) });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "logged" });
      await get(e, `/v1/jobs/${id}`);
    } finally {
      await e.close();
    }
    expect(lines.filter((l) => l.startsWith("POST /v1/jobs/lucy-pro-t2v → 200 "))).toHaveLength(1);
    expect(lines.filter((l) => /^GET \/v1\/jobs\/job_[0-9a-f]+ → 200 [\d.]+ms req_/.test(l))).toHaveLength(1);
  });
});

describe("the exported lists", () => {
  it("ROUTE_NAMES and FAULT_KINDS cannot be changed: a later emulator counts the same routes, names the same kinds", async () => {
    const routes = [...ROUTE_NAMES];
    const kinds = [...FAULT_KINDS];
    // A caller's push, or a sort for a menu, in place: refused (they are frozen).
    expect(() => (ROUTE_NAMES as unknown as string[]).push("bogus")).toThrow(TypeError);
    expect(() => (ROUTE_NAMES as unknown as string[]).sort()).toThrow(TypeError);
    expect(() => (FAULT_KINDS as unknown as string[]).push("bogus")).toThrow(TypeError);
    expect(() => (FAULT_KINDS as unknown as string[]).reverse()).toThrow(TypeError);
    expect([ROUTE_NAMES, FAULT_KINDS]).toEqual([routes, kinds]);
    const later = await start();
    try {
      expect(Object.keys(later.stats().requests.byRoute)).toEqual(routes);
      const res = await post(later, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }), { "x-emulator-fault": "bogus" });
      expect(await res.text()).toContain(`expected one of ${kinds.join(", ")}`);
    } finally {
      await later.close();
    }
  });
});

describe("every answer", () => {
  it("carries a unique x-request-id and JSON errors for unknown routes (404) and methods (405)", async () => {
    const cases = [
      { method: "GET", path: "/", status: 404 },
      { method: "GET", path: "/v2/jobs", status: 404 },
      { method: "PUT", path: "/v1/jobs/job_x", status: 405 },
      { method: "DELETE", path: "/v1/jobs/job_x/content", status: 405 },
      { method: "GET", path: "/v1/generate/lucy-pro-t2i", status: 405 },
      { method: "GET", path: "/v1/client/tokens", status: 405 },
      { method: "PATCH", path: "/v1/files/file_x", status: 405 },
      { method: "GET", path: "/v1/jobs/job_x/other", status: 404 },
    ];
    const ids = new Set<string>();
    for (const c of cases) {
      const r = await raw(emu.url, { method: c.method, path: c.path, headers: { "x-api-key": emu.apiKey } });
      expect(r.status, `${c.method} ${c.path}`).toBe(c.status);
      expect(r.headers["content-type"]).toContain("application/json");
      expect(typeof jsonOf(r).detail).toBe("string");
      if (c.status === 405) expect(r.headers.allow).toBeTruthy();
      const rid = r.headers["x-request-id"] as string;
      expect(rid).toMatch(/^req_/);
      ids.add(rid);
    }
    expect(ids.size).toBe(cases.length);
  });

  it("answers CORS preflights so that a browser page can call it", async () => {
    const r = await raw(emu.url, {
      method: "OPTIONS",
      path: "/v1/jobs/lucy-pro-t2v",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-api-key",
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    expect(r.headers["access-control-allow-headers"]).toBe("x-api-key");
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "cors" });
    const res = await get(emu, `/v1/jobs/${id}`);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });

  it("answers a preflight on any path with the path's methods (every method on a path that is none, whose request is 404)", async () => {
    for (const path of ["/v1/jobs/job_x", "/v1/jobs/job_x/content", "/v1/files/file_x", "/v1/client/tokens"]) {
      expect((await raw(emu.url, { method: "OPTIONS", path, headers: PREFLIGHT })).status, path).toBe(204);
    }
    // Its allowed methods are the path's, as the Allow of a 405 there lists them (one source: the route table), and
    // OPTIONS, since the path answers preflights. The 405's Allow lists no OPTIONS: no route takes it (Starlette lists
    // the route's methods, HEAD with GET), and a `/v1/jobs/{name}` of no model (a job's id) takes no POST either.
    for (const [path, methods] of [
      ["/v1/jobs/job_x", "GET, HEAD"],
      ["/v1/jobs/job_x/content", "GET, HEAD"],
      ["/v1/jobs/lucy-pro-t2v", "GET, HEAD, POST"],
      ["/v1/generate/lucy-pro-t2i", "POST"],
      ["/v1/files", "POST"],
      ["/v1/files/file_x", "GET, HEAD, DELETE"],
      ["/v1/client/tokens", "POST"],
    ] as const) {
      const preflight = await raw(emu.url, {
        method: "OPTIONS",
        path,
        headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" },
      });
      expect(preflight.status, path).toBe(204);
      expect(preflight.headers["access-control-allow-methods"], path).toBe(`${methods}, OPTIONS`);
      const wrong = await raw(emu.url, { method: "PATCH", path, headers: { "x-api-key": emu.apiKey } });
      expect(wrong.status, path).toBe(405);
      expect(wrong.headers.allow, path).toBe(methods);
    }
    // A path that is none (a job id with a `/`, decoded): its preflight too, with every method some path takes, so
    // that the request that follows gets the 404 a page can read (a failed preflight is a network error to it).
    for (const path of ["/", "/v2/jobs", "/v1/jobs/job_x/other", "/v1/jobs/", "/v1/jobs/..%2F..%2Fv1%2Fmodels"]) {
      const r = await raw(emu.url, { method: "OPTIONS", path, headers: PREFLIGHT });
      expect(r.status, path).toBe(204);
      expect(r.headers["access-control-allow-origin"], path).toBe("*");
      expect(r.headers["access-control-allow-methods"], path).toBe(SERVER_ALLOW);
      const after = await raw(emu.url, { path, headers: { origin: "http://localhost:5173", "x-api-key": emu.apiKey } });
      expect(after.status, path).toBe(404);
      expect(after.headers["access-control-allow-origin"], path).toBe("*");
      expect(jsonOf(after)).toEqual({ detail: "Not Found" });
    }
    // A path that redirects to one of the API's (a trailing slash): that path's preflight, as the server's CORS
    // middleware answers before its router redirects the request that follows.
    const slash = await raw(emu.url, { method: "OPTIONS", path: "/v1/files/", headers: PREFLIGHT });
    expect(slash.status).toBe(204);
    expect(slash.headers["access-control-allow-methods"]).toBe("POST, OPTIONS");
  });

  it("answers an OPTIONS that is no preflight (no Origin or no Access-Control-Request-Method) as the routes do", async () => {
    // Starlette's CORS middleware answers a preflight only: any other OPTIONS goes to the routes, none of which takes
    // it: 405 with the path's Allow (its CORS headers when it came with an Origin), 307 and 404 as for any method.
    for (const headers of [
      {},
      { origin: "http://localhost:5173" },
      { "access-control-request-method": "POST" },
      { origin: "http://localhost:5173", "access-control-request-headers": "x-api-key" },
    ] as Record<string, string>[]) {
      const what = JSON.stringify(headers);
      const r = await raw(emu.url, { method: "OPTIONS", path: "/v1/files/file_x", headers });
      expect(r.status, what).toBe(405);
      // The path's methods, not OPTIONS, the method refused (it was listed, as if the path took it).
      expect(r.headers.allow, what).toBe("GET, HEAD, DELETE");
      expect(jsonOf(r), what).toEqual({ detail: "Method Not Allowed" });
      expect(r.headers["access-control-allow-methods"], what).toBeUndefined();
      expect(r.headers["access-control-allow-origin"], what).toBe("*");
      const slash = await raw(emu.url, { method: "OPTIONS", path: "/v1/files/", headers });
      expect(slash.status, what).toBe(307);
      expect(slash.headers.location, what).toBe(`${emu.url}/v1/files`);
      const unknown = await raw(emu.url, { method: "OPTIONS", path: "/v2/jobs", headers });
      expect(unknown.status, what).toBe(404);
    }
    // The two together make a preflight, whatever the method asked (an empty one too).
    for (const asked of ["GET", ""]) {
      const r = await raw(emu.url, {
        method: "OPTIONS",
        path: "/v1/files/file_x",
        headers: { origin: "http://localhost:5173", "access-control-request-method": asked },
      });
      expect(r.status, asked).toBe(204);
      expect(r.headers["access-control-allow-methods"]).toBe("GET, HEAD, DELETE, OPTIONS");
    }
  });

  it("answers a 405 with the same Allow for a path whatever the method refused: its routes' methods, no OPTIONS", async () => {
    // `/v1/jobs/{name}` takes POST for a model's name only: for a job's id, POST is refused as PATCH and OPTIONS are.
    for (const [path, allow] of [
      ["/v1/jobs/job_abc", "GET, HEAD"],
      ["/v1/jobs/lucy-pro-t2v", "GET, HEAD, POST"],
      ["/v1/files/file_x", "GET, HEAD, DELETE"],
      ["/v1/client/tokens", "POST"],
    ] as const) {
      for (const method of ["OPTIONS", "PATCH", "PUT", "DELETE", "POST", "GET"]) {
        if (allow.split(", ").includes(method)) continue;
        const r = await raw(emu.url, { method, path, headers: { "x-api-key": emu.apiKey } });
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers.allow, `${method} ${path}`).toBe(allow);
      }
    }
  });

  it("counts a HEAD among a job's requests, not as a status or content read", async () => {
    const clock = { now: Date.parse("2030-01-01T00:00:00.000Z") };
    const e = await start({ now: () => clock.now });
    try {
      const id = await submit(e, "lucy-pro-t2v", { prompt: "only heads" });
      clock.now += 60_000;
      for (const path of [`/v1/jobs/${id}`, `/v1/jobs/${id}/content`]) {
        const r = await raw(e.url, { method: "HEAD", path, headers: { "x-api-key": e.apiKey } });
        expect(r.status, path).toBe(200);
      }
      const record = e.job(id)!;
      expect(record).toMatchObject({ status: "completed", statusReads: 0, contentReads: 0, requests: 2 });
      expect(record.firstCompletedReadAt).toBeUndefined();
      await (await get(e, `/v1/jobs/${id}/content`)).arrayBuffer();
      await (await get(e, `/v1/jobs/${id}`)).json();
      expect(e.job(id)).toMatchObject({
        statusReads: 1,
        contentReads: 1,
        requests: 4,
        firstCompletedReadAt: clock.now,
      });
    } finally {
      await e.close();
    }
  });

  it("answers HEAD on a GET route as GET without the body, and lists HEAD in Allow", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "head" });
    await pollUntil(emu, id);
    const content = await get(emu, `/v1/jobs/${id}/content`);
    const bytes = (await content.arrayBuffer()).byteLength;
    for (const [path, status, length] of [
      [`/v1/jobs/${id}/content`, 200, String(bytes)],
      [`/v1/jobs/${id}`, 200, undefined],
      ["/v1/jobs/job_x", 404, undefined],
      ["/v1/files/file_x", 404, undefined],
    ] as const) {
      const r = await raw(emu.url, { method: "HEAD", path, headers: { "x-api-key": emu.apiKey } });
      expect(r.status, path).toBe(status);
      expect(r.body.length, path).toBe(0);
      if (length) expect(r.headers["content-length"]).toBe(length);
      else expect(Number(r.headers["content-length"])).toBeGreaterThan(0);
    }
    const status = await raw(emu.url, { method: "HEAD", path: "/_emulator/stats", headers: admin() });
    expect(status.status).toBe(200);
    for (const [method, path, allow] of [
      ["PUT", "/v1/jobs/job_x", "GET, HEAD"],
      ["POST", "/v1/jobs/job_x/content", "GET, HEAD"],
      ["PATCH", "/v1/files/file_x", "GET, HEAD, DELETE"],
    ] as const) {
      const r = await raw(emu.url, { method, path, headers: { "x-api-key": emu.apiKey } });
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.headers.allow).toBe(allow);
    }
  });
});
