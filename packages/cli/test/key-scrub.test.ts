/**
 * The API key is never written: not on stdout or stderr, not in the journal, not in a batch's reports, by any command
 * (`jobs list` too, which calls no API), whatever a server quotes of it (a failure reason holding it as it is,
 * upper-cased, in base64, inside `Basic` credentials). Against a server that puts the key it was sent in what it says.
 */
import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { redact } from "../src/secrets.js";
import { events, jobRecords, KEY, type Loopback, listenOnLoopback, run, start, tempDir } from "./helpers.js";

const base64 = (text: string) => Buffer.from(text).toString("base64");

/** What a server says of `key`: every form it could take in a message. */
const quoting = (key: string) =>
  `quota for ${key} (${key.toUpperCase()}, ${base64(key)}, Basic ${base64(`user:${key}`)}, ${JSON.stringify({ key })})`;

/** The parts of those forms that tell the key: none may be written anywhere. */
const TELLS = [KEY, KEY.toUpperCase(), KEY.slice(4, 20), base64(KEY).slice(0, 20), base64(`user:${KEY}`).slice(8, 28)];
const leaks = (text: string) => TELLS.filter((tell) => text.toLowerCase().includes(tell.toLowerCase()));

/** The job id a submit answers (`KEY` in it: the key the request carried), set by each test. */
let jobId = "job_ok";
/** What the server says of the key it was sent, in a failed job's reason; set by a test. */
let reason = quoting;
let server: Loopback;
let env: Record<string, string>;
let root: string;
let remove: () => void;

beforeAll(async () => {
  server = await listenOnLoopback((req, res) => {
    req.resume();
    const key = String(req.headers["x-api-key"]);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST" && req.url?.startsWith("/v1/jobs/"))
      return json(200, { job_id: jobId.replace("KEY", key), status: "pending" });
    if (req.method === "GET" && req.url?.startsWith("/v1/jobs/"))
      return json(200, { job_id: jobId, status: "failed", error: reason(key) });
    json(404, { detail: "Not Found" });
  });
  ({ dir: root, remove } = tempDir());
  env = { DECART_API_KEY: KEY, DECART_BASE_URL: server.url };
});

afterAll(() => {
  server?.close();
  remove?.();
});

beforeEach(() => {
  jobId = "job_ok";
  reason = quoting;
});

