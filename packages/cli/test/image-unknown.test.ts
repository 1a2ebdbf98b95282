/**
 * A batch's image line (the Process API: no job, no job id) whose image may have been made and billed but was not kept:
 * its request is journaled before it is sent, so `--resume` does not ask for (and bill) it again unless given
 * `--resubmit-unknown`; the line is in unknown.jsonl, not errors.jsonl. A line whose request certainly made nothing is
 * sent again by `--resume`.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events, finished, journalRecords, onStderr, printed, proxyTo, run, start, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ timing: { pendingMs: 20, processingMs: 20 } }, (f) => ({ emu, env, dir } = f), { ownDir: true });

/**
 * A proxy in front of the emulator, at one URL for every run of a test (the journal records the API a line was sent
 * to). An image request's answer, once the emulator made the image: dropped (`cut` of them), or held (`held` set:
 * resolved, never passed on).
 */
let proxy: { url: string; close: () => void };
let cut = 0;
let held: (() => void) | undefined;
/** Takes over any answer it answers true for (after the emulator's answer came: the image made, the job's result read). */
let takeOver: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
beforeAll(async () => {
  proxy = await proxyTo(emu.url, (req, res) => {
    if (takeOver?.(req, res)) return true;
    if (!(req.method === "POST" && req.url!.startsWith("/v1/generate/"))) return false;
    if (held) {
      held();
      return true;
    }
    if (!cut) return false;
    cut--;
    res.destroy();
    return true;
  });
});
afterAll(() => proxy?.close());
beforeEach(() => {
  takeOver = undefined;
});

const image = (customId: string, prompt: string) =>
  JSON.stringify({ custom_id: customId, model: "lucy-pro-t2i", prompt });
const video = (customId: string, prompt: string) => JSON.stringify({ custom_id: customId, prompt });
const images = () => emu.stats().requests.byRoute.process ?? 0;
/** The events the journal holds of the request of the line `customId` (from its `submitting`). */
const requestEvents = (customId: string) => {
  const journal = journalRecords(env.DECART_JOURNAL!);
  const asked = journal.find((r) => r.custom_id === customId && r.event === "submitting");
  return journal.filter((r) => r.submit_id === asked.submit_id).map((r) => r.event);
};
/** Runs `args` (a batch's `--resume`) with the emulator's faults cleared: exit 0, one image more asked for, at `path`. */
const resumeSends = async (args: string[], path: string) => {
  emu.setFaults([]);
  const tries = images();
  const resumed = await run(args, { env });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(images()).toBe(tries + 1);
  expect(existsSync(path)).toBe(true);
};

