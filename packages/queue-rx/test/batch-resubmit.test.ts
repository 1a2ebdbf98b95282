// submitAll is cold: each subscription submits the whole batch again. The README's two ways to keep the jobs paid
// for, run as it writes them against the emulator, counting the jobs it made.
import { readFileSync } from "node:fs";
import { models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { lastValueFrom, ReplaySubject, retry, share, toArray } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
/** Whether the README holds `code`, whitespace aside. */
const inReadme = (code: string) => readme.includes(code.replace(/\s+/g, " ").trim());

const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<any>;

/** Four clips, the last of which the emulator fails. */
const clips = ["a", "b", "c", "d [fail]"].map((prompt) => ({ id: `clip-${prompt[0]}`, prompt }));
const inputs = clips.map((c) => ({ model: models.video("lucy-pro-t2v"), prompt: c.prompt }));

describe("submitAll subscribed again submits the batch again (the README's warning)", () => {
  it("a retry(2) after a failFast batch of 4 with one failing makes 12 jobs", async () => {
    emu = await startFast();
    const batch$ = submitAll(clientFor(emu), inputs, { concurrency: 4, failFast: true, download: false });
    const error = await lastValueFrom(batch$.pipe(retry(2))).catch((e) => e);
    expect(error).toMatchObject({ code: "JOB_FAILED" });
    expect(emu.stats().jobsCreated).toBe(12);
  });
});

describe("the README's recipes keep the jobs paid for", () => {
  it("shared without reset, with a ReplaySubject() of no bound: a second subscriber hears every event, and a retry() the same error; one job per input", async () => {
    expect(inReadme("share it without reset as `submitJob` above, with a `ReplaySubject()` of no bound")).toBe(true);
    emu = await startFast();
    const batch$ = submitAll(clientFor(emu), inputs, { concurrency: 4, failFast: true, download: false }).pipe(
      share({
        connector: () => new ReplaySubject(),
        resetOnComplete: false,
        resetOnError: false,
        resetOnRefCountZero: false,
      }),
    );
    const heard: unknown[] = [];
    const error = await lastValueFrom(batch$.pipe(retry(2))).catch((e) => e);
    expect(error).toMatchObject({ code: "JOB_FAILED" });
    // A late subscriber: the same events, the same error, nothing submitted.
    batch$.subscribe({ next: (event) => heard.push(event), error: (e) => heard.push(e) });
    expect(heard.at(-1)).toBe(error);
    expect(heard.length).toBeGreaterThan(1);
    expect(emu.stats().jobsCreated).toBe(4);
    // Without failFast, subscribed twice in a row: the second hears the batch the first did.
    const again$ = submitAll(clientFor(emu), inputs.slice(0, 3), { download: false }).pipe(
      share({
        connector: () => new ReplaySubject(),
        resetOnComplete: false,
        resetOnError: false,
        resetOnRefCountZero: false,
      }),
    );
    const first = await lastValueFrom(again$.pipe(toArray()));
    expect(await lastValueFrom(again$.pipe(toArray()))).toEqual(first);
    expect(emu.stats().jobsCreated).toBe(4 + 3);
  });

  /** The README's code, as it writes it, run on `client`, the clips and `show`: the inputs left to do after it. */
  const runRecipe = async (client: ReturnType<typeof clientFor>, show: (video: Blob | undefined) => void) => {
    const recipe = `
    let todo = clips.map((c) => ({ key: c.id, input: { model: models.video("lucy-pro-t2v"), prompt: c.prompt } }));
    for (let round = 0; round < 3 && todo.length > 0; round++) {
      const events = await lastValueFrom(submitAll(client, todo).pipe(toArray()));
      for (const e of events) if (e.type === "event" && e.event.type === "completed") show(e.event.data);
      // A job that failed, or an input that surely made none (an error without a job id that a retry cannot make a
      // second job from: not SUBMIT_OUTCOME_UNKNOWN): submitted again next round.
      const again = new Set(
        events
          .filter((e) => (e.type === "error" ? !e.error.jobId && e.error.retryable : e.event.type === "failed"))
          .map((e) => e.key),
      );
      todo = todo.filter((item) => again.has(item.key));
    }`;
    expect(inReadme(recipe)).toBe(true);
    const names = ["client", "clips", "models", "submitAll", "lastValueFrom", "toArray", "show"];
    const todo: { key: string }[] = await new AsyncFunction(...names, `${recipe}\nreturn todo;`)(
      client,
      clips,
      models,
      submitAll,
      lastValueFrom,
      toArray,
      show,
    );
    return todo;
  };

  it("submitting again only the inputs whose job failed: each video is shown once, and the failing one is submitted once a round", async () => {
    emu = await startFast();
    const shown: (Blob | undefined)[] = [];
    const todo = await runRecipe(clientFor(emu), (video) => shown.push(video));
    // Each clip that completed, once.
    expect(shown).toHaveLength(3);
    expect(shown.every((video) => video instanceof Blob)).toBe(true);
    expect(todo.map((item) => item.key)).toEqual(["clip-d"]);
    // 4 in the first round, then the failing clip alone in each of the two others.
    expect(emu.stats().jobsCreated).toBe(4 + 1 + 1);
  });

  it("a submit of unknown outcome (a 500) is not submitted again: it may have made a paid job", async () => {
    emu = await startFast({ faults: [{ route: "submit", kind: "500" }] });
    const todo = await runRecipe(clientFor(emu), () => {});
    // Each input sent once, in the first round: none is left to do, none sent again.
    expect(emu.stats().requests.byRoute.submit).toBe(4);
    expect(todo).toEqual([]);
  });
});
