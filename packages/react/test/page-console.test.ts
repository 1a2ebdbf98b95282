import page from "node:console";
import { describe, expect, it, vi } from "vitest";
import { startFast } from "./helpers.js";

/** What Node's own console (the page's, happy-dom's) writes on stderr while `run` runs; nothing of it is shown. */
async function printed(run: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    vi.mocked(process.stderr.write).mockRestore();
  }
  return written.join("");
}

describe("the page's console (test/setup.ts)", () => {
  it("prints no line for an answer that is not ok (happy-dom's network log), and prints anything else", async () => {
    const emu = await startFast({ faults: [{ route: "submit", kind: "503" }] });
    const statuses: number[] = [];
    const out = await printed(async () => {
      const headers = { "X-API-KEY": emu.apiKey };
      statuses.push((await fetch(`${emu.url}/v1/jobs/job_nobody_made`, { headers })).status);
      const body = new FormData();
      body.set("prompt", "refused");
      statuses.push((await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, { method: "POST", headers, body })).status);
      page.error(`GET ${emu.url}/v1/jobs/job_nobody_made 404 (Not Found)`); // the same line, not the fetch's report
      page.error("a real error");
      page.error(new Error("a thrown one"));
    });
    expect(statuses).toEqual([404, 503]);
    expect(out.split("\n").filter((line) => / \d{3} \(/.test(line))).toEqual([
      `GET ${emu.url}/v1/jobs/job_nobody_made 404 (Not Found)`,
    ]);
    expect(out).toContain("a real error\n");
    expect(out).toContain("Error: a thrown one");
  });
});
