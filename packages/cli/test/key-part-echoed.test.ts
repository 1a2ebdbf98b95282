/**
 * An answer that repeats a part of the key (its first 20 characters, `dct_` and 16 of the secret's 28, as a server's
 * log line or error may) shows none of it in what the CLI writes: any run of 12 characters or more of the secret (after
 * `dct_`) is `***`, on stderr and in the NDJSON events, in any case. A purpose-built server on loopback answers every
 * request so (the emulator never repeats a key).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Loopback, listenOnLoopback, run, tempDir } from "./helpers.js";

/** A key of the API's form: `dct_` and 28 characters. */
const KEY = "dct_Qw7Er4Ty1Ui8Op5As2Df9Gh3Jk6L";
const SECRET = KEY.slice(4);
/** Every run of 12 characters of the secret, in the case given: none may be written. */
const runsOf = (text: string) => Array.from({ length: text.length - 11 }, (_, at) => text.slice(at, at + 12));

/** What the server answers, by the test: the status, its content type and its body. */
let answer: { status: number; type: string; body: string };
let server: Loopback;
const { dir, remove } = tempDir();
beforeAll(async () => {
  server = await listenOnLoopback((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(answer.status, { "content-type": answer.type });
      res.end(answer.body);
    });
  });
});
afterAll(async () => {
  await server?.close();
  remove();
});

describe("a part of the key repeated by an answer", () => {
  const cases: Array<[string, typeof answer, string[]]> = [
    [
      "a 401 whose detail holds the key's first 20 characters",
      { status: 401, type: "application/json", body: JSON.stringify({ detail: `revoked ${KEY.slice(0, 20)}` }) },
      ["jobs", "status", `job_${"a".repeat(32)}`],
    ],
    [
      "a failed job whose reason holds 16 of its secret's characters, upper-cased",
      {
        status: 200,
        type: "application/json",
        body: JSON.stringify({
          job_id: "job_abc123",
          status: "failed",
          error: `quota for ${SECRET.slice(3, 19).toUpperCase()}`,
        }),
      },
      ["jobs", "status", "job_abc123"],
    ],
    [
      "a 400 whose detail holds the secret's last 12 characters after another prefix",
      { status: 400, type: "application/json", body: JSON.stringify({ detail: `bad key sk-${SECRET.slice(-12)}` }) },
      ["video", "A lake"],
    ],
  ];
  for (const [name, given, args] of cases) {
    for (const mode of ["--json", "--no-json"]) {
      it(`${name} (${mode}): *** in what the CLI writes, the journal too`, async () => {
        answer = given;
        const journal = join(dir, `${args[0]}-${given.status}${mode}.jsonl`);
        const result = await run([...args, mode, "--verbose"], {
          env: { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: journal },
        });
        const written = (result.stdout + result.stderr + readJournal(journal)).toLowerCase();
        for (const part of runsOf(SECRET)) expect(written, part).not.toContain(part.toLowerCase());
        // The answer is told all the same, the key's part as ***.
        expect(result.stdout + result.stderr).toMatch(/(for |revoked dct_|sk-)\*\*\*/);
      });
    }
  }

  it("a run shorter than 12 characters is written as it is (it is no part of the key to tell)", async () => {
    answer = { status: 401, type: "application/json", body: JSON.stringify({ detail: `id ${SECRET.slice(0, 11)}!` }) };
    const result = await run(["jobs", "status", `job_${"a".repeat(32)}`, "--json"], {
      env: { DECART_API_KEY: KEY, DECART_BASE_URL: server.url, DECART_JOURNAL: join(dir, "short.jsonl") },
    });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain(`id ${SECRET.slice(0, 11)}!`);
  });
});

function readJournal(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
