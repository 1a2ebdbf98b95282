/**
 * How long a command may take: `--timeout` bounds `image`, `jobs status` and `jobs result` as it bounds `video` and
 * `jobs wait`, and a 429 whose `Retry-After` is more than the CLI waits says how long the server asked for. Against a
 * server made for it: one that never answers, one whose result trickles in, one that answers 429.
 */
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  events,
  finished,
  interrupt,
  jump,
  KEY,
  type Loopback,
  listenOnLoopback,
  onStderr,
  type Run,
  run,
  start,
  tempDir,
} from "./helpers.js";
import { secondCtrlC } from "./second-signal.js";

const JOB = "job_0123456789abcdef0123456789abcdef";
/** A PNG of one pixel. */
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

let server: Loopback;
let base: string;
let root: string;
let remove: () => void;
/** The requests the server has had (`METHOD path`), reset before each test. */
let requests: string[] = [];
/** The requests whose whole body the server has read (`METHOD path`), reset before each test. */
let whole: string[] = [];
/** What waits for the server to have had a request (see `serverHas`): looked at as each request comes, each body ends. */
const watching = new Set<() => void>();
const changed = () => {
  for (const look of [...watching]) look();
};

/**
 * Resolves once `has()` holds of what the server has had (`requests`, `whole`); rejects if the CLI's run (`done`) ends
 * first. A test of `--timeout` runs the CLI on the test's clock (`clock: true`) and moves it on (`jump`) only then, so
 * that `--timeout` runs out where the test says (the request at the server, its answer's headers read), however long a
 * loaded machine takes to get there: no real-time window.
 */
const serverHas = (has: () => boolean, done: Promise<Run>): Promise<void> =>
  new Promise((resolve, reject) => {
    const look = () => {
      if (!has()) return;
      watching.delete(look);
      resolve();
    };
    watching.add(look);
    look();
    done.then((ended) => {
      watching.delete(look);
      reject(new Error(`ended (${ended.code}) first: ${ended.stderr}`));
    });
  });

/**
 * Runs the CLI (`-v` first: each request's answer is told on stderr as its headers are read) on the test's clock, and
 * moves that clock on (every `--timeout` ends) once `ready` resolves (given the child and its run): `--timeout` runs out
 * exactly there. Answers how the run ended.
 */
async function timedOutAt(
  args: string[],
  env: Record<string, string>,
  ready: (child: ChildProcess, done: Promise<Run>) => Promise<void>,
): Promise<Run> {
  const child = start(["-v", ...args], { env, clock: true });
  const done = finished(child);
  await ready(child, done);
  jump(child);
  return done;
}
/** Ready once the server has read the whole body of `request` (`METHOD path`): the client sent it all. */
const bodyIn =
  (request: string) =>
  (_child: unknown, done: Promise<Run>): Promise<void> =>
    serverHas(() => whole.includes(request), done);
/** Ready once the server has had `request` (`METHOD path`), whatever came of its body. */
const requestIn =
  (request: string) =>
  (_child: unknown, done: Promise<Run>): Promise<void> =>
    serverHas(() => requests.includes(request), done);
/** Ready once the CLI has read the headers of an answer of `status` to a `method` request (its `-v` line). */
const answerRead =
  (status: number, method: string) =>
  (child: ChildProcess): Promise<void> =>
    onStderr(child, `← ${status} ${method} `);

/** The submits `pair` holds (see the server). */
let held: ServerResponse[] = [];
/** Answers the second submit `pair` held: a job. */
const releasePair = () => {
  const second = held[1]!;
  second.writeHead(200, { "content-type": "application/json" });
  second.end(JSON.stringify({ job_id: JOB, status: "pending" }));
};
/** The modes `ra1~` has answered 429 once already, reset before each test. */
const limited = new Set<string>();

/**
 * The first segment of the path is the mode, the rest the API's path: `hang` never answers; `headers` sends the
 * answer's headers (`x-request-id: req_cut`) and never its body (`bare`: the same without a request id; `pngheaders`: an
 * image's, `image/png`; `pngbare`: an image's without a request id); `trickle` answers a job as
 * completed and its result one byte at a time, each in time (never a stall), far slower than any test waits;
 * `ra~<value>` answers every request 429 with `Retry-After: <value>`; `ra1~<value>` answers its first request so, then
 * as the default does (a job, `completed`); `hang1` never answers its first request (and writes the file `stalled` in
 * `root` as it gets it), then answers as the default does; `stall` never reads a request, nor answers it.
 */