describe("a batch's image line whose image may have been made and not kept", () => {
  it("its answer lost once sent: in unknown.jsonl, and --resume does not ask for it again unless told to", async () => {
    const file = join(dir, "lines.jsonl");
    const lines = [image("i", "a lighthouse"), video("v", "a lake")];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = join(dir, "out");
    env = { ...env, DECART_BASE_URL: proxy.url };
    cut = 1;
    const first = await run(["batch", file, "--out", out, "-c", "1"], { env });
    expect(first.code, first.stderr).toBe(6);
    expect(cut).toBe(0);
    expect(images()).toBe(1);
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines[0]}\n`);
    expect(existsSync(join(out, "errors.jsonl"))).toBe(false);
    // Journaled before it was sent, and left unsettled: no key, no input in it.
    const records = journalRecords(env.DECART_JOURNAL!).filter((r) => r.custom_id === "i");
    expect(records).toEqual([
      expect.objectContaining({ event: "submitting", command: "batch", kind: "image", model: "lucy-pro-t2i" }),
    ]);
    expect(JSON.stringify(records)).not.toContain("lighthouse");
    // The report's advice is an image's: no job to look for.
    const again = printed(env, "batch", file, "--out", out, "--concurrency", "1", "--resume");
    expect(first.stderr).toContain(
      `1 failed image line(s) may have made an image (and billed it) that was not kept (the request's outcome is ` +
        `unknown), listed in ${join(out, "unknown.jsonl")}, not in errors.jsonl`,
    );
    expect(first.stderr).toContain(`To ask for another all the same (billed): ${again} --resubmit-unknown`);
    expect(first.stderr).not.toContain("may have made a job");

    // --resume: not asked for again (before, it was: a second image billed), still in unknown.jsonl.
    const resumed = await run(["batch", file, "--out", out, "--concurrency", "1", "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(6);
    expect(images()).toBe(1);
    const failed = events(resumed.stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "i", outcome_unknown: true });
    expect(failed.error).toContain("an image may have been made (and billed), so the line was not sent again");
    expect(failed.error).toContain(`${again} --resubmit-unknown`);
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines[0]}\n`);

    // jobs list shows it as an image request.
    const list = await run(["jobs", "list"], { env });
    expect(events(list.stdout).filter((e) => e.type === "unknown_submit")).toEqual([
      expect.objectContaining({ command: "batch", kind: "image", custom_id: "i" }),
    ]);
    const human = await run(["jobs", "list", "--no-json"], { env });
    expect(human.stdout).toContain("image request sent, no image of it kept (");
    expect(human.stdout).toContain("); an image may have been made (and billed)");

    // Asked for on purpose: another image, then no longer unknown.
    const forced = await run(["batch", file, "--out", out, "--resume", "--resubmit-unknown"], { env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(images()).toBe(2);
    expect(existsSync(join(out, "i.png"))).toBe(true);
    expect(existsSync(join(out, "unknown.jsonl"))).toBe(false);
    const after = await run(["jobs", "list"], { env });
    expect(events(after.stdout).filter((e) => e.type === "unknown_submit")).toEqual([]);
  });

  it("a run killed while its image request awaits the answer: --resume does not ask for it again", async () => {
    const file = join(dir, "killed.jsonl");
    const lines = [image("k", "a harbour")];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = join(dir, "out");
    env = { ...env, DECART_BASE_URL: proxy.url };
    const made = new Promise<void>((resolve) => (held = resolve));
    const child = start(["batch", file, "--out", out], { env });
    const done = finished(child);
    await made;
    held = undefined;
    child.kill("SIGKILL");
    await done;
    expect(images()).toBe(1);

    // Without --resume: refused, as for a video line's submit (before, nothing was journaled and it ran anew).
    const fresh = await run(["batch", file, "--out", out], { env });
    expect(fresh.code, fresh.stderr).toBe(2);
    expect(fresh.stderr).toContain("a submit whose answer was never recorded: add --resume");
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(6);
    expect(images()).toBe(1);
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines[0]}\n`);
  });

  it("a request that certainly made nothing (429 to every try) is settled: in errors.jsonl, and --resume sends it", async () => {
    const file = join(dir, "refused.jsonl");
    const lines = [image("r", "a storm"), video("v", "a lake")];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = join(dir, "out");
    emu.setFaults([{ route: "process", kind: "429", retryAfterSeconds: 0 }]);
    const first = await run(["batch", file, "--out", out], { env });
    expect(first.code, first.stderr).toBe(6);
    expect(readFileSync(join(out, "errors.jsonl"), "utf8")).toBe(`${lines[0]}\n`);
    expect(existsSync(join(out, "unknown.jsonl"))).toBe(false);
    expect(requestEvents("r")).toEqual(["submitting", "submit_settled"]);

    await resumeSends(["batch", file, "--out", out, "--resume"], join(out, "r.png"));
  });

  it("a request stopped by Ctrl-C during a 429's wait, before it reached the API again, is settled: --resume sends it", async () => {
    const file = join(dir, "waiting.jsonl");
    // (The video line first, one line at a time: it ends before the image line is sent, and --resume finds the batch.)
    const lines = [video("v", "a lake"), image("w", "a tide")];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = join(dir, "out-waiting");
    emu.setFaults([{ route: "process", kind: "429", retryAfterSeconds: 3 }]);
    const child = start(["batch", file, "--out", out, "-c", "1", "--verbose"], { env });
    const done = finished(child);
    await onStderr(child, "(HTTP 429"); // --verbose: the 429 and the wait before its retry
    child.kill("SIGINT");
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(requestEvents("w")).toEqual(["submitting", "submit_settled"]);

    await resumeSends(["batch", file, "--out", out, "--resume"], join(out, "w.png"));
  });

  it("a batch whose only line was stopped by Ctrl-C during a 429's wait: its printed resume command sends the line", async () => {
    const file = join(dir, "waiting-alone.jsonl");
    writeFileSync(file, `${image("a", "a dune")}\n`);
    const out = join(dir, "out-waiting-alone");
    emu.setFaults([{ route: "process", kind: "429", retryAfterSeconds: 3 }]);
    const child = start(["batch", file, "--out", out, "--verbose"], { env });
    const done = finished(child);
    await onStderr(child, "(HTTP 429");
    child.kill("SIGINT");
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);
    // Its only request settled (it made nothing): the journal knows the batch by it alone.
    expect(requestEvents("a")).toEqual(["submitting", "submit_settled"]);
    const resume = /Resume with: (.*)$/m.exec(stopped.stderr)?.[1];
    expect(resume, stopped.stderr).toBe(printed(env, "batch", file, "--out", out, "--resume"));

    // Pasted as printed (test paths need no quotes): before, refused with "no line of this batch is in the journal".
    await resumeSends(resume!.split(" ").slice(1), join(out, "a.png"));
  });
});