describe("the API key quoted by a server", () => {
  it("video: not in its output nor in the journal's failed record (NDJSON and human)", async () => {
    for (const mode of ["--json", "--no-json"]) {
      const journal = join(root, `video${mode}.jsonl`);
      const { code, stdout, stderr } = await run(["video", "A lake", "-o", join(root, "v.mp4"), mode], {
        env: { ...env, DECART_JOURNAL: journal },
      });
      expect(code, stderr).toBe(3);
      const written = readFileSync(journal, "utf8");
      expect(leaks(stdout + stderr), mode).toEqual([]);
      expect(leaks(written), mode).toEqual([]);
      // (The key as sent is the core's `[redacted]` already: a failed job's reason is redacted as the client reads it.)
      expect(written).toContain('"event":"failed","error":"quota for [redacted] (***, ***, Basic ');
    }
  });

  // A form body's %7E and %21 (and escape()'s) were written as they came, and so was the secret after dct_ under
  // another prefix (ek_…), which the client's token route already took for the key.
  it("a key with ~ and !: not in a query string's or form body's encoding, escape()'s, nor its secret under ek_", async () => {
    const key = "dct_a+b/c=d%e~f!x_Qw8Rt5Yu2";
    const secret = key.slice(4);
    const forms = {
      form: (k: string) => new URLSearchParams({ k }).toString().slice(2),
      escape: (k: string) => escape(k),
      encodeURI: (k: string) => encodeURI(k),
      lower: (k: string) => encodeURIComponent(k).toLowerCase(),
      every: (k: string) => [...k].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(""),
      ek: (k: string) => `ek_${k.slice(4)}`,
      bare: (k: string) => k.slice(4).toUpperCase(),
    };
    reason = (k) =>
      Object.entries(forms)
        .map(([name, form]) => `${name}=<${form(k)}>`)
        .join(" ");
    const journal = join(root, "special.jsonl");
    const { code, stdout, stderr } = await run(["video", "A lake", "-o", join(root, "s.mp4"), "--json"], {
      env: { ...env, DECART_API_KEY: key, DECART_JOURNAL: journal },
    });
    expect(code, stderr).toBe(3);
    const written = stdout + stderr + readFileSync(journal, "utf8");
    for (const [name, form] of Object.entries(forms)) {
      expect(written, name).toContain(`${name}=<${name === "ek" ? "ek_***" : "***"}>`);
      expect(written.toLowerCase(), name).not.toContain(form(key).toLowerCase());
    }
    expect(written.toLowerCase()).not.toContain(secret.toLowerCase());
  });

  it("a short key (the emulator takes any): not in base64 in what video writes (stdout, stderr, the journal)", async () => {
    // Whether `key` can be read back whole from a run of base64 in `text` (standard or URL alphabet), at any alignment.
    const decodes = (text: string, key: string) =>
      (text.match(/[A-Za-z0-9+/_-]{4,}/g) ?? []).some((run) =>
        [0, 1, 2, 3].some((shift) => Buffer.from(run.slice(shift), "base64").toString("latin1").includes(key)),
      );
    for (let length = 4; length <= 13; length++) {
      const key = "Kq7Zx2Vw9Rt4Pm".slice(0, length);
      const journal = join(root, `short-${length}.jsonl`);
      const { code, stdout, stderr } = await run(["video", "A lake", "-o", join(root, "short.mp4")], {
        env: { ...env, DECART_API_KEY: key, DECART_JOURNAL: journal },
      });
      expect(code, stderr).toBe(3);
      const written = stdout + stderr + readFileSync(journal, "utf8");
      // The server quoted it in base64, alone and in Basic credentials: both were written.
      expect(written, key).toContain("Basic ");
      expect(decodes(written, key), `${key}: ${written}`).toBe(false);
      expect(written.toLowerCase(), key).not.toContain(key.toLowerCase());
    }
  });

  it("batch: not in results.jsonl, the journal, the events nor stderr", async () => {
    const dir = join(root, "batch");
    const file = join(root, "lines.jsonl");
    writeFileSync(file, '{"custom_id":"a","prompt":"A lake"}\n');
    const journal = join(root, "batch.jsonl");
    const { code, stdout, stderr } = await run(["batch", file, "--out", dir], {
      env: { ...env, DECART_JOURNAL: journal },
    });
    expect(code, stderr).toBe(6);
    const results = readFileSync(join(dir, "results.jsonl"), "utf8");
    expect(JSON.parse(results)).toMatchObject({
      custom_id: "a",
      status: "failed",
      error: expect.stringContaining("***"),
    });
    expect(leaks(stdout + stderr + results + readFileSync(journal, "utf8"))).toEqual([]);
  });

  it("jobs list: a journal that holds the key (one written unscrubbed, an edit) is listed without it, the key from the environment or --api-key", async () => {
    const journal = join(root, "old.jsonl");
    writeFileSync(
      journal,
      `${JSON.stringify({ at: "2026-01-01T00:00:00.000Z", job_id: "job_old", event: "submitted", model: "lucy-pro-t2v" })}\n` +
        `${JSON.stringify({ at: "2026-01-01T00:00:01.000Z", job_id: "job_old", event: "failed", error: quoting(KEY) })}\n`,
    );
    for (const [args, extra] of [
      [[], { DECART_API_KEY: KEY }],
      [["--api-key", KEY], { DECART_API_KEY: undefined }],
    ] as const) {
      for (const mode of ["--json", "--no-json"]) {
        const { code, stdout, stderr } = await run(["jobs", "list", ...args, mode], {
          env: { ...env, ...extra, DECART_JOURNAL: journal },
        });
        expect(code, stderr).toBe(0);
        expect(stdout).toContain("job_old");
        expect(stdout).toContain("quota for ***");
        expect(leaks(stdout + stderr), `${args} ${mode}`).toEqual([]);
      }
    }
  });

  it("a job id that holds the key is refused as it comes (INVALID_RESPONSE), neither journaled nor watched", async () => {
    jobId = "job_KEY";
    const journal = join(root, "id.jsonl");
    const { code, stdout, stderr } = await run(["video", "A lake", "-o", join(root, "id.mp4")], {
      env: { ...env, DECART_JOURNAL: journal },
    });
    expect(code, stderr).toBe(1);
    expect(events(stdout)).toEqual([expect.objectContaining({ type: "error", code: "INVALID_RESPONSE" })]);
    expect(stderr).toContain('a job id the CLI cannot take, "job_***" (it holds the API key');
    expect(jobRecords(journal)).toEqual([]);
    expect(leaks(stdout + stderr)).toEqual([]);
  });

  it("batch: a custom_id that holds the key is refused before anything is sent (it would be *** everywhere)", async () => {
    const file = join(root, "id-lines.jsonl");
    writeFileSync(file, `${JSON.stringify({ custom_id: `a-${KEY}`, prompt: "A lake" })}\n`);
    const { code, stdout, stderr } = await run(["batch", file, "--out", join(root, "refused")], {
      env: { ...env, DECART_JOURNAL: join(root, "refused.jsonl") },
    });
    expect(code, stderr).toBe(2);
    expect(stderr).toContain('line 1: "custom_id" holds the API key');
    expect(leaks(stdout + stderr)).toEqual([]);
  });

  it("batch: a line holding the key in any string, as JSON gives it, is refused before anything is sent (errors.jsonl never holds it)", async () => {
    const escaped = `\\u${KEY.charCodeAt(0).toString(16).padStart(4, "0")}${KEY.slice(1)}`;
    const cases: Array<[string, string, string]> = [
      ["plain", `{"custom_id":"a","prompt":${JSON.stringify(`A lake ${KEY}`)}}`, '"prompt"'],
      ["escaped", `{"custom_id":"a","prompt":"${escaped}"}`, '"prompt"'],
      ["nested", `{"custom_id":"a","prompt":"A lake","extra":{"deep":["x","${escaped}"]}}`, '"extra"'],
      ["a name", `{"custom_id":"a","prompt":"A lake","${escaped}":1}`, "a field's name"],
    ];
    let submits = 0;
    const counting = await listenOnLoopback((req, res) => {
      submits++;
      req.resume();
      res.writeHead(422, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: "bad" }));
    });
    try {
      const url = counting.url;
      for (const [name, line, field] of cases) {
        const file = join(root, `key-${name.replace(" ", "-")}.jsonl`);
        writeFileSync(file, `{"custom_id":"ok","prompt":"A lake"}\n${line}\n`);
        const out = join(root, `key-out-${name.replace(" ", "-")}`);
        const { code, stdout, stderr } = await run(["batch", file, "--out", out], {
          env: {
            ...env,
            DECART_BASE_URL: url,
            DECART_JOURNAL: join(root, `key-${name.replace(" ", "-")}-journal.jsonl`),
          },
        });
        expect(code, `${name}: ${stderr}`).toBe(2);
        expect(stderr, name).toContain(`line 2: ${field} holds the API key`);
        expect(stderr, name).toContain("the line is not sent");
        expect(existsSync(join(out, "errors.jsonl")), name).toBe(false);
        expect(leaks(stdout + stderr), name).toEqual([]);
      }
      expect(submits).toBe(0);
    } finally {
      await counting.close();
    }
  });
});

