/**
 * `jobs submit --timeout` that runs out once the request reached the server (no answer, or its headers and no body)
 * says that the journal holds its submit "as one whose outcome is unknown": the journal records it so (a
 * `submit_unknown` record: how it ended, the answer's request id when one came), and `jobs list` shows it so, not as
 * the submit of a CLI killed while it waited ("its answer never recorded"). Against servers of the test's own that
 * take a submit and never finish its answer.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, KEY, type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

/** Servers that take a submit and never answer it (`silent`), or answer its headers, not its body (`headers`). */
let silent: Loopback;
let headers: Loopback;
const temp = tempDir();
beforeAll(async () => {
  silent = await listenOnLoopback((req) => req.resume());
  headers = await listenOnLoopback((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_held" });
      res.write("{");
    });
  });
});
afterAll(async () => {
  await Promise.all([silent?.close(), headers?.close()]);
  temp.remove();
});

const CUT = "--timeout ran out after 1 s while waiting for the submit's answer, after the request reached the server";

describe("jobs submit --timeout cut once the request reached the server", () => {
  for (const { name, server, requestId } of [
    { name: "no answer", server: () => silent, requestId: undefined },
    { name: "its answer's headers", server: () => headers, requestId: "req_held" },
  ])
    it(`${name}: the journal records the submit's outcome as unknown, and jobs list says so`, async () => {
      const journal = join(temp.dir, `${name.replace(/\W/g, "-")}.jsonl`);
      const env = {
        DECART_API_KEY: KEY,
        DECART_BASE_URL: server().url,
        DECART_JOURNAL: journal,
      };
      const cut = await run(["jobs", "submit", "A lake", "--timeout", "1"], { env });
      expect(cut.code, cut.stderr).toBe(5);
      const error = events(cut.stdout).at(-1)!;
      expect(error).toMatchObject({ type: "error", code: "SUBMIT_OUTCOME_UNKNOWN" });
      expect(error.message).toContain("the journal holds only its submit, as one whose outcome is unknown");
      expect(error.request_id).toBe(requestId);

      const records = readFileSync(journal, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
      expect(records.map((r) => r.event)).toEqual(["submitting", "submit_unknown"]);
      expect(records[1]).toMatchObject({ submit_id: records[0].submit_id, reason: CUT });
      expect(records[1].request_id).toBe(requestId);

      const listed = await run(["jobs", "list", "--no-json"], { env });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain(
        `jobs submit: submit sent, its outcome unknown (${CUT}` +
          (requestId ? `; support can find it by its request id, ${requestId})` : ")"),
      );
      expect(listed.stdout).not.toContain("never recorded");
    });
});
