/**
 * The progress bars on a terminal (through `script`, a terminal of the test's own, rendered by `render`): a line the
 * CLI writes while a bar is drawn is whole above it, never cut at the terminal's edge nor written over; a bar's last
 * state is the one drawn; and the terminal is left with its cursor shown and its lines wrapping, even after a second
 * Ctrl-C.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { KEY, listenOnLoopback, onTerminal, proxyTo, SCRIPT, useEmulator } from "./helpers.js";
import { render } from "./screen.js";
import { secondCtrlC } from "./second-signal.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

const COLUMNS = 100;

/** `NODE_OPTIONS` that put a CLI on a terminal on the test's clock (`clock.mjs`). */
const CLOCK = `--import=${new URL("./clock.mjs", import.meta.url).href}`;

/** A batch of two video lines, its file in the test's directory. */
function twoLines(): string {
  const file = join(dir, "b.jsonl");
  writeFileSync(
    file,
    `${JSON.stringify({ custom_id: "a", prompt: "A lake" })}\n${JSON.stringify({ custom_id: "b", prompt: "A sea" })}\n`,
  );
  return file;
}

/** The screen's text as one string, each line joined to the next (a line wrapped at the edge reads whole). */
const joined = (lines: string[]) => lines.join("");

/** Whether `text` is on the screen from the start of a line (wrapped at the edge, read whole), none of it written over. */
const shownWhole = (lines: string[], text: string) =>
  lines.some((line, i) => line.startsWith(text.slice(0, 20)) && joined(lines.slice(i)).startsWith(text));

/**
 * A proxy in front of the emulator that holds the answers of submits until `release`; `arrived` settles once `count`
 * submits have reached it (the batch's bar says "running" before a line's submit is even built).
 */
async function holdingSubmits(count = 2) {
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  let submits = 0;
  const proxy = await proxyTo(emu.url, async (req) => {
    if (req.method === "POST" && req.url?.startsWith("/v1/jobs/")) {
      if (++submits === count) reached();
      await released;
    }
    return false;
  });
  return { url: proxy.url, release, arrived, close: proxy.close };
}

describe.skipIf(!SCRIPT)("a batch's bar on a terminal", () => {
  it("has the header whole above it, ends drawn as it ended (2/2 done, none running), the summary below", async () => {
    const out = join(dir, "results-of-a-batch-with-a-long-name");
    const { done } = onTerminal(["batch", twoLines(), "--out", out], { env, columns: COLUMNS });
    const { code, stdout } = await done;
    expect(code, stdout).toBe(0);
    const screen = render(stdout, COLUMNS);
    // Longer than a line: it wraps, rather than being cut at the edge.
    const header = `Batch of 2 line(s), 8 at a time; results in ${out}; journal ${env.DECART_JOURNAL}`;
    expect(header.length).toBeGreaterThan(COLUMNS);
    expect(shownWhole(screen.lines, header), screen.lines.join("\n")).toBe(true);
    const bars = screen.lines.filter((line) => line.startsWith("Batch █") || line.startsWith("Batch ░"));
    expect(bars, screen.lines.join("\n")).toEqual([`Batch ${"█".repeat(40)} 2/2 done · 0 failed · 0 running`]);
    const at = screen.lines.indexOf(bars[0]!);
    expect(screen.lines[at + 1]).toMatch(/^Batch: 2 line\(s\), 2 completed, 0 failed\. Results: /);
    expect(screen.cursorShown).toBe(true);
    expect(screen.autowrap).toBe(true);
  });

  it("has a first Ctrl-C's warning whole above it, not written over; a second Ctrl-C leaves the cursor shown and lines wrapping", async () => {
    const warning =
      "Waiting for the answers of submits already sent (5 s at most), so that their job ids are not lost; Ctrl-C again stops at once";
    for (const second of [false, true]) {
      const held = await holdingSubmits();
      try {
        // On the test's clock (see `clock.mjs`), never moved on: the first Ctrl-C's wait for the answers (5 s at most)
        // does not end by itself, so only a second Ctrl-C taken as one ends the run (one taken for the first delivered
        // twice leaves it waiting: the test times out).
        const { pid, seen, done } = onTerminal(["batch", twoLines(), "--out", join(dir, `out-${second}`)], {
          env: { ...env, DECART_BASE_URL: held.url, NODE_OPTIONS: CLOCK },
          columns: COLUMNS,
        });
        await seen("2 running");
        await held.arrived;
        const cli = await pid;
        process.kill(cli, "SIGINT");
        await seen("Ctrl-C again stops at once");
        if (second) {
          await secondCtrlC(cli);
        } else held.release();
        const { code, stdout } = await done;
        expect(code, stdout).toBe(130);
        const screen = render(stdout, COLUMNS);
        expect(shownWhole(screen.lines, warning), screen.lines.join("\n")).toBe(true);
        // The bar drawn again below the warning (its text unchanged since).
        const warned = screen.lines.findIndex((line) => line.startsWith(warning.slice(0, 20)));
        expect(
          screen.lines.slice(warned + 1).some((line) => /^Batch [█░]/.test(line)),
          screen.lines.join("\n"),
        ).toBe(true);
        expect(screen.cursorShown, `second: ${second}`).toBe(true);
        expect(screen.autowrap, `second: ${second}`).toBe(true);
        // The modes the transcript sets last (what a terminal is left in): the cursor shown, lines wrapping.
        expect(stdout.lastIndexOf("\x1b[?25h")).toBeGreaterThan(stdout.lastIndexOf("\x1b[?25l"));
        expect(stdout.lastIndexOf("\x1b[?7h")).toBeGreaterThanOrEqual(stdout.lastIndexOf("\x1b[?7l"));
        if (!second) expect(joined(screen.lines)).toContain("Batch: 2 line(s), 0 completed, 0 failed, 2 not finished");
      } finally {
        held.release();
        await held.close();
      }
    }
  });
});

