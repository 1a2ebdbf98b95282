/**
 * A batch's image line answered with success whose image was not kept (an answer that is no image) is journaled with
 * its answer's HTTP status, and a run again without --resume says so: "an image request answered HTTP 200". A journal
 * whose record of it has no status (written by an older CLI) still reads: "answered with success".
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

/** Every image request answered 200 with a page as bytes of no type (no image), `x-request-id: req_page`. */
let server: Loopback;
let requests = 0;
const temp = tempDir();
beforeAll(async () => {
  server = await listenOnLoopback((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      res.writeHead(200, { "content-type": "application/octet-stream", "x-request-id": "req_page" });
      res.end("<html><body>Not an image</body></html>");
    });
  });
});
afterAll(async () => {
  await server?.close();
  temp.remove();
});

describe("a batch's image line answered, its image not kept: its status journaled", () => {
  it("the run again without --resume reads answered HTTP 200; a record without status, answered with success", async () => {
    const journal = join(temp.dir, "journal.jsonl");
    const env = { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: journal };
    const file = join(temp.dir, "lines.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: "page", model: "lucy-pro-t2i", prompt: "a page" })}\n`);
    const out = join(temp.dir, "out");
    const first = await run(["batch", file, "--out", out], { env });
    expect(first.code, first.stderr).toBe(6);
    expect(requests).toBe(1);
    expect(events(first.stdout).find((e) => e.type === "line_failed")).toMatchObject({
      custom_id: "page",
      request_id: "req_page",
      outcome_unknown: true,
    });
    const unknown = readFileSync(journal, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((r) => r.event === "submit_unknown");
    expect(unknown).toMatchObject([{ request_id: "req_page", status: 200 }]);

    const again = await run(["batch", file, "--out", out], { env });
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain(
      "1 of them an image request answered HTTP 200, its image not kept: add --resume to finish the batch",
    );
    expect(requests).toBe(1);

    // The same journal as an older CLI wrote it: its record of the answer without a status.
    writeFileSync(journal, readFileSync(journal, "utf8").replace(/,"status":200/g, ""));
    const older = await run(["batch", file, "--out", out], { env });
    expect(older.code, older.stderr).toBe(2);
    expect(older.stderr).toContain(
      "1 of them an image request answered with success, its image not kept: add --resume to finish the batch",
    );
    expect(requests).toBe(1);
  });
});
