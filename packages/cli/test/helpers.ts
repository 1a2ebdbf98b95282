import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Emulator, type EmulatorOptions, startEmulator } from "@decart/emulator";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { secondCtrlC } from "./second-signal.js";

/** The built bin, as a user runs it. */
export const BIN = fileURLToPath(new URL("../bin/decart.js", import.meta.url));

/** A key no other text contains, so that finding it anywhere in the output is a leak. */
export const KEY = "dct_test_Zq7Xw3Vr9Kp2Lm5Nb8Hc4";

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes (for `-o -`). */
  bytes: Buffer;
}

/** The proxy variables the CLI reads (see proxy.ts), in both cases. */
const PROXY = ["http_proxy", "https_proxy", "all_proxy", "no_proxy"].flatMap((name) => [name, name.toUpperCase()]);

/**
 * The environment of a child: nothing of the test runner's colours, keys or proxies (the emulator is on loopback), plus
 * what the test gives.
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    "FORCE_COLOR",
    "NO_COLOR",
    "CI",
    "DECART_API_KEY",
    "DECART_BASE_URL",
    "DECART_JOURNAL",
    "TERM",
    ...PROXY,
  ]) {
    delete env[name];
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string | Buffer;
  /** The process's clock is the test's to move on (see `clock.mjs` and `jump`: its timeouts end only then); else real time. */
  clock?: boolean;
}

/** The clock the CLI runs on when a test asks for one (`RunOptions.clock`). */
const CLOCK = new URL("./clock.mjs", import.meta.url).href;

/** Moves the clock of a CLI started with `clock: true` 30 days on, at once (see `clock.mjs`). */
export const jump = (child: ChildProcess): void => void child.kill("SIGUSR2");

/** The children started here that have not exited yet: `useEmulator` kills those a test leaves behind. */
const running = new Set<ChildProcess>();
const tracked = (child: ChildProcess): ChildProcess => {
  running.add(child);
  child.on("exit", () => running.delete(child));
  return child;
};

/** Starts the CLI as a child process (stdout and stderr are pipes, as in a script). */
export function start(args: string[], options: RunOptions = {}): ChildProcess {
  const child = tracked(
    spawn(process.execPath, [...(options.clock ? ["--import", CLOCK] : []), BIN, ...args], {
      env: childEnv(options.env),
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    }),
  );
  if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();
  return child;
}

/** Collects a child's output and how it ended. */
export function finished(child: ChildProcess): Promise<Run> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (d: Buffer) => out.push(d));
  child.stderr?.on("data", (d: Buffer) => err.push(d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const bytes = Buffer.concat(out);
      resolve({ code, signal, stdout: bytes.toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), bytes });
    });
  });
}

/** The requests `startHeld` holds by default: the paid ones, a submit (`POST /v1/jobs/…`) or an image (`POST /v1/generate/…`). */
const PAID = /^POST \/v1\/(jobs|generate)\//;

/**
 * Starts the CLI through a proxy in front of `upstream` (the emulator's URL) that holds the answer of its paid request
 * (a submit, `POST /v1/jobs/…`, or an image, `POST /v1/generate/…`; or those whose `METHOD path` matches `hold`) until
 * `release()` (never, if it is not called), and resolves once that answer has come from the server (the job or the
 * image made, the answer not yet passed on). No real-time window: the answer comes when the test says.
 */
export async function startHeld(
  args: string[],
  upstream: string,
  options: RunOptions & { hold?: RegExp } = {},
): Promise<{ child: ChildProcess; done: Promise<Run>; release: () => void }> {
  const hold = options.hold ?? PAID;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let answered!: () => void;
  const holding = new Promise<void>((resolve) => (answered = resolve));
  const proxy = await proxyTo(upstream, async (req) => {
    if (hold.test(`${req.method} ${req.url}`)) {
      answered();
      await released;
    }
    return false;
  });
  const child = start(args, { ...options, env: { ...options.env, DECART_BASE_URL: proxy.url } });
  const done = finished(child).finally(proxy.close);
  await Promise.race([
    holding,
    done.then((ended) => {
      throw new Error(`ended first: ${ended.stderr}`);
    }),
  ]);
  return { child, done, release };
}

