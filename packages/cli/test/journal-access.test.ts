/**
 * A journal that is there but that the user cannot read or write (root's, 0600, left by one `sudo decart`): every
 * command that records a job refuses it before anything is sent (video and jobs submit paid for a job, then could not
 * record it), and one that only reads it says it cannot read it (not "cannot look up").
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { NOBODY, root, runAsOtherUser, SETPRIV, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f), { ownDir: true });

const RECORD = `${JSON.stringify({ at: "2026-01-01T00:00:00.000Z", job_id: "job_1", event: "submitted" })}\n`;

/**
 * A home whose default journal (`~/.local/state/decart/jobs.jsonl`) the user running the CLI (see `runAsOtherUser`)
 * can neither read nor write when `mode` is 0600 (root's), or cannot write (0400) nor read (0200) as its owner.
 */
function homeWithJournal(mode: number): { home: string; journal: string } {
  const home = join(dir, "home");
  const state = join(home, ".local", "state", "decart");
  mkdirSync(state, { recursive: true });
  const journal = join(state, "jobs.jsonl");
  writeFileSync(journal, RECORD);
  if (root) for (const p of [join(home, ".local"), join(home, ".local", "state"), state]) chownSync(p, NOBODY, NOBODY);
  if (root && mode !== 0o600) chownSync(journal, NOBODY, NOBODY);
  chmodSync(journal, mode);
  return { home, journal };
}

const noJournalGiven = () => ({ ...env, DECART_JOURNAL: undefined, XDG_STATE_HOME: undefined });

describe("a journal the user cannot read or write", () => {
  it.skipIf(root && !SETPRIV)(
    "one the user cannot write: video, jobs submit, jobs wait and batch refuse it, exit 2, nothing sent; the file kept",
    async () => {
      // As root, root's own 0600 file run as nobody; otherwise the user's own, made read-only.
      const { home, journal } = homeWithJournal(root ? 0o600 : 0o400);
      writeFileSync(join(home, "b.jsonl"), '{"custom_id":"a","prompt":"A lake"}\n');
      if (root) chownSync(join(home, "b.jsonl"), NOBODY, NOBODY);
      for (const args of [
        ["video", "A lake", "-o", "v.mp4"],
        ["jobs", "submit", "A lake"],
        ["jobs", "wait", "job_0123456789abcdef"],
        ["batch", "b.jsonl", "--out", "out"],
      ]) {
        const refused = await runAsOtherUser([...args, "--no-json"], { home, dir, env: noJournalGiven() });
        expect(refused.code, `${args[0]}: ${refused.stderr}`).toBe(2);
        expect(refused.stderr).toContain(`the journal ${journal}: cannot read and write it (EACCES: permission denied`);
        expect(refused.stderr).toContain("or give another journal with --journal or DECART_JOURNAL (nothing was sent)");
      }
      expect(emu.stats().requests.total).toBe(0);
      expect(readFileSync(journal, "utf8")).toBe(RECORD);
    },
  );

  it.skipIf(root && !SETPRIV)("one the user cannot read: jobs list says it cannot read it, exit 2", async () => {
    const { home, journal } = homeWithJournal(root ? 0o600 : 0o200);
    const refused = await runAsOtherUser(["jobs", "list", "--no-json"], { home, dir, env: noJournalGiven() });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`the journal ${journal}: cannot read it (EACCES: permission denied`);
    expect(refused.stderr).not.toContain("cannot look up");
  });

  it("names where the journal was given: --journal, DECART_JOURNAL, or neither (its default place)", async () => {
    // A journal that is a directory: refused by every command that writes it, naming it.
    const home = join(dir, "named");
    const journal = join(home, ".local", "state", "decart", "jobs.jsonl");
    mkdirSync(journal, { recursive: true });
    const given = join(home, "given");
    mkdirSync(given);
    const cases: Array<[Record<string, string | undefined>, string[], string]> = [
      [noJournalGiven(), [], `the journal ${journal}: `],
      [{ ...env, DECART_JOURNAL: given }, [], `the journal ${given} (DECART_JOURNAL): `],
      [noJournalGiven(), ["--journal", given], `the journal ${given} (--journal): `],
    ];
    for (const [vars, flags, named] of cases) {
      const { code, stderr } = await runAsOtherUser(["jobs", "submit", "A lake", ...flags, "--no-json"], {
        home,
        dir,
        env: vars,
      });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(named);
    }
    expect(emu.stats().requests.total).toBe(0);
  });
});
