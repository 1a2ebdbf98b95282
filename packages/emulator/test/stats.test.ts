import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator, EmulatorStats } from "../src/index.js";
import { form, get, jsonOf, pollUntil, post, raw, start, submit } from "./helpers.js";

let emu: Emulator;
const lines: string[] = [];
beforeAll(async () => {
  emu = await start({ logger: (l) => lines.push(l) });
});
afterAll(() => emu.close());
const admin = () => ({ authorization: `Bearer ${emu.adminToken}` });

describe("stats and admin routes", () => {
  it("counts requests by route and by job, bytes served, and lists jobs", async () => {
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
    expect(s.requests.byJob).toEqual({ [id]: polls + 1 });
    expect(s.bytesServed).toBeGreaterThan(size);
    expect(s.jobs[id]).toMatchObject({
      id,
      model: "lucy-pro-t2v",
      status: "completed",
      statusReads: polls,
      contentReads: 1,
    });
    expect(s.jobs[id]!.resultBytes).toBe(size);
  });

  it("serves the same stats at GET /_emulator/stats, with the admin token", async () => {
    const res = await fetch(`${emu.url}/_emulator/stats`, { headers: admin() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as EmulatorStats;
    expect(body.jobsCreated).toBe(emu.stats().jobsCreated);
    expect(Object.keys(body.jobs)).toEqual(Object.keys(emu.stats().jobs));
    expect(body.requests.byRoute.admin).toBeGreaterThanOrEqual(0);
  });

  it("resets counters and the job list (POST /_emulator/reset-stats and resetStats())", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "before reset" });
    const res = await fetch(`${emu.url}/_emulator/reset-stats`, { method: "POST", headers: admin() });
    expect(res.status).toBe(204);
    const s = emu.stats();
    expect(s.jobsCreated).toBe(0);
    expect(s.jobs).toEqual({});
    expect(s.bytesServed).toBe(0);
    expect(s.requests.total).toBe(0);
    expect(s.faultsInjected).toEqual({});
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

  it("logs one line per request through the logger", () => {
    expect(lines.some((l) => /^GET \/v1\/jobs\/job_[0-9a-f]+ → 200 /.test(l))).toBe(true);
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
      headers: { origin: "http://localhost:5173", "access-control-request-headers": "x-api-key" },
    });
    expect(r.status).toBe(204);
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    expect(r.headers["access-control-allow-headers"]).toBe("x-api-key");
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "cors" });
    const res = await get(emu, `/v1/jobs/${id}`);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });
});