beforeAll(async () => {
  server = await listenOnLoopback((req, res) => {
    const [, mode = "", ...rest] = (req.url ?? "").split("/");
    // `stall` reads nothing of a request: an upload stops once the connection's buffers are full.
    if (mode !== "stall") req.resume();
    const path = `/${rest.join("/")}`;
    requests.push(`${req.method} ${path}`);
    req.on("end", () => {
      whole.push(`${req.method} ${path}`);
      changed();
    });
    changed();
    if (mode === "hang" || mode === "stall") return;
    if (mode === "hang1" && !limited.has(mode)) {
      limited.add(mode);
      writeFileSync(join(root, "stalled"), "");
      return;
    }
    // The answer's headers (with a request id, or none: `bare`, `pngbare`), then nothing: its body never comes.
    if (mode === "headers" || mode === "bare" || mode === "pngheaders" || mode === "pngbare") {
      res.writeHead(200, {
        "content-type": mode.startsWith("png") ? "image/png" : "application/json",
        ...(!mode.endsWith("bare") && { "x-request-id": "req_cut" }),
      });
      return res.flushHeaders();
    }
    // `seestall`: a submit's body is not read, and answered 303 at once; its redirect's read never answers.
    if (mode === "seestall") {
      if (req.method === "POST") {
        req.pause();
        res.writeHead(303, { location: `/seestall${path}/job`, "x-request-id": "req_see" });
        return res.end();
      }
      return;
    }
    if (mode === "see") {
      if (req.method === "POST") {
        res.writeHead(303, { location: `/see${path}/job`, "x-request-id": "req_see" });
        return res.end();
      }
      return;
    }
    // `spoof`: a submit answered 200 with an HTML page that quotes the client's words for an image too large.
    if (mode === "spoof") {
      res.writeHead(200, { "content-type": "text/html", "x-request-id": "req_spoof" });
      return res.end("<p>error: an image past 64 MiB: see logs</p>");
    }
    if (mode === "h503" || mode === "h422") {
      res.writeHead(+mode.slice(1), { "content-type": "application/json" });
      return res.flushHeaders();
    }
    // `img1~<value>`: the first request answered 429 with `Retry-After: <value>`, then an image (a PNG of 1×1 pixel).
    if (mode.startsWith("img1~") && limited.has(mode)) {
      res.writeHead(200, { "content-type": "image/png" });
      return res.end(PIXEL);
    }
    if (mode.startsWith("ra~") || (/^(ra|img)1~/.test(mode) && !limited.has(mode))) {
      limited.add(mode);
      res.writeHead(429, { "content-type": "application/json", "retry-after": mode.slice(mode.indexOf("~") + 1) });
      return res.end(JSON.stringify({ detail: "slow down" }));
    }
    // `s503~<value>`: a submit made, every status read answered 503 with `Retry-After: <value>`.
    if (mode.startsWith("s503~") && req.method === "GET") {
      res.writeHead(503, { "content-type": "application/json", "retry-after": mode.slice(5) });
      return res.end(JSON.stringify({ detail: "busy" }));
    }
    if (mode.startsWith("s503~")) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ job_id: JOB, status: "pending" }));
    }
    // `endless`: an image answered with a PNG's signature, then 80 MiB of zeros, a MiB at a time as the client takes them.
    // `endless-length`: the same with its Content-Length said (16 bytes and 80 MiB).
    if (mode === "endless" || mode === "endless-length") {
      res.writeHead(200, {
        "content-type": "image/png",
        "x-request-id": "req_endless",
        ...(mode === "endless-length" && { "content-length": String(16 + 80 * (1 << 20)) }),
      });
      res.write(Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
      const chunk = Buffer.alloc(1 << 20);
      let left = 80;
      const more = () => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return void res.once("drain", more);
        }
        res.end();
      };
      res.on("close", () => (left = 0));
      return more();
    }
    // `hold307`: a submit held (in `held`) until the test answers it (a 307 to `/hold307/moved…`); one sent there is
    // answered as the default does.
    if (mode === "hold307" && req.method === "POST" && !path.startsWith("/moved")) return void held.push(res);
    // `pair`: the first two submits are held until both are in; the first is answered 429 (`Retry-After` of 1158 days),
    // the second once `releasePair` is called.
    if (mode === "pair" && req.method === "POST") {
      held.push(res);
      if (held.length === 2) {
        const [first] = held;
        first!.writeHead(429, { "content-type": "application/json", "retry-after": "99999999" });
        first!.end(JSON.stringify({ detail: "slow down" }));
      }
      return;
    }
    if (mode === "trickle" && path.endsWith("/content")) {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": 100_000 });
      // An MP4's first box (the CLI checks a result's first bytes), then the rest a byte at a time.
      res.write(Buffer.from("\0\0\0\x10ftypmp42", "latin1"));
      const timer = setInterval(() => res.write("x"), 50);
      res.on("close", () => clearInterval(timer));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ job_id: JOB, status: "completed" }));
  });
  base = server.url;
  ({ dir: root, remove } = tempDir());
});

afterAll(async () => {
  await server.close();
  remove();
});

beforeEach(() => {
  requests = [];
  whole = [];
  held = [];
  limited.clear();
});

const envFor = (mode: string) => ({
  DECART_API_KEY: KEY,
  DECART_BASE_URL: `${base}/${mode}`,
  DECART_JOURNAL: join(root, "journal.jsonl"),
});

