import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models } from "../src/index.js";
import { nodeUpload, saveResult } from "../src/node.js";
import { serve, silent } from "./helpers.js";

// A purpose-built server: a job's submit answers a job, its content 1000 bytes of MP4; each request's body is kept.
let api: Awaited<ReturnType<typeof serve>>;
const bodies: string[] = [];
let dir: string;
beforeAll(async () => {
  api = await serve((req, res, body) => {
    bodies.push(body.toString("latin1"));
    if (req.method === "POST") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_1", status: "pending" }));
    } else {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": 1000 });
      res.end(Buffer.alloc(1000, 3));
    }
  });
  dir = await mkdtemp(join(tmpdir(), "decart-save-"));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});
const client = (upload = nodeUpload()) =>
  createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, maxRetries: 0, upload });

describe("nodeUpload's text fields", () => {
  it("send every line break as CRLF, as a form through fetch sends it", async () => {
    bodies.length = 0;
    const prompt = "one\ntwo\rthree\r\nfour";
    for (const upload of [undefined, nodeUpload()])
      await createDecartClient({ apiKey: "k", baseUrl: api.url, logger: silent, upload }).queue.submit({
        model: models.video("lucy-clip"),
        prompt,
        data: new Blob([new Uint8Array(4)], { type: "video/mp4" }),
      });
    const sent = bodies.map((body) => /name="prompt"\r\n\r\n([\s\S]*?)\r\n--/.exec(body)![1]);
    expect(sent).toEqual(["one\r\ntwo\r\nthree\r\nfour", "one\r\ntwo\r\nthree\r\nfour"]);
  });
});

describe("saveResult", () => {
  it("over a file keeps its permissions; a new file has the default mode", async () => {
    const target = join(dir, "private.mp4");
    await writeFile(target, "old");
    await chmod(target, 0o600);
    await saveResult(client(), "job_1", target);
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect((await readFile(target)).length).toBe(1000);
    // A new file: as a file made by the process is (0666 under its umask).
    const made = join(dir, "made");
    await writeFile(made, "");
    const fresh = join(dir, "new.mp4");
    await saveResult(client(), "job_1", fresh);
    expect((await stat(fresh)).mode & 0o777).toBe((await stat(made)).mode & 0o777);
  });

  it.each([[""], ["a\0b"], [undefined]])("refuses the path %j before any request", async (path) => {
    const before = api.arrived();
    const e = await saveResult(client(), "job_1", path as string).catch((e) => e);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.field).toBe("path");
    expect(api.arrived()).toBe(before);
    expect((await readdir(dir)).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });
});