describe("a batch whose only journaled lines are requests settled before they made anything", () => {
  /** Stops a batch of `lines` by Ctrl-C once a 429's wait (on `route`) began, and answers its printed resume command. */
  async function stopped(
    name: string,
    lines: string[],
    route: "submit" | "process",
    ownEnv: Record<string, string>,
  ): Promise<{ file: string; out: string; resume: string }> {
    const file = join(dir, `${name}.jsonl`);
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = join(dir, `out-${name}`);
    emu.setFaults([{ route, kind: "429", retryAfterSeconds: 3 }]);
    const child = start(["batch", file, "--out", out, "--verbose"], { env: ownEnv });
    const done = finished(child);
    await onStderr(child, "(HTTP 429"); // --verbose: the 429 and the wait before its retry
    child.kill("SIGINT");
    const run1 = await done;
    emu.setFaults([]);
    expect(run1.code, run1.stderr).toBe(130);
    // Each request journaled, then settled: the journal knows the batch by these alone.
    const journal = journalRecords(ownEnv.DECART_JOURNAL!);
    const asked = journal.filter((r) => r.event === "submitting").map((r) => r.submit_id);
    expect(asked, run1.stderr).toHaveLength(lines.length);
    expect(journal.filter((r) => r.event === "submit_settled").map((r) => r.submit_id)).toEqual(asked);
    expect(journal.filter((r) => !["submitting", "submit_settled"].includes(r.event))).toEqual([]);
    const resume = /Resume with: (.*)$/m.exec(run1.stderr)?.[1];
    expect(resume, run1.stderr).toBe(printed(ownEnv, "batch", file, "--out", out, "--resume"));
    return { file, out, resume: resume! };
  }

  it("a video line, its submit stopped by Ctrl-C during a 429's wait (before it was sent again): the printed resume command sends it", async () => {
    const ownEnv = { ...env, DECART_JOURNAL: join(dir, "journal-video-alone.jsonl") };
    const { out, resume } = await stopped("video-alone", [video("v", "a lake")], "submit", ownEnv);
    expect(journalRecords(ownEnv.DECART_JOURNAL)[0]).toMatchObject({ event: "submitting", custom_id: "v" });
    expect(journalRecords(ownEnv.DECART_JOURNAL)[0]).not.toHaveProperty("kind");

    const submits = () => emu.stats().requests.byRoute.submit ?? 0;
    const tries = submits();
    // Pasted as printed: refused with "no line of this batch is in the journal" (exit 2) without the settled submit.
    const resumed = await run(resume.split(" ").slice(1), { env: ownEnv });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(submits()).toBe(tries + 1);
    expect(existsSync(join(out, "v.mp4"))).toBe(true);
  });

  it("its request not journaled (the journal cannot be written): neither its error nor the summary says --resume leaves the line", async () => {
    const journalDir = join(dir, "no-journal");
    mkdirSync(journalDir);
    const ownEnv = { ...env, DECART_BASE_URL: proxy.url, DECART_JOURNAL: join(journalDir, "jobs.jsonl") };
    const file = join(dir, "unjournaled.jsonl");
    const lines = [image("a", "a lake"), image("f", "[fail] a storm"), video("v", "a lake")];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const out = join(dir, "unjournaled-out");
    // The first line's request journaled, then its answer lost and its directory replaced by a file (as a full disk or
    // a lost permission): no record can be written from then on, and the next lines' requests go all the same, the
    // image's answered 500, the video's submit answer lost: each outcome unknown.
    takeOver = (req, res) => {
      if (req.method !== "POST") return false;
      if (req.url!.startsWith("/v1/generate/") && existsSync(join(journalDir, "jobs.jsonl"))) {
        rmSync(journalDir, { recursive: true });
        writeFileSync(journalDir, "");
        res.destroy();
        return true;
      }
      if (!req.url!.startsWith("/v1/jobs/")) return false;
      res.destroy();
      return true;
    };
    const tries = images();
    const first = await run(["batch", file, "--out", out, "--no-json", "-c", "1"], { env: ownEnv });
    expect(first.code, first.stderr).toBe(1);
    expect(images(), first.stderr).toBe(tries + 2);
    const results = readFileSync(join(out, "results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(results.map((r) => [r.custom_id, r.status, r.outcome_unknown])).toEqual([
      ["a", "failed", true],
      ["f", "failed", true],
      ["v", "failed", true],
    ]);
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines.join("\n")}\n`);
    // Before: "--resume does not send the line again unless given --resubmit-unknown", and "in the journal only as a
    // submit whose outcome is unknown": the journal holds nothing of it, and --resume sends it again.
    const failed = results[1];
    expect(failed.error).toContain(
      "The journal could not record the request, so --resume, which cannot know that it was sent, sends the line again",
    );
    // An image's words: no job id to look up (before: "a job made this way is not in the journal").
    expect(failed.error).toContain("an image may have been made (and billed)");
    expect(failed.error).toContain("an image has no job id, so there is nothing to look up (no command can fetch it)");
    expect(failed.error).not.toContain("a job");
    expect(failed.error).not.toContain("--resubmit-unknown");
    // The summary: --resubmit-unknown for the line journaled alone; before, it was given for all three ("1 failed
    // line(s) may have made a job whose id never came back", "3 failed image line(s)"), and --resume sends two again.
    const again = printed(ownEnv, "batch", file, "--out", out, "--concurrency", "1", "--resume");
    expect(first.stdout).toContain(
      `1 failed image line(s) may have made an image (and billed it) that was not kept (the request's outcome is ` +
        `unknown), listed in ${join(out, "unknown.jsonl")}`,
    );
    expect(first.stdout).toContain(`To ask for another all the same (billed): ${again} --resubmit-unknown`);
    expect(first.stdout).toContain(
      "2 failed line(s) may have made a job or an image (and billed it) whose request the journal could not record " +
        `(its outcome is unknown), listed in ${join(out, "unknown.jsonl")}, not in errors.jsonl: --resume, which ` +
        "cannot know that they were sent, sends them again",
    );
    expect(first.stdout).not.toContain("may have made a job whose id never came back");
    expect(first.stdout.match(/--resubmit-unknown/g)).toHaveLength(1);
  });

  it("its journal compacted (past the size a command compacts it at): the printed resume command sends its line", async () => {
    const ownEnv = { ...env, DECART_JOURNAL: join(dir, "journal-compacted.jsonl") };
    const { out, resume } = await stopped("compacted", [image("c", "a reef")], "process", ownEnv);
    // Other commands' records that a compaction drops (single commands' submits, settled), past the 8 MiB at which
    // the next command that writes the journal compacts it: that command is the --resume.
    const filler: string[] = [];
    for (let i = 0, size = 0; size < 8.5 * 1024 * 1024; i++) {
      const submit_id = i.toString(16).padStart(16, "0");
      for (const event of ["submitting", "submit_settled"]) {
        const line = JSON.stringify({ at: "2026-12-06T00:00:00.000Z", event, submit_id, command: "video" });
        filler.push(line);
        size += line.length + 1;
      }
    }
    appendFileSync(ownEnv.DECART_JOURNAL, `${filler.join("\n")}\n`);

    const tries = images();
    // Pasted as printed: before, the compaction dropped the settled request, and --resume was refused ("no line of
    // this batch is in the journal"), exit 2.
    const resumed = await run(resume.split(" ").slice(1), { env: ownEnv });
    expect(resumed.code, resumed.stderr).toBe(0);
    const journal = readFileSync(ownEnv.DECART_JOURNAL, "utf8");
    expect(journal.split("\n")[0]).toContain('"event":"compacted"');
    expect(journal.length).toBeLessThan(4096);
    expect(images()).toBe(tries + 1);
    expect(existsSync(join(out, "c.png"))).toBe(true);
  });
});