describe("decart emulator", () => {
  it("prints its dev key even where DECART_API_KEY is that key (set to use an emulator before)", async () => {
    const child = start(["emulator", "--port", "0", "--keys", "dct_emulator_given_Ks3Wq8", "--json"], {
      env: { DECART_API_KEY: "dct_emulator_given_Ks3Wq8" },
    });
    const [first] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
    child.kill("SIGTERM");
    await once(child, "close");
    expect(JSON.parse(first)).toMatchObject({ type: "listening", api_key: "dct_emulator_given_Ks3Wq8" });
  });
});

describe("redactValues", () => {
  it("scrubs a value nested deeper than a stack goes (JSON.parse reads one), keys and strings, without recursion", async () => {
    const { addSecret, redactValues } = await import("../src/secrets.js");
    addSecret(KEY);
    // 100 000 arrays, then an object whose key and value hold the key (as a journal line anyone edited could).
    const depth = 100_000;
    const value = JSON.parse(`${"[".repeat(depth)}{"${KEY}":"a ${KEY}","__proto__":"x"}${"]".repeat(depth)}`);
    const scrubbed = redactValues(value); // before the fix: RangeError, Maximum call stack size exceeded
    let inner: any = scrubbed;
    for (let i = 0; i < depth; i++) {
      expect(Array.isArray(inner) && inner.length === 1).toBe(true);
      inner = inner[0];
    }
    expect(Object.entries(inner)).toEqual([
      ["***", "a ***"],
      ["__proto__", "x"],
    ]);
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    // The value given is left as it was.
    let given: any = value;
    for (let i = 0; i < depth; i++) given = given[0];
    expect(Object.keys(given)).toEqual([KEY, "__proto__"]);
    // As before: two keys that scrub to the same text keep the last one's value; other values as they are.
    expect(redactValues({ [KEY]: 1, [KEY.toUpperCase()]: 2, n: null, b: true, list: [KEY, 3] })).toEqual({
      "***": 2,
      n: null,
      b: true,
      list: ["***", 3],
    });
  });
});

describe("redact", () => {
  it("finds the key inside base64 text at each of the three offsets it may start at", async () => {
    const { addSecret } = await import("../src/secrets.js");
    addSecret(KEY);
    for (const prefix of ["", "u", "us", "use", "user:"]) {
      const encoded = base64(`${prefix}${KEY}!`);
      const scrubbed = redact(`Basic ${encoded}`);
      expect(scrubbed, prefix).toContain("***");
      // What is left around the *** is at most the characters that also encode a byte of the text around it.
      expect(scrubbed.replace("***", "").length, prefix).toBeLessThanOrEqual("Basic ".length + 12);
    }
  });
});
