/**
 * A server that answers what the emulator never does: job ids that are paths, escape sequences or shell syntax, and
 * reasons that carry terminal escapes. Its text names files and reaches the terminal only in safe forms. And a job whose
 * status says `completed` a moment before its content can be read (a deployment's content lagging its status): the
 * content route answers 404 or 409 a few times, then the video. The client's own watch tries that content again; so do
 * the CLI's commands that watch a job, which download the result themselves.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  events,
  finished,
  jump,
  KEY,
  type Loopback,
  listenOnLoopback,
  onStderr,
  printed,
  run,
  start,
  tempDir,
} from "./helpers.js";

/** What the server answers; set by each test. */
const answers = {
  /** The job id a submit answers. */
  jobId: "job_ok",
  /** The status every job has, with its reason when failed. */
  status: "completed" as "completed" | "failed",
  error: "",
  /** The status code and detail of a result download (200: the video, or `body` as `type`). */
  content: { status: 200, detail: "" } as { status: number; detail: string; body?: Buffer; type?: string },
};

/** What the content route answers first, once per request, before the result (a content lagging its status). */
let lag: number[] = [];
/** The content requests the server was sent. */
let contentReads = 0;
/**
 * A content read whose answer the server holds: the `read`th (from 1) is answered only once `released` settles;
 * `reached` is called when it comes.
 */
let held: { read: number; reached: () => void; released: Promise<void> } | undefined;

let server: Loopback;
let env: Record<string, string>;
let root: string;
let remove: () => void;
/** Not really a video, but one as far as its first bytes tell (an MP4's `ftyp` box: the CLI checks them). */
const VIDEO = Buffer.from("\0\0\0\x10ftypmp42\0\0\0\0 and bytes of a video", "latin1");

beforeAll(async () => {
  server = await listenOnLoopback(async (req, res) => {
    req.resume();
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = req.url ?? "";
    if (req.method === "POST" && url.startsWith("/v1/jobs/"))
      return json(200, { job_id: answers.jobId, status: "pending" });
    if (req.method === "GET" && url.endsWith("/content")) {
      contentReads++;
      if (held?.read === contentReads) {
        held.reached();
        await held.released;
      }
      const early = lag.shift();
      if (early !== undefined) return json(early, { detail: early === 404 ? "Not found" : "Job is not completed" });
      if (answers.content.status !== 200) return json(answers.content.status, { detail: answers.content.detail });
      const { body = VIDEO, type = "video/mp4" } = answers.content;
      res.writeHead(200, { "content-type": type, "content-length": body.length });
      return res.end(body);
    }
    if (req.method === "GET" && url.startsWith("/v1/jobs/")) {
      const { status, error } = answers;
      return json(200, { job_id: answers.jobId, status, ...(status === "failed" && { error }) });
    }
    json(404, { detail: "Not Found" });
  });
  ({ dir: root, remove } = tempDir());
  env = {
    DECART_API_KEY: KEY,
    DECART_BASE_URL: server.url,
    DECART_JOURNAL: join(root, "journal.jsonl"),
  };
});
afterAll(() => {
  server?.close();
  remove?.();
});

/** The environment of the tests (read once the server listens). */
const shared = () => env;

/** Every file and directory under `dir`, as paths relative to it. */
const tree = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();