describe("--timeout bounds image, jobs status and jobs result", () => {
  it("image: a request that never answers ends at --timeout with exit 5, nothing saved, saying it was sent", async () => {
    const out = join(root, "never.png");
    const { code, stdout, stderr } = await timedOutAt(
      ["image", "A lighthouse", "-o", out, "--timeout", "600"],
      envFor("hang"),
      bodyIn("POST /v1/generate/lucy-pro-t2i"),
    );
    expect(code, stderr).toBe(5);
    // The request reached the server: an image may have been made, as `jobs submit` says of a job (before: code TIMEOUT,
    // "if the request reached the server, the image may have been made", whether it had left unsaid).
    const error = events(stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", exit_code: 5, code: "SUBMIT_OUTCOME_UNKNOWN" });
    expect(error.message).toBe(
      "--timeout ran out after 600 s while waiting for the image, after the request reached the server: an image may " +
        "have been made (and billed) although it never came back, and nothing was saved; an image has no job id, so " +
        "there is nothing to look up, and with no answer there is no request id to give support either. Running the " +
        "command again asks for (and bills) another one; give a longer --timeout",
    );
    expect(stderr).toContain(error.message as string);
    expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i"]);
    expect(readdirSync(root).filter((name) => name.startsWith("never"))).toEqual([]);
  });

  /**
   * `image … -o <file> --timeout 600` against the server's `mode`, timed out once `ready`: exit 5. Answers its last
   * event.
   */
  const imageTimedOut = async (mode: string, file: string, ready: Parameters<typeof timedOutAt>[2]) => {
    const { code, stdout, stderr } = await timedOutAt(
      ["image", "A lighthouse", "-o", join(root, file), "--timeout", "600"],
      envFor(mode),
      ready,
    );
    expect(code, stderr).toBe(5);
    return events(stdout).at(-1)!;
  };
  /**
   * The same, timed out once the CLI read the headers of an answer of HTTP 200 (its body never comes): its last event
   * an error whose outcome is unknown. Answers that event.
   */
  const imageCutAfterHeaders = async (mode: string, file: string) => {
    const error = await imageTimedOut(mode, file, answerRead(200, "POST"));
    expect(error).toMatchObject({ type: "error", exit_code: 5, code: "SUBMIT_OUTCOME_UNKNOWN" });
    return error;
  };

  it("image: --timeout once the answer's headers came names its request id", async () => {
    const error = await imageCutAfterHeaders("pngheaders", "cut.png");
    expect(error.message).toContain("after the request reached the server: an image may have been made (and billed)");
    expect(error.message).toContain("; the answer's request id, req_cut, is what support can find it by. Running");
  });

  it("image: --timeout while a 429's Retry-After is waited for (the request refused): no image was made, code TIMEOUT", async () => {
    // A Retry-After within --timeout is waited for (one past it fails at once: see retry-after-timeout.test.ts);
    // --timeout runs out during that wait: once the client says (-v) that it waits to try again.
    const error = await imageTimedOut("ra~50", "refused.png", (child) => onStderr(child, "retry 1 in"));
    expect(error).toMatchObject({
      type: "error",
      exit_code: 5,
      code: "TIMEOUT",
      message:
        "--timeout ran out after 600 s while waiting for the image, after the server refused the request (HTTP 429): " +
        "no image was made (nothing billed, nothing saved); give a longer --timeout",
    });
    expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i"]);
  });

  // The same situations as `jobs submit --timeout`'s below, told by the same rule (what the client saw of the request),
  // in an image's words: before, image read only the error, and said "no answer" of an answer that came.
  it("image: --timeout once an answer's headers came without a request id says that answer (HTTP 200) carried none", async () => {
    const error = await imageCutAfterHeaders("pngbare", "bare.png");
    expect(error.message).toContain(
      "so there is nothing to look up; its answer (HTTP 200) carried no request id to give support either. Running",
    );
    expect(error.message).not.toContain("no answer");
  });

  for (const status of [503, 422]) {
    it(`image: --timeout once a ${status}'s headers came, its body never: the refusal named, no image made`, async () => {
      const error = await imageTimedOut(`h${status}`, `h${status}.png`, answerRead(status, "POST"));
      expect(error).toMatchObject({
        type: "error",
        exit_code: 5,
        code: "TIMEOUT",
        message:
          "--timeout ran out after 600 s while waiting for the image, after the server refused the request " +
          `(HTTP ${status}): no image was made (nothing billed, nothing saved); give a longer --timeout`,
      });
      expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i"]);
    });
  }

  it("image: a --timeout past the client's 11 minutes is the call's budget in the client, not those 11 minutes", async () => {
    // The CLI's clocks (Date.now, performance.now: the client's and the CLI's) move 12 minutes on as the request starts,
    // once the client has set the call's deadline: its 429 (Retry-After: 1) comes past 11 minutes, within --timeout.
    const module = join(root, "twelve-minutes.mjs");
    writeFileSync(
      module,
      `import { subscribe } from "node:diagnostics_channel";
const wall = Date.now;
const steady = performance.now.bind(performance);
let offset = 0;
Date.now = () => wall() + offset;
performance.now = () => steady() + offset;
const move = () => { offset ||= 12 * 60_000; };
const fetch = globalThis.fetch;
globalThis.fetch = (...args) => (move(), fetch(...args));
subscribe("http.client.request.start", move);
`,
    );
    const env = { ...envFor("img1~1"), NODE_OPTIONS: `--import=${pathToFileURL(module).href}` };
    // Without --timeout: the client's own budget, 11 minutes, is over when the 429 comes; it is not tried again.
    const out = join(root, "budget.png");
    const within = await run(["image", "A lighthouse", "-o", out], { env });
    expect(within.code, within.stderr).toBe(1);
    expect(within.stderr).toContain("slow down (HTTP 429)");
    expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i"]);
    // With --timeout 900 (15 minutes), the budget the CLI gives the client: tried again after 1 s, the image saved.
    // (Before, with the CLI's --timeout not passed on, it ended as above.)
    requests = [];
    limited.clear();
    const longer = await run(["image", "A lighthouse", "-o", out, "--timeout", "900"], { env });
    expect(longer.code, longer.stderr).toBe(0);
    expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i", "POST /v1/generate/lucy-pro-t2i"]);
    expect(readFileSync(out)).toEqual(PIXEL);
  });

  it("jobs status: a read that never answers ends at --timeout with exit 5, naming the job", async () => {
    const { code, stdout, stderr } = await timedOutAt(
      ["jobs", "status", JOB, "--timeout", "600"],
      envFor("hang"),
      requestIn(`GET /v1/jobs/${JOB}`),
    );
    expect(code, stderr).toBe(5);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 5, code: "TIMEOUT", job_id: JOB });
    expect(stderr).toContain(`--timeout ran out after 600 s while reading the status of ${JOB}`);
  });

  it("jobs result: a result that trickles in past --timeout: exit 5 with the command that downloads it, no file", async () => {
    const out = join(root, "trickled.mp4");
    const env = envFor("trickle");
    // --timeout runs out once the result's answer came (its headers read), while its body trickles in.
    const { code, stdout, stderr } = await timedOutAt(
      ["jobs", "result", JOB, "-o", out, "--timeout", "600"],
      env,
      (child) => onStderr(child, "/content ("),
    );
    expect(code, stderr).toBe(5);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 5, code: "TIMEOUT", job_id: JOB });
    expect(stderr).toContain(`--timeout ran out while downloading the result of ${JOB} (the job is completed`);
    expect(stderr).toContain(`jobs result ${JOB} -o ${out}`);
    expect(readdirSync(root).filter((name) => name.startsWith("trickled"))).toEqual([]);
  });

  it("a --timeout these take is checked as video's, before anything is sent: exit 2", async () => {
    for (const args of [
      ["image", "A lighthouse", "--timeout", "0x10"],
      ["jobs", "status", JOB, "--timeout", "1e3"],
      ["jobs", "result", JOB, "-o", join(root, "x.mp4"), "--timeout", "0"],
      ["jobs", "submit", "A lake", "--timeout", " 7"],
    ]) {
      const { code, stderr } = await run(args, { env: envFor("hang"), cwd: root });
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toContain("--timeout must be a decimal number of seconds");
    }
    expect(requests).toEqual([]);
  });
});