/** An image request of the batch (once the emulator made the image). */
const isImage = (req: IncomingMessage) => req.method === "POST" && req.url!.startsWith("/v1/generate/");
const PAGE = "<!DOCTYPE html><html><body>Sign in to continue</body></html>";

describe("a batch line whose result was made (and billed) but not kept", () => {
  it("an image answered 200 with a page, cut after its 2xx, or whose write fails: in unknown.jsonl, not sent again", async () => {
    const out = join(dir, "out");
    const lines = [
      image("html", "a page as text/html"),
      image("page", "a page as bytes"),
      image("cut", "cut short"),
      image("disk", "a directory in the way"),
    ];
    const file = join(dir, "made.jsonl");
    writeFileSync(file, `${lines.join("\n")}\n`);
    env = { ...env, DECART_BASE_URL: proxy.url };
    // Each line's request is told apart by its order (one at a time): 1 answered with a page (text/html, which the
    // client refuses), 2 with a page sent as bytes of no type (which the CLI refuses: no image), 3 cut after its
    // headers, 4 answered with the image once a directory took the image's place.
    let n = 0;
    takeOver = (req, res) => {
      if (!isImage(req)) return false;
      n++;
      if (n <= 2) {
        const type = n === 1 ? "text/html" : "application/octet-stream";
        res.writeHead(200, { "content-type": type, "content-length": Buffer.byteLength(PAGE) });
        res.end(PAGE);
        return true;
      }
      if (n === 3) {
        res.writeHead(200, { "content-type": "image/png", "content-length": "100000" });
        res.write(Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
        setTimeout(() => res.destroy(), 20);
        return true;
      }
      mkdirSync(join(out, "disk.png"), { recursive: true });
      return false;
    };
    const first = await run(["batch", file, "--out", out, "-c", "1"], { env });
    expect(first.code, first.stderr).toBe(6);
    expect(n).toBe(4);
    expect(images()).toBe(4);
    // Before, the page and the directory sent their lines to errors.jsonl ("certainly made nothing: run them again").
    expect(existsSync(join(out, "errors.jsonl"))).toBe(false);
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines.join("\n")}\n`);
    const failed = events(first.stdout).filter((e) => e.type === "line_failed");
    expect(failed.map((e) => [e.custom_id, e.outcome_unknown])).toEqual([
      ["html", true],
      ["page", true],
      ["cut", true],
      ["disk", true],
    ]);
    const again = printed(env, "batch", file, "--out", out, "--concurrency", "1", "--resume");
    const [, page, , disk] = failed as [unknown, (typeof failed)[0], unknown, (typeof failed)[0]];
    expect(page.error).toContain('is not a PNG, JPEG or WebP image (content type "application/octet-stream"');
    expect(disk.error).toContain(`Could not write the image to ${join(out, "disk.png")} (EISDIR`);
    for (const e of [page, disk]) {
      expect(e.error).toContain(
        "the server answered the request with success, so an image was made (and billed" +
          (e.request_id ? `; support can find it by its request id, ${e.request_id}` : "") +
          "), but it was not kept: " +
          "--resume does not ask for it again (an image has no job id: no command can fetch it); to ask for another " +
          `all the same (billed): ${again} --resubmit-unknown`,
      );
    }

    // --resume asks for none of them again.
    rmSync(join(out, "disk.png"), { recursive: true });
    takeOver = undefined;
    const resumed = await run(["batch", file, "--out", out, "--concurrency", "1", "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(6);
    expect(images()).toBe(4);
    expect(readFileSync(join(out, "unknown.jsonl"), "utf8")).toBe(`${lines.join("\n")}\n`);
  });

  it("a video whose result is a page once its job completed: resumable (not in errors.jsonl), --resume downloads it", async () => {
    const out = join(dir, "out");
    const file = join(dir, "video.jsonl");
    writeFileSync(file, `${video("v", "a lake")}\n`);
    env = { ...env, DECART_BASE_URL: proxy.url };
    takeOver = (req, res) => {
      if (!(req.method === "GET" && /^\/v1\/jobs\/[^/]+\/content/.test(req.url!))) return false;
      // A page sent as bytes of no type: the client refuses it (INVALID_RESPONSE), before the CLI's own check.
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": Buffer.byteLength(PAGE) });
      res.end(PAGE);
      return true;
    };
    const first = await run(["batch", file, "--out", out], { env });
    expect(first.code, first.stderr).toBe(6);
    const failed = events(first.stdout).find((e) => e.type === "line_failed")!;
    expect(failed).toMatchObject({ custom_id: "v", resumable: true });
    expect(failed.outcome_unknown).toBeUndefined();
    expect(failed.error).toContain("an HTML or JSON page, not the media");
    expect(failed.error).toContain(`it stays on the server: ${printed(env, "batch", file, "--out", out, "--resume")}`);
    expect(existsSync(join(out, "errors.jsonl"))).toBe(false);
    expect(existsSync(join(out, "unknown.jsonl"))).toBe(false);

    takeOver = undefined;
    const resumed = await run(["batch", file, "--out", out, "--resume"], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(emu.stats().jobsCreated).toBe(1);
    expect(existsSync(join(out, "v.mp4"))).toBe(true);
  });
});
