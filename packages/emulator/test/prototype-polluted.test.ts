import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// An app that adds an enumerable property to Object.prototype (here with `node --import`): every video render failed
// (a 500 for each result), as the MP4 muxer read that property as a metadata tag it does not know.
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "decart-emulator.js");
const pollute = join(root, "test", "fixtures", "pollute-object-prototype.mjs");

describe("the emulator in a process whose Object.prototype has an extra enumerable property", () => {
  it("renders a job's video", async () => {
    const child = spawn(process.execPath, ["--import", pollute, bin, "--port", "0", "--fast", "--quiet"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const { url, key } = await new Promise<{ url: string; key: string }>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
          const key = /API key: (\S+)/.exec(out)?.[1];
          if (url && key) resolve({ url, key });
        });
        child.on("exit", (code) => reject(new Error(`bin exited with ${code}: ${out}`)));
      });
      const headers = { "x-api-key": key };
      const form = new FormData();
      form.append("prompt", "a lake");
      const submit = await fetch(`${url}/v1/jobs/lucy-pro-t2v`, { method: "POST", headers, body: form });
      const { job_id } = (await submit.json()) as { job_id: string };
      let status = "pending";
      while (status === "pending" || status === "processing") {
        await new Promise((r) => setTimeout(r, 20));
        status = ((await (await fetch(`${url}/v1/jobs/${job_id}`, { headers })).json()) as { status: string }).status;
      }
      expect(status).toBe("completed");
      const content = await fetch(`${url}/v1/jobs/${job_id}/content`, { headers });
      expect(content.status).toBe(200);
      const bytes = Buffer.from(await content.arrayBuffer());
      expect(bytes.subarray(4, 8).toString("latin1")).toBe("ftyp");
    } finally {
      const exited = new Promise((r) => child.on("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  });
});