describe("--timeout of jobs submit", () => {
  /** The journal's records (none when it was never written). */
  const records = (env: Record<string, string>) => {
    try {
      return readFileSync(env.DECART_JOURNAL!, "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  /** The journal's records but its submits settled (no job made), and their records that settle them. */
  const unsettled = (env: Record<string, string>) => {
    const all = records(env).map((line) => JSON.parse(line));
    const settled = new Set(all.filter((r) => r.event === "submit_settled").map((r) => r.submit_id));
    return all.filter((r) => !settled.has(r.submit_id)).map((r) => r.event);
  };

  /**
   * `jobs submit … --timeout 600` against the server's `mode` (its journal `submit-<mode>.jsonl`), timed out once
   * `ready`: exit 5, its last event an error whose outcome is unknown, the journal holding only the submit (unsettled,
   * its outcome recorded as unknown).
   * Answers that event and what the CLI wrote on stderr.
   */
  const submitCut = async (mode: string, ready: Parameters<typeof timedOutAt>[2]) => {
    const env = { ...envFor(mode), DECART_JOURNAL: join(root, `submit-${mode}.jsonl`) };
    const { code, stdout, stderr } = await timedOutAt(["jobs", "submit", "A lake", "--timeout", "600"], env, ready);
    expect(code, stderr).toBe(5);
    const error = events(stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", exit_code: 5, code: "SUBMIT_OUTCOME_UNKNOWN" });
    expect(unsettled(env)).toEqual(["submitting", "submit_unknown"]);
    return { error, stderr };
  };

  it("a submit sent but never answered ends at --timeout with exit 5: a job may exist, not journaled, no request id", async () => {
    const { error, stderr } = await submitCut("hang", bodyIn("POST /v1/jobs/lucy-pro-t2v"));
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
    expect(error.message).toBe(
      "--timeout ran out after 600 s while waiting for the submit's answer, after the request reached the server: a " +
        "job may have been made (and billed) although its id never came back, so the journal holds only its submit, " +
        "as one whose outcome is unknown (decart jobs list shows it), and with no answer there is no request id to give support either. Running the " +
        "command again submits (and bills) another one; give a longer --timeout",
    );
    expect(stderr).toContain("a job may have been made (and billed)");
  });

  it("a submit whose answer's headers came before --timeout without a request id: the message says the answer carried none", async () => {
    const { error } = await submitCut("bare", answerRead(200, "POST"));
    expect(error.message).toContain(
      "(decart jobs list shows it); its answer (HTTP 200) carried no request id to give support either. Running",
    );
    expect(error.message).not.toContain("no answer");
  });

  it("a submit whose answer's headers came before --timeout: the message gives their request id", async () => {
    const { error } = await submitCut("headers", answerRead(200, "POST"));
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
    expect(error.message).toBe(
      "--timeout ran out after 600 s while waiting for the submit's answer, after the request reached the server: a " +
        "job may have been made (and billed) although its id never came back, so the journal holds only its submit, " +
        "as one whose outcome is unknown (decart jobs list shows it); the answer's request id, req_cut, is what support can find it by. Running the " +
        "command again submits (and bills) another one; give a longer --timeout",
    );
  });

  it("a submit stopped while waiting to try again after a 429 says that no job was made", async () => {
    // --timeout runs out during that wait, whatever the machine's speed: the client says (-v) that it waits to try again
    // (the server's Retry-After, 50 s, within the 60 s it waits), and only then is the CLI's clock moved past --timeout.
    const env = { ...envFor("ra~50"), DECART_JOURNAL: join(root, "submit-limited.jsonl") };
    const child = start(["-v", "jobs", "submit", "A lake", "--timeout", "600"], { env, clock: true });
    const done = finished(child);
    await onStderr(child, "retry 1 in");
    jump(child);
    const { code, stdout, stderr } = await done;
    expect(code, stderr).toBe(5);
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
    expect(events(stdout).at(-1)!.message).toBe(
      "--timeout ran out after 600 s while waiting for the submit's answer, after the server refused the request " +
        "(HTTP 429): no job was made (nothing to find in the journal); give a longer --timeout",
    );
  });

  it("a submit answered 303 whose redirect's read never answers says a job may have been made", async () => {
    const { error } = await submitCut("see", requestIn("GET /v1/jobs/lucy-pro-t2v/job"));
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v", "GET /v1/jobs/lucy-pro-t2v/job"]);
    expect(error.message).toContain("after the request reached the server: a job may have been made (and billed)");
  });

  for (const status of [503, 422]) {
    it(`a submit answered ${status} whose body never comes says that no job was made`, async () => {
      const env = { ...envFor(`h${status}`), DECART_JOURNAL: join(root, `submit-h${status}.jsonl`) };
      const { code, stdout, stderr } = await timedOutAt(
        ["jobs", "submit", "A lake", "--timeout", "600"],
        env,
        answerRead(status, "POST"),
      );
      expect(code, stderr).toBe(5);
      expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
      expect(events(stdout).at(-1)!.message).toBe(
        "--timeout ran out after 600 s while waiting for the submit's answer, after the server refused the request " +
          `(HTTP ${status}): no job was made (nothing to find in the journal); give a longer --timeout`,
      );
    });
  }

  it("a submit stopped before it was sent (its file input's URL never answers) says that no job was made", async () => {
    const env = { ...envFor("ok"), DECART_JOURNAL: join(root, "submit-unsent.jsonl") };
    const clip = `${base}/hang/clip.mp4`;
    const { code, stdout, stderr } = await timedOutAt(
      ["jobs", "submit", "-m", "lucy-clip", "Make it snow", `data=${clip}`, "--timeout", "600"],
      env,
      requestIn("GET /clip.mp4"),
    );
    expect(code, stderr).toBe(5);
    expect(requests).toEqual(["GET /clip.mp4"]);
    expect(events(stdout).at(-1)).toMatchObject({
      type: "error",
      exit_code: 5,
      code: "TIMEOUT",
      message:
        "--timeout ran out after 600 s while waiting for the submit's answer, before the request was sent whole: no " +
        "job was made (nothing to find in the journal); give a longer --timeout",
    });
    expect(unsettled(env)).toEqual([]);
  });
});

/**
 * The environment that makes the CLI import a module (written to `root`) through which a timer of 60 s, the client's
 * longest wait before a retry (a `Retry-After` of 60 s or more), fires at once, saying so on stderr: the CLI's clock
 * for those waits, so that a test of a long `Retry-After` spends no real time on it. Only the timer of such a wait (set
 * by the client's `sleep`): a read's own limit, 60 s too, is a real timer.
 */
function instantMinuteWaits(): Record<string, string> {
  const module = join(root, "minute-waits.mjs");
  writeFileSync(
    module,
    `const real = globalThis.setTimeout;
globalThis.setTimeout = (callback, ms, ...rest) => {
  if (ms !== 60000 || !/\\bat sleep\\b/.test(new Error().stack)) return real(callback, ms, ...rest);
  process.stderr.write("test: a wait of 60000 ms, at once\\n");
  return real(callback, 0, ...rest);
};
`,
  );
  return { NODE_OPTIONS: `--import=${pathToFileURL(module).href}` };
}

/**
 * The environment that makes the CLI import a module (written to `root`) through which a timer of 60 s (the client's
 * limit of one read) set before the server has a stalled read (the file `stalled` in `root`, which `hang1` writes)
 * fires as soon as it has it, saying so on stderr: a stall that the client's own limit ends, without waiting 60 s and
 * never before the read reached the server. One set after that is a real timer.
 */
function cutOnceStalled(): Record<string, string> {
  const module = join(root, "cut-once-stalled.mjs");
  const stalled = join(root, "stalled");
  writeFileSync(
    module,
    `import { existsSync } from "node:fs";
const real = globalThis.setTimeout;
globalThis.setTimeout = (callback, ms, ...rest) => {
  if (ms !== 60000 || existsSync(${JSON.stringify(stalled)})) return real(callback, ms, ...rest);
  const timer = real(() => {
    if (!existsSync(${JSON.stringify(stalled)})) return timer.refresh();
    process.stderr.write("test: a 60000 ms limit, ended once the server has the read\\n");
    callback(...rest);
  }, 5);
  return timer;
};
`,
  );
  return { NODE_OPTIONS: `--import=${pathToFileURL(module).href}` };
}

describe("--timeout of image and jobs submit stretches what the client waits for a Retry-After", () => {
  it("jobs submit --timeout 120: a 429 asking for 61 s is waited for (the client's 60 s at most), then sent again", async () => {
    const env = { ...envFor("ra1~61"), DECART_JOURNAL: join(root, "submit-ra.jsonl"), ...instantMinuteWaits() };
    const { code, stdout, stderr } = await run(["jobs", "submit", "A lake", "--timeout", "120"], { env });
    expect(code, stderr).toBe(0);
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v", "POST /v1/jobs/lucy-pro-t2v"]);
    expect(stderr).toContain("test: a wait of 60000 ms, at once");
    expect(events(stdout)).toEqual([{ type: "submitted", job_id: JOB, model: "lucy-pro-t2v" }]);
  });

  it("jobs status --timeout 120: a 429 asking for 61 s is waited for (the client's 60 s at most), then read again", async () => {
    const { code, stdout, stderr } = await run(["jobs", "status", JOB, "--timeout", "120"], {
      env: { ...envFor("ra1~61"), ...instantMinuteWaits() },
    });
    expect(code, stderr).toBe(0);
    expect(requests).toEqual([`GET /v1/jobs/${JOB}`, `GET /v1/jobs/${JOB}`]);
    expect(stderr).toContain("test: a wait of 60000 ms, at once");
    expect(events(stdout)).toMatchObject([{ type: "status", job_id: JOB, status: "completed" }]);
  });

  it("jobs status --timeout 300: a Retry-After beyond it fails at once, the message naming --timeout's wait", async () => {
    const { code, stdout, stderr } = await run(["jobs", "status", JOB, "--timeout", "300"], { env: envFor("ra~400") });
    expect(code, stderr).toBe(1);
    expect(requests).toEqual([`GET /v1/jobs/${JOB}`]);
    expect(events(stdout).at(-1)!.message).toContain(
      "the server asked to wait 7 min (Retry-After), more than the CLI waits for a request (300 s, its --timeout), so it was not sent again",
    );
  });

  it("image --timeout 300: a Retry-After beyond it fails at once, the message naming --timeout's wait", async () => {
    const { code, stdout, stderr } = await run(
      ["image", "A lighthouse", "-o", join(root, "limited-300.png"), "--timeout", "300"],
      { env: envFor("ra~400") },
    );
    expect(code, stderr).toBe(1);
    expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i"]);
    expect(events(stdout).at(-1)!.message).toContain(
      "the server asked to wait 7 min (Retry-After), more than the CLI waits for a request (300 s, its --timeout), so it was not sent again",
    );
  });
});

describe("--timeout shorter than the client's 60 s: a Retry-After past it fails at once, image and jobs submit alike", () => {
  // The client's rule (a wait that cannot end within the call's budget fails the call at once, with `retryAfterMs`):
  // before, `jobs submit` kept the client's 60 s, waited, and ended exit 5 (TIMEOUT) where `image` failed at once.
  for (const args of [
    ["image", "A lighthouse", "-o", "short.png"],
    ["jobs", "submit", "A lake"],
  ]) {
    // (A --timeout of 40 s: no machine is that slow to send one request, so it is the Retry-After that ends the run.)
    it(`${args[0] === "image" ? "image" : "jobs submit"} --timeout 40 answered 429 with Retry-After: 50: exit 1, one request, said so`, async () => {
      const env = { ...envFor("ra~50"), DECART_JOURNAL: join(root, `short-${args[0]}.jsonl`) };
      const { code, stdout, stderr } = await run([...args, "--timeout", "40"], { env, cwd: root });
      expect(code, stderr).toBe(1);
      expect(requests).toHaveLength(1);
      expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, code: "RATE_LIMIT" });
      expect(events(stdout).at(-1)!.message).toContain(
        "the server asked to wait 50 s (Retry-After), more than the CLI waits for a request (40 s, its --timeout), so it was not sent again",
      );
    });
  }
});

describe("--timeout of jobs status is the read's budget: each try keeps the client's 60 s", () => {
  it("jobs status --timeout 120: a read that stalls is cut at 60 s and read again within --timeout", async () => {
    // The first read's 60 s limit ends once the server has that read (see `cutOnceStalled`): the read is tried again,
    // and answered. Were `--timeout` each read's limit, the first would be waited for up to 120 s, the test's timeout.
    rmSync(join(root, "stalled"), { force: true });
    const { code, stdout, stderr } = await run(["jobs", "status", JOB, "--timeout", "120"], {
      env: { ...envFor("hang1"), ...cutOnceStalled() },
    });
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("test: a 60000 ms limit, ended once the server has the read");
    expect(requests).toEqual([`GET /v1/jobs/${JOB}`, `GET /v1/jobs/${JOB}`]);
    expect(events(stdout)).toMatchObject([{ type: "status", job_id: JOB, status: "completed" }]);
  }, 20_000);
});

describe("a 429 whose Retry-After is more than the CLI waits", () => {
  it("fails at once (one request), saying how long the server asked to wait and when to run the command again", async () => {
    const { code, stdout, stderr } = await run(["image", "A lighthouse", "-o", join(root, "limited.png")], {
      env: envFor("ra~99999999"),
    });
    expect(code, stderr).toBe(1);
    expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i"]);
    const error = events(stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", exit_code: 1, code: "RATE_LIMIT" });
    expect(error.message).toMatch(
      /the server asked to wait 1158 days \(Retry-After\), more than the CLI waits for a request \(60 s\), so it was not sent again: run the command again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    expect(stderr).toContain("the server asked to wait 1158 days (Retry-After)");
  });

  // 99999999999999999999 s is a finite number of ms, past the last date a clock holds: `toISOString` threw
  // `RangeError: Invalid time value`, the whole message ("decart: Invalid time value").
  it("a Retry-After past the last date (99999999999999999999 s): said in words, not a crash (image, jobs submit, batch)", async () => {
    const env = { ...envFor("ra~99999999999999999999"), DECART_JOURNAL: join(root, "far.jsonl") };
    for (const args of [
      ["image", "A lighthouse", "-o", join(root, "far.png")],
      ["jobs", "submit", "A lake"],
    ]) {
      requests = [];
      const { code, stdout, stderr } = await run(args, { env });
      expect(code, stderr).toBe(1);
      expect(requests).toHaveLength(1);
      expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, code: "RATE_LIMIT" });
      expect(stderr).toContain(
        "more than the CLI waits for a request (60 s), so it was not sent again: run the command again after that " +
          "wait (it ends past the year 275760, the last date a clock can show)",
      );
    }
    const batch = join(root, "far.jsonl.batch");
    writeFileSync(batch, '{"custom_id":"far","prompt":"A lake"}\n');
    const { code, stdout, stderr } = await run(["batch", batch, "--out", join(root, "far-out")], { env });
    expect(code, stderr).toBe(6);
    const all = events(stdout);
    expect(all.find((e) => e.type === "line_failed")?.error).toContain("it ends past the year 275760");
    expect(all.at(-1)).toMatchObject({ type: "summary", failed: 1, exit_code: 6 });
  });

  // RFC 9110 §10.2.3: delay-seconds are digits only. `1e10` (or `0x10`, `5.5`) is no Retry-After, as the client takes
  // it (its parseRetryAfter): not a wait of 317 years, failed at once, but none: tried again after backoff, and told as
  // the bare 429. The same value in digits is a far wait, said in words.
  it("a Retry-After in exponent form (1e10) is none, as the client's rule says: tried again, no wait told", async () => {
    for (const args of [
      ["jobs", "status", JOB],
      ["image", "A lighthouse", "-o", join(root, "exponent.png")],
    ]) {
      requests = [];
      const { code, stdout, stderr } = await run(args, { env: envFor("ra~1e10") });
      expect(code, stderr).toBe(1);
      // The client's default: the first try and 2 more.
      expect(requests, args.join(" ")).toHaveLength(3);
      const error = events(stdout).at(-1)!;
      expect(error).toMatchObject({ type: "error", exit_code: 1, code: "RATE_LIMIT" });
      // The bare 429's words: no wait told.
      expect(error.message).toBe(
        "slow down (HTTP 429); the server's rate limit refused it each time the client tried, without saying for how " +
          "long, and a refused request makes nothing: run the command again in a while",
      );
      expect(stderr).not.toContain("Retry-After");
    }
    requests = [];
    const { code, stderr } = await run(["jobs", "status", JOB], { env: envFor("ra~10000000000") });
    expect(code, stderr).toBe(1);
    expect(requests).toHaveLength(1);
    expect(stderr).toContain("the server asked to wait 115741 days (Retry-After), more than the CLI waits");
  });

  it("the same for a jobs status read (a 429 of two minutes)", async () => {
    const { code, stderr } = await run(["jobs", "status", JOB], { env: envFor("ra~120") });
    expect(code, stderr).toBe(1);
    expect(requests).toEqual([`GET /v1/jobs/${JOB}`]);
    expect(stderr).toContain("the server asked to wait 2 min (Retry-After), more than the CLI waits for a request");
  });
});

describe("a signal while nothing of the paid request can be at the server stops it at once", () => {
  it("while it waits to be sent again after a 429: exit 130 (SIGHUP: 129), no job or image made (video, jobs submit, image)", async () => {
    const cases: { signal: NodeJS.Signals; args: string[]; path: string }[] = [
      { signal: "SIGTERM", args: ["video", "A lake", "-o", join(root, "refused.mp4")], path: "/v1/jobs/lucy-pro-t2v" },
      { signal: "SIGINT", args: ["jobs", "submit", "A lake"], path: "/v1/jobs/lucy-pro-t2v" },
      {
        signal: "SIGHUP",
        args: ["image", "A lighthouse", "-o", join(root, "refused.png")],
        path: "/v1/generate/lucy-pro-t2i",
      },
    ];
    for (const { signal, args, path } of cases) {
      const what = `${args[0]} ${signal}`;
      requests = [];
      // Refused with a Retry-After of 50 s (within the 60 s the client waits): the signal comes once the client says
      // (-v) that it waits to send it again. Before the fix, the signal was held for that wait, then the request was
      // sent again (and refused again: exit 1).
      const child = start(["-v", ...args], {
        env: { ...envFor("ra~50"), DECART_JOURNAL: join(root, "refused.jsonl") },
      });
      const done = finished(child);
      await onStderr(child, "retry 1 in");
      child.kill(signal);
      const { code, stdout, stderr } = await done;
      expect(code, `${what}: ${stderr}`).toBe(signal === "SIGHUP" ? 129 : 130);
      expect(requests, what).toEqual([`POST ${path}`]);
      expect(events(stdout).at(-1), what).toEqual({ type: "interrupted", exit_code: signal === "SIGHUP" ? 129 : 130 });
      const [request, made] = args[0] === "image" ? ["image request", "image"] : ["submit", "job"];
      expect(stderr, what).toContain(
        `Interrupted while the ${request} waited to be sent again: the server refused it (HTTP 429), so it did not ` +
          `act on it, no ${made} was made (nothing to resume)`,
      );
      expect(stderr, what).not.toContain("Waiting for");
    }
    // No job: each submit journaled before it was sent is settled (see `SubmitRecord`).
    const records = readFileSync(join(root, "refused.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const settled = new Set(records.filter((r) => r.event === "submit_settled").map((r) => r.submit_id));
    expect(records.filter((r) => !settled.has(r.submit_id))).toEqual([]);
  });

  // A 307 (the submit sent on, the server that answered it took nothing) was said as a refusal: "the server refused it
  // (HTTP 307) … while the submit waited to be sent again".
  it("when a submit whose answer was waited for is answered 307: stopped before it is sent on, said as redirected", async () => {
    requests = [];
    const child = start(["jobs", "submit", "A lake"], {
      env: { ...envFor("hold307"), DECART_JOURNAL: join(root, "redirected.jsonl") },
    });
    const done = finished(child);
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await interrupt(child, "SIGINT", "Waiting for");
    held[0]!.writeHead(307, { location: "/hold307/moved/v1/jobs/lucy-pro-t2v" }).end();
    const { code, stderr } = await done;
    expect(code, stderr).toBe(130);
    expect(requests).toEqual(["POST /v1/jobs/lucy-pro-t2v"]);
    expect(stderr).toContain(
      "Interrupted as the submit was redirected (HTTP 307), before it was sent on: the server that redirected it did " +
        "not act on it, no job was made (nothing to resume)",
    );
    expect(stderr).not.toContain("refused");
  });

  // A 303 is the server's word that it took the request, before its body was sent whole too: a signal while its
  // redirect is read said "the server has not acknowledged it, no job was made" (the body's bodySent alone told).
  it("while a 303 given before the body was whole is followed: a job may have been made, the answer waited for", async () => {
    const clip = join(root, "large-see.mp4");
    writeFileSync(clip, Buffer.concat([Buffer.from("\0\0\0\x10ftypmp42", "latin1"), Buffer.alloc(32 << 20)]));
    requests = [];
    // On the test's clock, never moved on: the first Ctrl-C's wait for the answer (5 s at most) does not end by itself,
    // so only a second Ctrl-C taken as one ends the CLI (one taken for the first delivered twice leaves it waiting: the
    // test times out).
    const child = start(["jobs", "submit", "-m", "lucy-clip", "Make it snow", `data=@${clip}`], {
      env: { ...envFor("seestall"), DECART_JOURNAL: join(root, "see-early.jsonl") },
      clock: true,
    });
    const done = finished(child);
    await serverHas(() => requests.includes("GET /v1/jobs/lucy-clip/job"), done);
    await interrupt(child, "SIGINT", "Waiting for");
    await secondCtrlC(child);
    const { code, stderr } = await done;
    expect(code, stderr).toBe(130);
    expect(requests).toEqual(["POST /v1/jobs/lucy-clip", "GET /v1/jobs/lucy-clip/job"]);
    expect(stderr).toContain("Waiting for the submit's answer (5 s at most), so that the job id is not lost");
    expect(stderr).not.toContain("no job was made");
  });

  it("while its body is sent: the server has not acknowledged it (video, jobs submit)", async () => {
    // A file input larger than the connection's buffers, to a server that reads none of it: the upload stops part way.
    const clip = join(root, "large.mp4");
    writeFileSync(clip, Buffer.concat([Buffer.from("\0\0\0\x10ftypmp42", "latin1"), Buffer.alloc(32 << 20)]));
    for (const [command, signal] of [
      [["video"], "SIGTERM"],
      [["jobs", "submit"], "SIGINT"],
    ] as const) {
      const what = `${command.join(" ")} ${signal}`;
      requests = [];
      const child = start([...command, "-m", "lucy-clip", "Make it snow", `data=@${clip}`], {
        env: { ...envFor("stall"), DECART_JOURNAL: join(root, "cut.jsonl") },
      });
      const done = finished(child);
      // Its first `uploading` event: the request has started, its body is on its way (and cannot all go).
      await new Promise<void>((resolve) =>
        child.stdout!.on("data", (d: Buffer) => d.toString().includes('"uploading"') && resolve()),
      );
      child.kill(signal);
      const { code, stdout, stderr } = await done;
      expect(code, `${what}: ${stderr}`).toBe(130);
      expect(requests, what).toEqual(["POST /v1/jobs/lucy-clip"]);
      expect(events(stdout).at(-1), what).toEqual({ type: "interrupted", exit_code: 130 });
      expect(stderr, what).toContain(
        "Interrupted before the submit was sent whole, no answer had come: the server has not acknowledged it, no job was made (nothing to resume)",
      );
      expect(stderr, what).not.toContain("Waiting for");
    }
  });
});

/**
 * The environment that makes the CLI import a module (written to `root`) through which writing a date more than a year
 * ahead as text throws: a fault of the CLI's own where a batch line's failure is told (the message of a `Retry-After`
 * of 1158 days), which no line's outcome holds.
 */
function faultOnFarDates(): Record<string, string> {
  const module = join(root, "far-dates.mjs");
  writeFileSync(
    module,
    `const real = Date.prototype.toISOString;
Date.prototype.toISOString = function () {
  if (this.getTime() > Date.now() + 365 * 86_400_000) throw new Error("test: a fault");
  return real.call(this);
};
`,
  );
  return { NODE_OPTIONS: `--import=${pathToFileURL(module).href}` };
}

describe("a fault in a batch's line ends the run as one", () => {
  // The fault rejected the lines' pool at once: the run printed its last line (an error) and released its lock while
  // the other line went on (its submit answered, journaled, watched, downloaded: events after the "last" line).
  it("the other lines stopped first (a submit sent whole let finish and journaled), then the error, last; the lock gone", async () => {
    const journal = join(root, "fault.jsonl");
    const batch = join(root, "fault.batch.jsonl");
    const out = join(root, "fault-out");
    writeFileSync(batch, '{"custom_id":"a","prompt":"A lake"}\n{"custom_id":"b","prompt":"A sea"}\n');
    const env = { ...envFor("pair"), DECART_JOURNAL: journal, ...faultOnFarDates() };
    const child = start(["batch", batch, "--out", out, "-c", "2"], { env });
    const done = finished(child);
    // The second submit is answered once the run waits for it (fixed) or once it printed its error (before the fix).
    let seen = "";
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (d: Buffer) => {
        seen += d;
        if (seen.includes("Waiting for the answers of submits")) resolve();
      });
      child.stdout!.on("data", (d: Buffer) => d.toString().includes('"type":"error"') && resolve());
    });
    releasePair();
    const { code, stdout, stderr } = await done;
    expect(code, stderr).toBe(1);
    const all = events(stdout);
    expect(all.at(-1)).toMatchObject({ type: "error", exit_code: 1 });
    expect(all.at(-1)!.message).toMatch(
      /^The batch stopped at line [12] \("[ab]"\) on an unexpected error: test: a fault\. The lines under way were stopped/,
    );
    expect(all.filter((e) => e.type === "error")).toHaveLength(1);
    // The submit let finish is journaled; nothing else was done.
    expect(all.filter((e) => e.type === "submitted")).toHaveLength(1);
    expect(readFileSync(journal, "utf8")).toContain(`"job_id":"${JOB}"`);
    expect(requests.filter((r) => r.startsWith("GET"))).toEqual([]);
    expect(readdirSync(root).filter((name) => name.startsWith("fault.jsonl."))).toEqual([]);
  });
});

describe("a status read answered with a Retry-After beyond the wait's budget", () => {
  // The client ends the watch at once with JobTimeoutError, the 503 its cause: told as "not done within 660000 ms
  // (last status: unknown)", code JOB_TIMEOUT, after a second.
  it("video and jobs wait say how long the server asked to wait and when to watch again, exit 1, the answer's code", async () => {
    for (const args of [
      ["video", "A lake", "-o", join(root, "busy.mp4")],
      ["jobs", "wait", "-o", join(root, "busy.mp4"), JOB],
    ]) {
      const env = { ...envFor("s503~3600"), DECART_JOURNAL: join(root, "busy.jsonl") };
      const { code, stdout, stderr } = await run(args, { env });
      expect(code, stderr).toBe(1);
      const error = events(stdout).at(-1)!;
      expect(error).toMatchObject({ type: "error", exit_code: 1, code: "SERVER", job_id: JOB });
      expect(error.message).toMatch(
        new RegExp(
          `^busy \\(HTTP 503\\); the server asked to wait 60 min \\(Retry-After\\) before the status of ${JOB} is read ` +
            "again, more than the wait had left \\(11 min\\), so it stopped \\(last status: \\w+; the job goes on\\): " +
            `watch it again after \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ: decart .*jobs wait ${JOB} -o ${join(root, "busy.mp4")}$`,
        ),
      );
      expect(stderr).not.toContain("not done within");
    }
  });
});

describe("an image's answer is bounded", () => {
  // The answer was held whole in memory however long it went on (+190 MB/s, until the system ended the process).
  // The client's error for it, told in the CLI's words (the CLI wrapped its own ANSWER_TOO_LARGE around it, from a
  // count of its own of the same answer): its code, its message up to its last clause, then what the CLI did.
  const told = (id: string, again = "running the command again asks for (and bills) another one") =>
    `an image past 64 MiB: the server may have made (and billed) it (HTTP 200, request ${id}); it was not kept ` +
    `(nothing was saved), and the CLI did not send the request again: ${again}; the request id above lets support ` +
    "find it";

  it("a video submit's page quoting those words is told as a submit whose outcome is unknown, not as an image", async () => {
    const env = { ...envFor("spoof"), DECART_JOURNAL: join(root, "spoof.jsonl") };
    const { code, stdout, stderr } = await run(["jobs", "submit", "A lake"], { env });
    expect(code, stderr).toBe(1);
    const error = events(stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", code: "SUBMIT_OUTCOME_UNKNOWN" });
    expect(error.message).toContain("a job or an image may have been made (and billed)");
    expect(error.message).not.toContain("it was not kept");
  });

  it("one past 64 MiB is cut there: exit 1, the client's SUBMIT_OUTCOME_UNKNOWN, one request, nothing saved (image, a batch's image line)", async () => {
    const env = { ...envFor("endless"), DECART_JOURNAL: join(root, "endless.jsonl") };
    const { code, stdout, stderr } = await run(["image", "A lighthouse", "-o", join(root, "endless.png")], { env });
    expect(code, stderr).toBe(1);
    expect(requests).toEqual(["POST /v1/generate/lucy-pro-t2i"]);
    const error = events(stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", exit_code: 1, code: "SUBMIT_OUTCOME_UNKNOWN" });
    expect(error.message).toMatch(/: an image past 64 MiB/);
    expect(error.message.endsWith(told("req_endless"))).toBe(true);
    expect(readdirSync(root).filter((name) => name.startsWith("endless.png"))).toEqual([]);
    const batch = join(root, "endless.batch");
    writeFileSync(batch, '{"custom_id":"big","model":"lucy-pro-t2i","prompt":"A lighthouse"}\n');
    const lines = await run(["batch", batch, "--out", join(root, "endless-out")], { env });
    expect(lines.code, lines.stderr).toBe(6);
    // A batch's line is not asked for again by running the batch again (--resume): said so, not a command's words.
    const failed = events(lines.stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ outcome_unknown: true });
    expect(failed.error).toContain(
      told(
        "req_endless",
        "--resume does not send the line again unless given --resubmit-unknown, which bills another one",
      ),
    );
    expect(failed.error).not.toContain("running the command again");
  });

  it("one past 64 MiB that says its length: the client's error too (it refuses it on that length)", async () => {
    const env = { ...envFor("endless-length"), DECART_JOURNAL: join(root, "endless-length.jsonl") };
    const { code, stdout, stderr } = await run(["image", "A lighthouse", "-o", join(root, "long.png")], { env });
    expect(code, stderr).toBe(1);
    const error = events(stdout).at(-1)!;
    expect(error).toMatchObject({ type: "error", exit_code: 1, code: "SUBMIT_OUTCOME_UNKNOWN" });
    expect(error.message.endsWith(told("req_endless"))).toBe(true);
    expect(readdirSync(root).filter((name) => name.startsWith("long.png"))).toEqual([]);
  });
});
