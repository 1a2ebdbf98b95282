/**
 * `--verbose` only logs: a result whose download is cut short fails as it does without it. Against a server that
 * answers a result chunked and closes its connection in the middle of a chunk, or gzip-encoded and cut after half its
 * bytes: neither has a Content-Length to hold it to, and Node 20's fetch hands such a body over as complete (the
 * client's `saveResult` downloads over node:http, which tells). Each request is logged all the same. The result is
 * cut once, then refused (410), so that a download that fails is not tried again for long.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY, type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

/** An MP4's first box (`ftyp`), then bytes: what the CLI takes for a video. */
const VIDEO = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypmp42"), Buffer.alloc(100_000, 7)]);

let cut: "chunked" | "gzip" = "chunked";
/** The downloads of the result asked for so far: the first is cut short, the next ones refused (410: not tried again). */
let downloads = 0;
let server: Loopback;
let url: string;
let dir: string;
let remove: () => void;

beforeAll(async () => {
  ({ dir, remove } = tempDir());
  server = await listenOnLoopback((req, res) => {
    req.resume();
    req.on("end", () => {
      const json = (body: object) =>
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (req.method === "POST") return json({ job_id: "job_cut", status: "pending" });
      if (!req.url!.endsWith("/content")) return json({ job_id: "job_cut", status: "completed" });
      if (downloads++) return res.writeHead(410, { "content-type": "application/json" }).end('{"detail":"gone"}');
      // Written on the socket: a body that ends early is no answer node:http would write.
      const socket = req.socket;
      if (cut === "chunked") {
        socket.write(
          "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        );
        socket.write("3e8\r\n");
        socket.write(VIDEO.subarray(0, 1000));
        socket.write("\r\n");
        socket.write("4000\r\nabc"); // a chunk of 16384 bytes declared, 3 sent
      } else {
        const gzip = gzipSync(VIDEO);
        socket.write(
          "HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n",
        );
        socket.write(gzip.subarray(0, gzip.length >> 1));
      }
      socket.end();
    });
  });
  url = server.url;
});

afterAll(() => {
  server.close();
  remove();
});

describe("--verbose with a result cut short", () => {
  const batch = () => {
    const file = join(dir, "batch.jsonl");
    writeFileSync(file, '{"custom_id":"clip-1","prompt":"A lake"}\n');
    return file;
  };
  const commands: Array<[name: string, args: (out: string) => string[], exit: number]> = [
    ["video", (out) => ["video", "A lake", "-o", join(out, "v.mp4")], 1],
    ["jobs wait", (out) => ["jobs", "wait", "-o", join(out, "w.mp4"), "--", "job_cut"], 1],
    ["jobs result", (out) => ["jobs", "result", "-o", join(out, "r.mp4"), "--", "job_cut"], 1],
    ["batch", (out) => ["batch", batch(), "--out", out], 6],
  ];

  for (const kind of ["chunked", "gzip"] as const) {
    for (const [name, args, exit] of commands) {
      it(`${name}, ${kind}: fails, no file, not journaled as saved; each request logged, never the key`, async () => {
        cut = kind;
        downloads = 0;
        const out = join(dir, `${kind}-${name.replace(" ", "-")}`);
        const journal = join(dir, `${kind}-${name.replace(" ", "-")}.jsonl`);
        const env = { DECART_API_KEY: KEY, DECART_BASE_URL: url, DECART_JOURNAL: journal };
        const { code, stdout, stderr } = await run(["-v", ...args(out)], { env, cwd: dir });
        expect(code, stderr).toBe(exit);
        const videos = existsSync(out)
          ? readdirSync(out).filter((f) => f.endsWith(".mp4") || f.includes("partial"))
          : [];
        expect(videos, stderr).toEqual([]);
        const records = existsSync(journal) ? readFileSync(journal, "utf8") : "";
        expect(records).not.toContain('"event":"saved"');
        // Each try of the download logged as its answer's headers came: the one cut short, then the one refused.
        expect(stderr.match(new RegExp(`^→ GET ${url}/v1/jobs/job_cut/content$`, "gm"))?.length, stderr).toBe(2);
        expect(stderr).toMatch(new RegExp(`^← 200 GET ${url}/v1/jobs/job_cut/content \\(\\d+ ms\\)$`, "m"));
        expect(stderr).toMatch(new RegExp(`^← 410 GET ${url}/v1/jobs/job_cut/content \\(\\d+ ms\\)$`, "m"));
        if (name !== "jobs result") {
          expect(stderr).toMatch(new RegExp(`^← 200 GET ${url}/v1/jobs/job_cut \\(\\d+ ms\\)$`, "m"));
        }
        if (name === "video" || name === "batch") {
          expect(stderr).toMatch(new RegExp(`^→ POST ${url}/v1/jobs/lucy-pro-t2v$`, "m"));
          expect(stderr).toMatch(new RegExp(`^← 200 POST ${url}/v1/jobs/lucy-pro-t2v \\(\\d+ ms\\)$`, "m"));
        }
        expect(stdout + stderr).not.toContain(KEY);
      });
    }
  }
});
