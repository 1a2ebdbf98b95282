import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "decart-emulator.js");

/** Starts the built bin and resolves with its printed URL and key. */
function launch(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const ready = new Promise<{ url: string; key: string }>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const key = /API key: (\S+)/.exec(out)?.[1];
      if (url && key) resolve({ url, key });
    });
    child.on("exit", (code) => reject(new Error(`bin exited with ${code}: ${out}`)));
  });
  return { child, ready };
}

describe("decart-emulator bin", () => {
  it("is built (the test task runs after build)", () => {
    expect(existsSync(join(root, "dist", "cli.js"))).toBe(true);
  });

  it("prints its URL and a dev key, serves the API, and exits on SIGTERM", async () => {
    const { child, ready } = launch(["--port", "0", "--fast", "--quiet"]);
    try {
      const { url, key } = await ready;
      const fd = new FormData();
      fd.append("prompt", "from the bin");
      const res = await fetch(`${url}/v1/jobs/lucy-pro-t2v`, {
        method: "POST",
        headers: { "x-api-key": key },
        body: fd,
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe("pending");
    } finally {
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  });

  it("takes --keys and --faults", async () => {
    const { child, ready } = launch(["--port", "0", "--keys", "k1,k2", "--faults", "submit:503@1", "--quiet"]);
    try {
      const { url, key } = await ready;
      expect(key).toBe("k1");
      const fd = new FormData();
      fd.append("prompt", "x");
      const res = await fetch(`${url}/v1/jobs/lucy-pro-t2v`, {
        method: "POST",
        headers: { "x-api-key": "k2" },
        body: fd,
      });
      expect(res.status).toBe(503);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("fails with a message on a bad option", async () => {
    const child = spawn(process.execPath, [bin, "--faults", "submit:explode"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(1);
    expect(err).toContain("unknown kind");
  });
});