const ESC = "\u001b";
// biome-ignore lint/suspicious/noControlCharactersInRegex: what the tests look for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: what the tests look for
const SGR = /\u001b\[\d{1,3}m/g;
const BEL = "\u0007";

describe("a job id the server chose", () => {
  it("names a file in the current directory only, whatever it holds (no path, no new directory)", async () => {
    // Ids the rule of a job id takes (a `/`, a space or a control character it does not: such an id is refused as it
    // comes, see server-job-id.test.ts), but no file name as they are: a Windows path, dots, shell syntax.
    const hostile = ["..\\escaped", "C:\\newdir\\deep\\evil", "job_x;touch_PWNED$(id)`x`", ".hidden", "~"];
    for (const [n, id] of hostile.entries()) {
      answers.jobId = id;
      answers.status = "completed";
      answers.content = { status: 200, detail: "" };
      const place = join(root, `ids-${n}`);
      const cwd = join(place, "cwd");
      mkdirSync(cwd, { recursive: true });
      const video = await run(["video", "A lake", "--no-json"], { env, cwd });
      expect(video.code, video.stderr).toBe(0);
      // One file, in the current directory, and nothing made beside it.
      expect(tree(place), id).toEqual(["cwd", join("cwd", tree(cwd)[0]!)]);
      expect(tree(cwd)).toHaveLength(1);
      expect(tree(cwd)[0]).toMatch(/^[\w.-]+\.mp4$/);
      expect(tree(cwd)[0]).not.toMatch(/^\./);
    }
    expect(tree(root).filter((name) => name.endsWith(".mp4") && !name.includes("cwd"))).toEqual([]);
  });

  it("jobs wait <id> without -o: the same safe name in the current directory", async () => {
    // A `/` is no job id's (see job-id.test.ts): refused before anything is sent. A `\` (a separator on Windows) is
    // one the rule takes, and the name made of it stays in the current directory.
    answers.jobId = "..\\waited";
    answers.status = "completed";
    answers.content = { status: 200, detail: "" };
    const place = join(root, "wait");
    const cwd = join(place, "cwd");
    mkdirSync(cwd, { recursive: true });
    const refused = await run(["jobs", "wait", "../waited", "--no-json"], { env, cwd });
    expect(refused.code, refused.stderr).toBe(2);
    expect(tree(place)).toEqual(["cwd"]);
    const wait = await run(["jobs", "wait", "..\\waited", "--no-json"], { env, cwd });
    expect(wait.code, wait.stderr).toBe(0);
    expect(tree(place)).toEqual(["cwd", join("cwd", "__waited.mp4")]);
  });
});

describe("a result whose bytes are no video", () => {
  it("an error page or an image sent as application/octet-stream (or video/mp4), a few bytes: exit 1, code NOT_A_VIDEO (a page so labelled, the client's INVALID_RESPONSE), nothing saved", async () => {
    answers.jobId = "job_page";
    answers.status = "completed";
    const page = Buffer.from("<html><body>Access denied</body></html>");
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    for (const [n, [body, type]] of (
      [
        [page, "application/octet-stream"],
        [page, "video/mp4"],
        [png, "application/octet-stream"],
        [Buffer.from("<html"), "application/octet-stream"],
      ] as const
    ).entries()) {
      answers.content = { status: 200, detail: "", body, type };
      const cwd = join(root, `no-video-${n}`);
      mkdirSync(cwd);
      // An -o that holds a video already keeps it; a new one is not made; nor the default name.
      writeFileSync(join(cwd, "kept.mp4"), "an earlier video");
      // The three at once (each judges the same answer), with a journal of their own: one shared with the earlier
      // rounds (the same job id) would have `jobs wait` save to an earlier round's directory, which no check here sees.
      const commands = [
        ["video", "A lake", "-o", "kept.mp4"],
        ["jobs", "result", "job_page", "-o", "new.mp4"],
        ["jobs", "wait", "job_page"],
      ];
      const own = { ...env, DECART_JOURNAL: join(root, `no-video-${n}.jsonl`) };
      const runs = await Promise.all(commands.map((args) => run(args, { env: own, cwd })));
      for (const [m, { code, stdout, stderr }] of runs.entries()) {
        const what = `${type} ${body.length} bytes: ${commands[m]!.join(" ")}`;
        expect(code, `${what}: ${stderr}`).toBe(1);
        // A page labelled application/octet-stream is the client's own refusal (INVALID_RESPONSE, read again first).
        if (type === "application/octet-stream" && body[0] === 0x3c) {
          expect(events(stdout).at(-1), what).toMatchObject({ type: "error", exit_code: 1, code: "INVALID_RESPONSE" });
          expect(stderr, what).toContain("/content: an HTML or JSON page, not the media (HTTP 200");
        } else {
          expect(events(stdout).at(-1), what).toMatchObject({ type: "error", exit_code: 1, code: "NOT_A_VIDEO" });
          expect(stderr, what).toContain(`not an MP4 video (content type ${JSON.stringify(type)}`);
          expect(stderr, what).toContain(
            `starting ${body
              .subarray(0, 8)
              .toString("hex")
              .replace(/(..)(?!$)/g, "$1 ")}`,
          );
        }
        expect(tree(cwd), what).toEqual(["kept.mp4"]);
        expect(readFileSync(join(cwd, "kept.mp4"), "utf8"), what).toBe("an earlier video");
      }
    }
  });
});

describe("a result that starts with another box than ftyp", () => {
  it("a QuickTime or MP4 file whose first box is wide, mdat, free, moov or styp is saved; an HTML page still is not", async () => {
    answers.jobId = "job_boxes";
    answers.status = "completed";
    const box = (type: string) => Buffer.from(`\0\0\0\x08${type}\0\0\0\x10ftypqt  and bytes of a video`, "latin1");
    for (const type of ["wide", "mdat", "free", "moov", "styp"]) {
      const body = box(type);
      answers.content = { status: 200, detail: "", body, type: "video/mp4" };
      const cwd = join(root, `box-${type}`);
      mkdirSync(cwd);
      for (const [file, args] of [
        ["waited.mp4", ["jobs", "wait", "job_boxes", "-o", "waited.mp4"]],
        ["result.mp4", ["jobs", "result", "job_boxes", "-o", "result.mp4"]],
      ] as const) {
        const { code, stderr } = await run([...args], { env, cwd });
        expect(code, `${type}: ${args.join(" ")}: ${stderr}`).toBe(0);
        expect(readFileSync(join(cwd, file)), type).toEqual(body);
      }
    }
    answers.content = {
      status: 200,
      detail: "",
      body: Buffer.from("<!DOCTYPE html><html>Sign in</html>"),
      type: "video/mp4",
    };
    const cwd = join(root, "box-html");
    mkdirSync(cwd);
    const { code, stdout, stderr } = await run(["jobs", "result", "job_boxes", "-o", "page.mp4"], { env, cwd });
    expect(code, stderr).toBe(1);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 1, code: "NOT_A_VIDEO" });
    expect(tree(cwd)).toEqual([]);
  });
});