/** Makes a CLI process emit a warning of Node's at each SIGUSR2 (see warn-on-signal.mjs), by `NODE_OPTIONS`. */
const WARNS = `--import=${new URL("./warn-on-signal.mjs", import.meta.url).href}`;

describe.skipIf(!SCRIPT)("a warning of Node's while a bar is drawn", () => {
  it("is whole above the bar, on a line of its own, the bar drawn again below it", async () => {
    const held = await holdingSubmits();
    try {
      const { pid, seen, done } = onTerminal(["batch", twoLines(), "--out", join(dir, "out-warned")], {
        env: { ...env, DECART_BASE_URL: held.url, NODE_OPTIONS: WARNS },
        columns: COLUMNS,
      });
      await seen("2 running");
      await held.arrived;
      const cli = await pid;
      process.kill(cli, "SIGUSR2");
      await seen("A warning while a bar is drawn");
      held.release();
      const { code, stdout } = await done;
      expect(code, stdout).toBe(0);
      const screen = render(stdout, COLUMNS);
      const warning = `(node:${cli}) [DECART_TEST] Warning: A warning while a bar is drawn`;
      // Before: written onto the bar's line, after the bar.
      expect(screen.lines, screen.lines.join("\n")).toContain(warning);
      const warned = screen.lines.indexOf(warning);
      expect(screen.lines[warned + 1], screen.lines.join("\n")).toMatch(/^\(Use `node --trace-warnings \.\.\.`/);
      expect(
        screen.lines.slice(warned + 2).some((line) => /^Batch [█░]/.test(line)),
        screen.lines.join("\n"),
      ).toBe(true);
      expect(screen.lines.filter((line) => line.includes("DECART_TEST"))).toEqual([warning]);
    } finally {
      held.release();
      await held.close();
    }
  });
});

describe.skipIf(!SCRIPT)("a download's bar on a terminal", () => {
  it("without Content-Length, shows the bytes come so far: no percentage, no bar filled", async () => {
    const jobId = "job_0123456789abcdef0123456789abcdef";
    // As far as its first bytes tell, a video (an MP4's `ftyp` box: the CLI checks them); sent in three chunks.
    const video = Buffer.concat([Buffer.from("\0\0\0\x10ftypmp42\0\0\0\0", "latin1"), Buffer.alloc(3000, 1)]);
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      const url = req.url ?? "";
      if (url.endsWith("/content")) {
        // Chunked: no Content-Length.
        res.writeHead(200, { "content-type": "video/mp4" });
        for (let at = 0; at < video.length; at += 1024) res.write(video.subarray(at, at + 1024));
        return res.end();
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: jobId, status: req.method === "POST" ? "pending" : "completed" }));
    });
    try {
      const file = join(dir, "v.mp4");
      const { done } = onTerminal(["video", "A lake", "-o", file], {
        env: { ...env, DECART_API_KEY: KEY, DECART_BASE_URL: server.url },
        columns: COLUMNS,
      });
      const { code, stdout } = await done;
      expect(code, stdout).toBe(0);
      // Each draw begins at the line's first column (`\e[1G`).
      const drawn = stdout.split("\x1b[1G").filter((part) => part.includes("Downloading"));
      expect(drawn.length, stdout).toBeGreaterThan(0);
      for (const part of drawn) {
        expect(part).toMatch(/Downloading \d+ bytes/);
        expect(part).not.toMatch(/%|█|░|\/0 bytes/);
      }
      expect(render(stdout, COLUMNS).lines.join("\n")).toContain("✓ Video saved (3016 bytes):");
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!SCRIPT)("a download that fails mid-way on a terminal", () => {
  it("ends with its error's exit code: the bar's timer does not keep the process alive", async () => {
    const jobId = "job_0123456789abcdef0123456789abcdef";
    const video = Buffer.concat([Buffer.from("\0\0\0\x10ftypmp42\0\0\0\0", "latin1"), Buffer.alloc(3000, 1)]);
    let downloads = 0;
    const server = await listenOnLoopback((req, res) => {
      req.resume();
      const url = req.url ?? "";
      if (url.endsWith("/content")) {
        // The first answer cut after half its body (the bar drawn meanwhile); the result gone when asked again.
        if (downloads++) return res.writeHead(410, { "content-type": "application/json" }).end('{"detail":"gone"}');
        res.writeHead(200, { "content-type": "video/mp4", "content-length": video.length });
        res.write(video.subarray(0, 1500), () => setTimeout(() => res.destroy(), 50));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: jobId, status: req.method === "POST" ? "pending" : "completed" }));
    });
    try {
      const file = join(dir, "cut.mp4");
      const { done } = onTerminal(["video", "A lake", "-o", file], {
        env: { ...env, DECART_API_KEY: KEY, DECART_BASE_URL: server.url },
        columns: COLUMNS,
      });
      const { code, stdout } = await done;
      expect(stdout).toContain("Downloading");
      expect(code, stdout).toBe(1);
      expect(render(stdout, COLUMNS).lines.join("\n")).toContain(`decart: Job ${jobId}: gone (HTTP 410)`);
    } finally {
      await server.close();
    }
  });
});