/**
 * A proxy on loopback in front of `upstream` (the emulator): each request is forwarded as it came, and its answer passed
 * on as it came unless `take` (given the request, the answer to write and the upstream's answer) takes it over: it
 * answers true when it did (held it, cut it, wrote another). Answers the proxy's URL and what closes it.
 */
export async function proxyTo(
  upstream: string,
  take: (req: IncomingMessage, res: ServerResponse, answer: IncomingMessage) => boolean | Promise<boolean> = () =>
    false,
): Promise<{ url: string; close: () => Promise<void> }> {
  const base = new URL(upstream);
  const proxy = await listenOnLoopback((req, res) => {
    const forward = request(
      new URL(req.url!, base),
      { method: req.method, headers: { ...req.headers, host: base.host } },
      async (answer) => {
        if (await take(req, res, answer)) return;
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  return { url: proxy.url, close: proxy.close };
}

/** A server of a test's own on loopback (see `listenOnLoopback`). */
export interface Loopback {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  server: Server;
  /**
   * Closes it, and every connection still open (a request held, a keep-alive socket): nothing waits for them. Resolves
   * once it is closed.
   */
  close: () => Promise<void>;
}

/**
 * A node:http server answering with `handler` on 127.0.0.1, a free port, once it listens: a test's purpose-built
 * server (an answer the emulator cannot make) or proxy. `close` ends it and its connections.
 */
export async function listenOnLoopback(handler: RequestListener): Promise<Loopback> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends `signal` to the child and resolves once its stderr holds `text` (what the CLI says to that signal). */
export async function interrupt(child: ChildProcess, signal: NodeJS.Signals, text: string): Promise<void> {
  const said = onStderr(child, text);
  child.kill(signal);
  await said;
}

/**
 * Sends `signal` to the child as a second one, after its first was heard (its message seen): 400 ms after it, a
 * person's gap (`secondCtrlC`), not the CLI's own `ONE_DELIVERY_MS`, so that a CLI taking that for the first one
 * delivered twice fails the test.
 */
export const again = (child: ChildProcess, signal: NodeJS.Signals): Promise<void> => secondCtrlC(child, signal);

/** Resolves once the child's stderr holds `text`; rejects if the child ends first. */
export function onStderr(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stderr!.on("data", (d: Buffer) => {
      seen += d.toString("utf8");
      if (seen.includes(text)) resolve();
    });
    child.on("close", (code, signal) => reject(new Error(`ended (${code ?? signal}) before "${text}": ${seen}`)));
  });
}

/**
 * `each` of every item (a run of the CLI, say), a few at a time (`size`; a few processes at once keep 2 loaded cores
 * busy, where one after another left a test of twenty runs at its timeout), their results in the order of `items`.
 */
export async function inGroups<T, R>(
  items: readonly T[],
  each: (item: T, index: number) => Promise<R>,
  size = 4,
): Promise<R[]> {
  const results: R[] = [];
  for (let at = 0; at < items.length; at += size)
    results.push(...(await Promise.all(items.slice(at, at + size).map((item, n) => each(item, at + n)))));
  return results;
}

/** Runs the CLI to its end. */
export const run = (args: string[], options: RunOptions = {}): Promise<Run> => finished(start(args, options));

/** util-linux `script`, which gives a command a terminal of its own (undefined where it is missing). */
export const SCRIPT = ["/usr/bin/script", "/bin/script"].find((path) => existsSync(path));

/**
 * Runs the CLI on a terminal (through `script`): stdout and stderr are both that terminal, so `stdout` is the
 * transcript of the two, with the terminal's `\r\n` line ends.
 */
export function runOnTerminal(args: string[], options: RunOptions = {}): Promise<Run> {
  const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(" ");
  const child = tracked(
    spawn(SCRIPT!, ["-qec", command, "/dev/null"], {
      env: childEnv(options.env),
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  return finished(child);
}

/**
 * Starts the CLI on a terminal of its own (through `script`, as `runOnTerminal` does) of `columns` columns: stdin,
 * stdout and stderr all that terminal. `pid` is the CLI's own process (to send it signals: `script` stands between),
 * `seen` resolves once the transcript holds `text`, and `done` ends with the transcript as `stdout`. With `stderr`,
 * the CLI's stderr is that file instead (another terminal: see `otherTerminal` in its tests).
 */
export function onTerminal(
  args: string[],
  options: RunOptions & { columns: number; stderr?: string },
): { pid: Promise<number>; seen: (text: string) => Promise<void>; done: Promise<Run> } {
  const quote = (arg: string) => `'${arg.replace(/'/g, "'\\''")}'`;
  // The shell prints its pid, which `exec` makes the CLI's; `stderr` is a file (another terminal) for its stderr.
  const command =
    `stty cols ${options.columns} rows 40; echo "pid $$"; exec ${[process.execPath, BIN, ...args].map(quote).join(" ")}` +
    (options.stderr ? ` 2>${quote(options.stderr)}` : "");
  const child = tracked(
    spawn(SCRIPT!, ["-qec", command, "/dev/null"], {
      env: childEnv(options.env),
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let transcript = "";
  child.stdout!.on("data", (d: Buffer) => (transcript += d.toString("utf8")));
  const done = finished(child);
  const seen = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const look = () => {
        if (!transcript.includes(text)) return false;
        resolve();
        return true;
      };
      if (look()) return;
      child.stdout!.on("data", look);
      done.then((ended) => reject(new Error(`ended (${ended.code}) before "${text}": ${ended.stdout}`)));
    });
  const pid = seen("pid ").then(async () => {
    await seen("\n");
    return Number(/pid (\d+)/.exec(transcript)![1]);
  });
  return { pid, seen, done };
}

/** Parses NDJSON: every line must be one JSON value. */
export function events(stdout: string): Array<{ type: string; [key: string]: any }> {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

/** An emulator on 127.0.0.1, a free port, that accepts only `KEY`; and the environment that points the CLI at it. */
export async function emulator(options: EmulatorOptions = {}): Promise<{ emu: Emulator; env: Record<string, string> }> {
  const emu = await startEmulator({ timing: "fast", keys: [KEY], ...options });
  return { emu, env: { DECART_API_KEY: KEY, DECART_BASE_URL: emu.url } };
}

/** A temporary directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "decart-cli-"));
  madeDirs.add(realpathSync(dir));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The directories `tempDir` made (their real paths): the only ones `runAsOtherUser` gives away or opens up. */
const madeDirs = new Set<string>();

/** Whether `path` is a directory `tempDir` made, or inside one (by its real path, part by part: not a text prefix). */
const inMadeDir = (path: string) => {
  const real = realpathSync(path);
  return [...madeDirs].some((made) => {
    const rest = relative(made, real);
    return rest === "" || (rest.split(sep)[0] !== ".." && !isAbsolute(rest));
  });
};

/** What the tests of a file share: see `useEmulator`. */
export interface Fixture {
  emu: Emulator;
  /** A temporary directory of the file's own. */
  dir: string;
  /** The environment that points the CLI at `emu` with `KEY`, and at a journal of the test's own in `dir`. */
  env: Record<string, string>;
}

/**
 * An emulator (`emulator(options)`) and a temporary directory for the tests of one file: started before them, closed
 * and removed after; a CLI process a test leaves running is killed after it. Before each test the emulator's faults and counters are cleared and `env` names a fresh journal,
 * so each test passes alone and in any order. With `ownDir`, `dir` is a new directory of each test's own (in the
 * file's), where its journal is too: what a test that failed or timed out left there (a batch's lock beside the
 * journal, its files) is not the next test's. `assign` receives the fixture whenever it changes (the file keeps it in
 * its own variables: `useEmulator({}, (f) => ({ emu, env, dir } = f))`).
 */
export function useEmulator(
  options: EmulatorOptions,
  assign: (fixture: Fixture) => void,
  { ownDir = false }: { ownDir?: boolean } = {},
): void {
  let fixture: Fixture | undefined;
  let root = "";
  let remove = () => {};
  beforeAll(async () => {
    const { emu, env } = await emulator(options);
    const temp = tempDir();
    ({ dir: root, remove } = temp);
    fixture = { emu, dir: root, env };
    assign(fixture);
  });
  beforeEach((context) => {
    const { emu } = fixture!;
    emu.setFaults([]);
    emu.resetStats();
    const dir = ownDir ? mkdtempSync(join(root, "test-")) : root;
    fixture = {
      emu,
      dir,
      env: { DECART_API_KEY: KEY, DECART_BASE_URL: emu.url, DECART_JOURNAL: join(dir, `${context.task.id}.jsonl`) },
    };
    assign(fixture);
  });
  // A test that failed (or timed out) while the CLI hung leaves no process behind to spin on the machine.
  afterEach(() => {
    for (const child of running) child.kill("SIGKILL");
  });
  afterAll(async () => {
    await fixture?.emu.close();
    remove();
  });
}

/** A command the CLI prints under `env`: `decart --base-url <url> --journal <journal> <words>` (test paths need no quotes). */
export const printed = (env: Record<string, string | undefined>, ...words: string[]): string =>
  ["decart", "--base-url", env.DECART_BASE_URL, "--journal", env.DECART_JOURNAL, ...words].join(" ");

/** The journal's records, as written (none when it has no file). */
export const journalRecords = (path: string): any[] =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];

/** The journal's records of jobs (a submit's own, written before it is sent, holds no job id). */
export const jobRecords = (path: string) => journalRecords(path).filter((r) => r.job_id !== undefined);

/**
 * What `jobs wait <id>` (`waited`, run in `dir`) does with a job whose journaled path it does not write (a directory, a
 * device …): exit 0, the result saved to `<id>.mp4` in `dir` instead, said on stderr with `why` (what the recorded path
 * is), and journaled there.
 */
export function expectSavedInstead(
  waited: Run,
  {
    jobId,
    dir,
    journal,
    recorded,
    why,
  }: { jobId: string; dir: string; journal: string; recorded: string; why: string },
): void {
  expect(waited.code, waited.stderr).toBe(0);
  const path = join(dir, `${jobId}.mp4`);
  const saved = events(waited.stdout).find((e) => e.type === "saved")!;
  expect(saved).toMatchObject({ job_id: jobId, path });
  expect(statSync(path).size).toBe(saved.bytes);
  expect(waited.stderr).toContain(
    `The journal records ${recorded} as where the result of ${jobId} goes, ${why}: saving to ${path} instead ` +
      "(give -o <file> to choose)\n",
  );
  expect(jobRecords(journal).at(-1)).toMatchObject({ event: "saved", job_id: jobId, path });
}

/** Whether the tests run as root (as CI does). */
export const root = process.getuid?.() === 0;
/** setpriv (util-linux), which runs a command under other ids; where it is. */
export const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((path) => existsSync(path));
/** `nobody`'s ids, as most Linux systems have them. */
export const NOBODY = 65534;

/**
 * Runs the CLI as a user who is not root, in `home` (its HOME and working directory): when the tests run as root, as
 * `nobody` (through setpriv: skip the test where `SETPRIV` is undefined), `home` given to nobody, and `dir` (the
 * test's directory, in a file's directory made 0700 by `tempDir`) and its parent made 0755 for it to reach `home`;
 * otherwise as the user running the tests.
 */
export function runAsOtherUser(
  args: string[],
  { home, dir, env }: { home: string; dir: string; env: Record<string, string | undefined> },
): Promise<Run> {
  const extra = { HOME: home, ...env };
  if (!root) return run(args, { env: extra, cwd: home });
  // (Only the directories `tempDir` made, or theirs: never the system's temporary directory itself, nor another's.)
  if (!inMadeDir(home)) throw new Error(`runAsOtherUser: ${home} is no directory tempDir made, nor inside one`);
  chownSync(home, NOBODY, NOBODY);
  for (const p of [dir, dirname(dir)]) if (inMadeDir(p)) chmodSync(p, 0o755);
  const child = tracked(
    spawn(SETPRIV!, [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, BIN, ...args], {
      env: childEnv(extra),
      cwd: home,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  return finished(child);
}

/**
 * The environment that makes the CLI import a module (written to `dir`) through which no name ending in `.invalid`
 * resolves: `dns.lookup` (which the connections of `fetch` use) fails for it as getaddrinfo does for a name that does
 * not exist (ENOTFOUND), without asking the machine's resolver (which may be slow, offline, or answer every name).
 */
export function unresolvable(dir: string): Record<string, string> {
  const module = join(dir, "unresolvable.mjs");
  writeFileSync(
    module,
    `import dns from "node:dns";
import { syncBuiltinESMExports } from "node:module";
const real = dns.lookup;
dns.lookup = (hostname, options, callback) => {
  if (!String(hostname).endsWith(".invalid")) return real(hostname, options, callback);
  const error = Object.assign(new Error(\`getaddrinfo ENOTFOUND \${hostname}\`), {
    code: "ENOTFOUND",
    errno: -3008,
    syscall: "getaddrinfo",
    hostname,
  });
  process.nextTick(typeof options === "function" ? options : callback, error);
};
syncBuiltinESMExports();
`,
  );
  return { NODE_OPTIONS: `--import=${pathToFileURL(module).href}` };
}

/** Environments that each set `NODE_OPTIONS` (`unresolvable`, `fastRetries`) as one. */
export const preloads = (...envs: Array<Record<string, string>>): Record<string, string> => ({
  NODE_OPTIONS: envs.map((env) => env.NODE_OPTIONS).join(" "),
});

/**
 * The environment that makes the CLI record each module it loads (its `file:` URL, a line each) in a file of `dir`, and
 * what reads them back: what a command line loads, told by the module loader itself (a `module.register` hook).
 */
export function loadedModules(dir: string): { env: Record<string, string>; loaded: () => string[] } {
  const log = join(dir, "loaded.txt");
  const hooks = join(dir, "load-hooks.mjs");
  const register = join(dir, "load-register.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  const loaded = await next(url, context);
  if (url.startsWith("file:")) appendFileSync(${JSON.stringify(log)}, \`\${url}\\n\`);
  return loaded;
}
`,
  );
  writeFileSync(
    register,
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  rmSync(log, { force: true });
  return {
    env: { NODE_OPTIONS: `--import=${pathToFileURL(register).href}` },
    loaded: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []),
  };
}

/** The directory of @decart/core's built modules (`…/dist/`), as the CLI reaches them: a `file:` URL ending in `/`. */
const CORE_DIST = `${dirname(pathToFileURL(createRequire(import.meta.url).resolve("@decart/core")).href)}/`;

/**
 * The environment that makes the CLI import a module (written to `dir`) through which every wait of the client's retry
 * policy (a backoff, a `Retry-After`, the rate-limit gate: a timer that @decart/core's `sleep` sets under its `retry`)
 * ends after 1 ms, and no other timer changes (a request's timeout, a watch's poll, a grace): a test about what the
 * retries end in rather than how long they wait. Combine with the others by `preloads`.
 *
 * Such a wait is told by the files its stack passes through (set in core's `poll.js`, under its `retry.js`), and told
 * again by its functions' names (`sleep` under `retry`, in core's files): a wait that only one of the two tells (core's
 * files or functions renamed) ends the process at once, exit 70, saying on stderr what was not found, rather than
 * leaving the tests that use this to wait the real time. A process that never retries sets no such timer: nothing is said.
 */
export function fastRetries(dir: string): Record<string, string> {
  const module = join(dir, "fast-retries.mjs");
  writeFileSync(
    module,
    `import { writeSync } from "node:fs";
const core = ${JSON.stringify(CORE_DIST)};
const real = globalThis.setTimeout;
const ours = (frame, file) => frame.includes(core + file + ":");
// (A function called as a method shows as "at Object.sleep [as delay] (": a policy's delay is core's sleep.)
const named = (frame, name) =>
  frame.includes(core) && new RegExp("at (async )?([\\\\w$]+\\\\.)?" + name + "( \\\\[as [\\\\w$]+\\\\])? \\\\(").test(frame);
globalThis.setTimeout = function (callback, ms, ...rest) {
  if (Number(ms) > 1) {
    // The timer's own caller (frame 2, under this function's) is the client's sleep, and a retry waits on it.
    // (A deep enough stack to reach the retry's frame, past any wrappers of the wait, such as saveResult's onRetry.)
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    const frames = (new Error().stack ?? "").split("\\n");
    Error.stackTraceLimit = limit;
    const byFiles = ours(frames[2] ?? "", "poll.js") && frames.some((f) => ours(f, "retry.js"));
    const byNames = frames.some((f) => named(f, "sleep")) && frames.some((f) => named(f, "retry"));
    if (byFiles !== byNames) {
      const missing = byNames
        ? [ours(frames[2] ?? "", "poll.js") ? "" : "timer set in poll.js", frames.some((f) => ours(f, "retry.js")) ? "" : "frame of retry.js"]
        : [frames.some((f) => named(f, "sleep")) ? "" : "function named sleep", frames.some((f) => named(f, "retry")) ? "" : "function named retry"];
      writeSync(
        2,
        \`fastRetries (test/helpers.ts) did not shorten a wait of \${ms} ms of @decart/core's retry policy: its \${byFiles ? "files" : "functions' names"} tell it, but it has no \${missing.filter(Boolean).join(" nor ")} (in \${core}). Core's files or functions were renamed: make fastRetries know them.\\n\${frames.slice(2).join("\\n")}\\n\`,
      );
      process.exit(70);
    }
    if (byFiles) return real.call(this, callback, 1, ...rest);
  }
  return real.call(this, callback, ms, ...rest);
};
`,
  );
  return { NODE_OPTIONS: `--import=${pathToFileURL(module).href}` };
}

/**
 * A server of each test's own on loopback (`url`, see `listenOnLoopback`) where job_1 is pending when submitted and
 * completed when asked for, its result an MP4's first 24 bytes served as `type` (the test sets it), and a temporary
 * directory of the test's own (`dir`): made before each test, closed and removed after.
 */
export function useTypedResultServer(): { type: string; url: string; dir: string } {
  const fixture = { type: "", url: "", dir: "" };
  let api: Loopback | undefined;
  let remove = () => {};
  beforeEach(async () => {
    ({ dir: fixture.dir, remove } = tempDir());
    api = await listenOnLoopback((req, res) => {
      req.resume();
      if (req.url!.endsWith("/content")) {
        res.writeHead(200, { "content-type": fixture.type });
        return res.end(Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypisom"), Buffer.alloc(12)]));
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_1", status: req.method === "POST" ? "pending" : "completed" }));
    });
    fixture.url = api.url;
  });
  afterEach(async () => {
    await api?.close();
    remove();
  });
  return fixture;
}
