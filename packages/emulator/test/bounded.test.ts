/**
 * A long-running emulator stays bounded: at most `maxJobs` jobs are kept (the oldest finished go first; later reads
 * get 404 on status and 410 on content), a submit when every kept job is unfinished answers 429, and `stats()` lists
 * jobs only on request, one bounded page at a time.
 */
import { describe, expect, it } from "vitest";
import { form, get, pollUntil, post, start, submit } from "./helpers.js";

describe("the job cap", () => {
  it("forgets the oldest finished job beyond maxJobs: 404 on its status, 410 on its content", async () => {
    const e = await start({ maxJobs: 3 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await submit(e, "lucy-pro-t2v", { prompt: `cap ${i}` }));
      for (const id of ids) await pollUntil(e, id);
      const fourth = await submit(e, "lucy-pro-t2v", { prompt: "cap 3" });
      expect(e.stats()).toMatchObject({ jobsCreated: 4, jobsKept: 3, jobsEvicted: 1 });
      expect(e.job(ids[0]!)).toBeUndefined();
      expect((await get(e, `/v1/jobs/${ids[0]}`)).status).toBe(404);
      const gone = await get(e, `/v1/jobs/${ids[0]}/content`);
      expect(gone.status).toBe(410);
      expect(((await gone.json()) as { detail: string }).detail).toContain("maxJobs");
      for (const id of [ids[1]!, ids[2]!, fourth]) expect((await get(e, `/v1/jobs/${id}`)).status).toBe(200);
    } finally {
      await e.close();
    }
  });

  it("answers 429 with Retry-After when every kept job is unfinished, and creates no job", async () => {
    const e = await start({ maxJobs: 2, timing: { pendingMs: 60_000, processingMs: 60_000 } });
    try {
      await submit(e, "lucy-pro-t2v", { prompt: "slow 1" });
      await submit(e, "lucy-pro-t2v", { prompt: "slow 2" });
      const res = await post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "one too many" }));
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(60);
      expect(((await res.json()) as { detail: string }).detail).toContain("maxJobs");
      expect(e.stats()).toMatchObject({ jobsCreated: 2, jobsKept: 2, jobsEvicted: 0 });
    } finally {
      await e.close();
    }
  });

  it("gives a 410 for a forgotten job only to its owner (another key gets 404)", async () => {
    const e = await start({ maxJobs: 1, keys: ["key-a", "key-b"] });
    try {
      const first = await submit(e, "lucy-pro-t2v", { prompt: "owned" }, { "x-api-key": "key-a" });
      await pollUntil(e, first, undefined, 5, "key-a");
      await submit(e, "lucy-pro-t2v", { prompt: "next" }, { "x-api-key": "key-a" });
      const url = `${e.url}/v1/jobs/${first}/content`;
      expect((await fetch(url, { headers: { "x-api-key": "key-a" } })).status).toBe(410);
      expect((await fetch(url, { headers: { "x-api-key": "key-b" } })).status).toBe(404);
    } finally {
      await e.close();
    }
  });

  it("refuses a maxJobs that is not a positive integer", async () => {
    await expect(start({ maxJobs: 0 })).rejects.toThrow(/maxJobs/);
    await expect(start({ maxJobs: 1.5 })).rejects.toThrow(/maxJobs/);
  });
});

describe("stats of many jobs", () => {
  it("stay small: counters by default, and a page is at most 1000 records", async () => {
    const e = await start();
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => submit(e, "lucy-pro-t2v", { prompt: `many ${i}` })));
      const counters = e.stats();
      expect(counters.jobs).toBeUndefined();
      expect(JSON.stringify(counters).length).toBeLessThan(1000);
      const page = e.stats({ limit: 5000 }).jobs!;
      expect(page).toMatchObject({ total: 30, offset: 0, limit: 1000 });
      expect(page.records).toHaveLength(30);
      expect(e.stats({ offset: 25 }).jobs!.records).toHaveLength(5);
      const admin = await fetch(`${e.url}/_emulator/stats`, { headers: { authorization: `Bearer ${e.adminToken}` } });
      expect((await admin.text()).length).toBeLessThan(1000);
    } finally {
      await e.close();
    }
  });
});