describe("server text on the terminal", () => {
  const REASON = `bad${ESC}]0;pwned${BEL} re\rason${ESC}[2J`;
  const SHOWN = "bad\\x1b]0;pwned\\x07 re\\x0dason\\x1b[2J";
  /** No control character but the line ends (and, with colours, the colour sequences of the CLI's own colours). */
  const clean = (text: string, colors = false) =>
    expect((colors ? text.replace(SGR, "") : text).replace(/\n/g, "")).not.toMatch(CONTROL);

  it("a failure reason is shown escaped by video, jobs wait, jobs status and jobs list", async () => {
    answers.jobId = "job_failing";
    answers.status = "failed";
    answers.error = REASON;
    const journal = { ...env, DECART_JOURNAL: join(root, "reasons.jsonl") };
    const video = await run(["video", "A lake", "--no-json", "-o", join(root, "failed.mp4")], { env: journal });
    expect(video.code, video.stderr).toBe(3);
    const wait = await run(["jobs", "wait", "job_failing", "--no-json", "-o", join(root, "failed.mp4")], {
      env: journal,
    });
    expect(wait.code, wait.stderr).toBe(3);
    for (const { stdout, stderr } of [video, wait]) {
      expect(stderr).toContain(`failed: ${SHOWN}`);
      clean(stderr);
      clean(stdout);
    }
    const status = await run(["jobs", "status", "job_failing", "--no-json"], { env: journal });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toBe(`failed: ${SHOWN}\n`);
    const list = await run(["jobs", "list", "--no-json"], { env: journal });
    expect(list.stdout).toContain(SHOWN);
    clean(list.stdout);
  });

  it("a line break or a colour in server text is escaped before the CLI colours it, colours on and off", async () => {
    // A reason that would hide what follows it (SGR 8, "conceal") and fake a line of its own.
    const reason = `no lakes${ESC}[8m hidden\ndecart: all good\r\n`;
    const shown = "no lakes\\x1b[8m hidden\\ndecart: all good\\x0d\\n";
    // A job id of the same kind is refused as the server answers it (see server-job-id.test.ts), and given back, here.
    const id = `job_x${ESC}[8m\nfake`;
    answers.status = "failed";
    answers.error = reason;
    const input = `${JSON.stringify({ custom_id: `c${ESC}[8m\nd`, prompt: "x" })}\n`;
    for (const colors of [false, true]) {
      const how = {
        env: { ...env, DECART_JOURNAL: join(root, `colors-${colors}.jsonl`), ...(colors && { FORCE_COLOR: "1" }) },
      };
      answers.jobId = "job_x";
      const video = await run(["video", "A lake", "--no-json", "-o", join(root, "never.mp4")], how);
      const batch = await run(["batch", "-", "--no-json", "--out", join(root, `batch-${colors}`)], { ...how, input });
      const list = await run(["jobs", "list", "--no-json"], how);
      // Such an id given back is no job id (see job-id.test.ts): refused, shown escaped.
      const refused = await run(["jobs", "status", id, "--no-json"], how);
      const status = await run(["jobs", "status", "job_x", "--no-json"], how);
      expect([video.code, batch.code, list.code, refused.code, status.code]).toEqual([3, 6, 0, 2, 0]);
      expect(video.stderr).toContain(`failed: ${shown}`);
      expect(batch.stderr).toContain(`c\\x1b[8m\\nd: ${shown}`);
      expect(list.stdout).toContain(shown);
      expect(refused.stderr).toContain('"job_x\\u001b[8m\\nfake" is not a job id');
      expect(status.stdout).toBe(`failed: ${shown}\n`);
      for (const text of [video.stderr, batch.stderr, batch.stdout, list.stdout, refused.stderr, status.stdout]) {
        // The only line breaks are the CLI's own: no line starts with the server's text.
        expect(text.split("\n").filter((line) => /^(decart: all good|fake|d:)/.test(line))).toEqual([]);
        // With colours on, the CLI's own colours only (never the server's conceal).
        expect(text).not.toContain(`${ESC}[8m`);
        clean(text, colors);
      }
      if (colors) expect(video.stderr + list.stdout).toMatch(SGR);
    }
  });

  it("an error's detail (410) is shown escaped; with colours on, only the CLI's own colour sequences stay", async () => {
    answers.jobId = "job_gone";
    answers.status = "completed";
    answers.content = { status: 410, detail: `Result expired ${ESC}[2J${ESC}]52;c;cHduZWQ=${BEL} cleared` };
    for (const colors of [false, true]) {
      const { code, stderr } = await run(["video", "A lake", "--no-json", "-o", join(root, "gone.mp4")], {
        env: { ...env, ...(colors && { FORCE_COLOR: "1" }) },
      });
      expect(code, stderr).not.toBe(0);
      expect(stderr).toContain("Result expired \\x1b[2J\\x1b]52;c;cHduZWQ=\\x07 cleared");
      clean(stderr, colors);
      if (colors) expect(stderr).toMatch(SGR);
    }
  });
});

/**
 * A job `job_<name>` that failed for `reason` (`video`, `jobs status`, `jobs list`), then whose result is refused with
 * `reason` as a 410's detail (`jobs result`), colours off and on: each shows `shown` where it says the reason, and
 * nothing any of them writes matches `unshown` (what must be written as its code).
 */
async function reasonShown(name: string, reason: string, shown: string, unshown: RegExp): Promise<void> {
  for (const colors of [false, true]) {
    const how = {
      env: { ...env, DECART_JOURNAL: join(root, `${name}-${colors}.jsonl`), ...(colors && { FORCE_COLOR: "1" }) },
    };
    Object.assign(answers, { jobId: `job_${name}`, status: "failed", content: { status: 200, detail: "" } });
    answers.error = reason;
    const video = await run(["video", "A lake", "--no-json", "-o", join(root, `${name}.mp4`)], how);
    const status = await run(["jobs", "status", `job_${name}`, "--no-json"], how);
    const list = await run(["jobs", "list", "--no-json"], how);
    answers.status = "completed";
    answers.content = { status: 410, detail: reason };
    const gone = await run(["jobs", "result", `job_${name}`, "--no-json", "-o", join(root, `${name}.mp4`)], how);
    expect([video.code, status.code, list.code, gone.code]).toEqual([3, 0, 0, 1]);
    expect(video.stderr).toContain(`failed: ${shown}`);
    expect(status.stdout).toBe(`failed: ${shown}\n`);
    expect(list.stdout).toContain(shown);
    expect(gone.stderr).toContain(shown);
    for (const text of [video.stdout, video.stderr, status.stdout, list.stdout, gone.stderr]) {
      expect(text).not.toMatch(unshown);
    }
  }
}

describe("server text that would be shown in another order", () => {
  // U+202E shows what follows it right to left ("paid" then "deifirev" reads "paidverified"), the other bidi controls
  // reorder or isolate, U+2028 and U+2029 end a line to some terminals: each is written as its code, as C0's and C1's
  // controls are written as theirs.
  const CODES = ["061c", "200e", "200f", "202a", "202b", "202c", "202d", "202e", "2066", "2067", "2068", "2069"];
  const REASON = `paid\u202edeifirev ${CODES.map((c) => `${String.fromCharCode(Number.parseInt(c, 16))}${c}`).join("")} a\u2028b\u2029c`;
  const SHOWN = `paid\\u202edeifirev ${CODES.map((c) => `\\u${c}${c}`).join("")} a\\u2028b\\u2029c`;
  const REORDERING = /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  it("a failure reason and an error's detail (410) are shown with their codes, colours on and off", async () => {
    await reasonShown("bidi", REASON, SHOWN, REORDERING);
  });
});

describe("server text that holds invisible characters", () => {
  // A format character (Unicode's Cf: zero-width, a byte order mark, a soft hyphen, a tag) shows nothing, a space other
  // than U+0020 looks like one: each is written as its code, as the bidi controls are, so that what is shown is what
  // was said.
  const CODES = ["200b", "200c", "200d", "2060", "feff", "00ad", "00a0", "2007", "202f", "205f", "3000", "1680"];
  const REASON = `quota ${CODES.map((c) => `${String.fromCharCode(Number.parseInt(c, 16))}${c}`).join("")} tag\u{e0001}`;
  const SHOWN = `quota ${CODES.map((c) => `\\u${c}${c}`).join("")} tag\\u{e0001}`;
  const INVISIBLE = /[\p{Cf}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u;

  it("a failure reason and an error's detail (410) show each invisible character as its code, colours on and off", async () => {
    // Before the fix: written as they are, `failed: quota 200b200c…`, each code after a character that showed nothing.
    await reasonShown("invisible", REASON, SHOWN, INVISIBLE);
  });
});

describe("the result of a job just seen completed, whose content lags its status", () => {
  const JOB = "job_lag";
  // A journal of its own: the jobs these tests make are not listed by the others'.
  let env: Record<string, string>;
  beforeEach(() => {
    Object.assign(answers, { jobId: JOB, status: "completed", content: { status: 200, detail: "" } });
    lag = [];
    contentReads = 0;
    held = undefined;
    env = { ...shared(), DECART_JOURNAL: join(root, "lag.journal.jsonl") };
  });

  it("jobs wait: a 404 is tried again, told on stderr, and the video saved", async () => {
    lag = [404];
    const out = join(root, "wait-404.mp4");
    const { code, stdout, stderr } = await run(["jobs", "wait", JOB, "-o", out], { env });
    expect(code, stderr).toBe(0);
    expect(readFileSync(out)).toEqual(VIDEO);
    expect(contentReads).toBe(2);
    expect(stderr).toMatch(
      new RegExp(`↻ ${JOB} retrying \\(attempt 1, next try in (\\d+ ms|\\d\\.\\d s)\\): NOT_FOUND \\(HTTP 404\\)`),
    );
    expect(events(stdout).at(-1)).toMatchObject({ type: "saved", job_id: JOB, path: out, bytes: VIDEO.length });
  });

  it("video: 409s are tried again, three in a row at most, and the video saved", async () => {
    lag = [409, 409, 409];
    const out = join(root, "video-409.mp4");
    const { code, stdout, stderr } = await run(["video", "A lake", "-o", out], { env });
    expect(code, stderr).toBe(0);
    expect(readFileSync(out)).toEqual(VIDEO);
    expect(contentReads).toBe(4);
    expect(stderr).toContain(`${JOB} retrying (attempt 3,`);
    expect(events(stdout).at(-1)).toMatchObject({ type: "saved", job_id: JOB, path: out });
  });

  it("a fourth 404 in a row fails: the message names the job and the command that downloads it later", async () => {
    lag = [404, 404, 404, 404, 404];
    const out = join(root, "never.mp4");
    const { code, stdout, stderr } = await run(["jobs", "wait", JOB, "-o", out, "--no-json"], { env });
    expect(code, stderr).toBe(1);
    expect(contentReads).toBe(4);
    expect(existsSync(out)).toBe(false);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      `Could not download the result of ${JOB} (Not found (HTTP 404)), although the server said the job completed; ` +
        `its result may come later: ${printed(env, "jobs", "result", JOB, "-o", out)}`,
    );
    // In the JSON form, the `error` event carries the job and the client's code.
    lag = [404, 404, 404, 404];
    const json = await run(["jobs", "wait", JOB, "-o", out], { env });
    expect(json.code, json.stderr).toBe(1);
    expect(events(json.stdout).at(-1)).toMatchObject({ type: "error", job_id: JOB, code: "NOT_FOUND", exit_code: 1 });
  });

  it("--timeout running out while a 404 is tried again: exit 5, the timeout's, with the command that downloads it", async () => {
    // The second read is sent within --timeout and answered once the CLI's clock has moved past it (no real-time
    // window): the tries again end there as the watch's budget ends, not as a 404 still failing (exit 1).
    lag = [404, 404, 404, 404, 404, 404];
    let reached!: () => void;
    let release!: () => void;
    const second = new Promise<void>((resolve) => (reached = resolve));
    held = { read: 2, reached, released: new Promise<void>((resolve) => (release = resolve)) };
    const out = join(root, "lag-timeout.mp4");
    const child = start(["jobs", "wait", JOB, "-o", out, "--timeout", "600"], {
      env: { ...env, CLOCK_TOLD: "1" },
      clock: true,
    });
    const done = finished(child);
    await second;
    const moved = onStderr(child, "clock: moved on");
    jump(child);
    await moved;
    release();
    const { code, stdout, stderr } = await done;
    expect(code, stderr).toBe(5);
    expect(contentReads).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(events(stdout).at(-1)).toMatchObject({ type: "error", exit_code: 5, code: "JOB_TIMEOUT", job_id: JOB });
    expect(stderr).toContain(
      `--timeout ran out while the result of ${JOB} was tried again (the server said the job completed, yet its ` +
        `result was not there: Not found (HTTP 404)); no file was left; it may come later: ` +
        printed(env, "jobs", "result", JOB, "-o", out),
    );
    expect(stderr).not.toContain("Could not download");
  });

  it("a batch's line: still 404 after three tries, it is resumable, and --resume downloads it", async () => {
    const path = join(root, "lag.jsonl");
    writeFileSync(path, `${JSON.stringify({ custom_id: "clip", prompt: "A lake" })}\n`);
    const out = join(root, "batch");
    lag = [404, 404, 404, 404];
    const first = await run(["batch", path, "--out", out], { env });
    expect(first.code, first.stderr).toBe(6);
    expect(contentReads).toBe(4);
    const failed = events(first.stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "clip", job_id: JOB, resumable: true });
    expect(failed.error).toContain(
      `its result may come later: ${printed(env, "batch", path, "--out", out, "--resume")}`,
    );
    const resumed = await run(["batch", path, "--out", out, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(join(out, "clip.mp4"))).toEqual(VIDEO);
  });

  it("jobs result (no watch): a 404 is no such job, not tried again", async () => {
    lag = [404];
    const out = join(root, "result.mp4");
    const { code, stderr } = await run(["jobs", "result", JOB, "-o", out, "--no-json"], { env });
    expect(code, stderr).toBe(1);
    expect(contentReads).toBe(1);
    expect(stderr).toContain("Not found (HTTP 404)");
    expect(stderr).not.toContain("retrying");
    expect(stderr).not.toContain("completed");
    expect(stderr).not.toContain("jobs result");
    expect(existsSync(out)).toBe(false);
  });
});
