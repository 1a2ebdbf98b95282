/**
 * What a client learns of a model's job durations, in virtual time: jobs driven through `queue.createWatch` on a clock
 * that moves only as the watch says, the schedule's context (`typicalMs`, `spread`) recorded. Durations no job can have
 * (past the server's 10-minute job timeout) are not learnt, and one outlier moves the estimate only a little.
 */
import type { JobStatusResponse } from "@decart/api";
import { expect, it } from "vitest";
import { adaptiveSchedule, createDecartClient, type PollContext } from "../src/index.js";

const model = "lucy-pro-t2v";
const T = 40_000;

/**
 * A client (no server behind it) on the clock `now`, whose schedule keeps what each read is told and waits 1 s (or as
 * `wait` says).
 */
function onClock(now: () => number, wait: (ctx: PollContext) => number = () => 1000) {
  const seen: PollContext[] = [];
  const client = createDecartClient({
    apiKey: "dct_test",
    baseUrl: "http://127.0.0.1:9",
    poll: {
      now,
      schedule: (ctx) => {
        seen.push(ctx);
        return wait(ctx);
      },
    },
  });
  return { client, seen };
}

/**
 * A client on a virtual clock, and a job runner: `took` is what the job's timestamps claim, `attach` without `first`.
 * `run` answers how many status reads the job took.
 */
function lab(wait?: (ctx: PollContext) => number) {
  let t = Date.parse("2026-12-06T00:00:00Z");
  let n = 0;
  const { client, seen } = onClock(() => t, wait);
  const iso = (ms: number) => new Date(ms).toISOString();
  const run = (durationMs: number, { took, attach }: { took?: number; attach?: boolean } = {}) => {
    const created = t;
    const job_id = `job_${++n}`;
    const job = (): JobStatusResponse => {
      const done = t - created >= durationMs;
      return {
        job_id,
        model,
        status: done ? "completed" : "processing",
        created_at: iso(created),
        updated_at: iso(done ? created + (took ?? durationMs) : t),
      } as JobStatusResponse;
    };
    const first = { job_id, status: "pending", created_at: iso(created) } as JobStatusResponse;
    const watch = client.queue.createWatch(job_id, { model, download: false, ...(attach ? {} : { first }) });
    let step = watch.start();
    let reads = 0;
    while ("read" in step.next) {
      reads++;
      t += step.next.read;
      step = watch.status({ job: job(), date: t });
    }
    expect(step.next).toEqual({ done: true });
    return reads;
  };
  /** What the schedule is told of the model at the next job's first read. */
  const learnt = () => {
    run(T);
    return seen.at(-1)!;
  };
  return { run, learnt };
}

it("a job whose timestamps say 20 hours (or 30 minutes) teaches nothing: no job runs past the server's timeout", () => {
  for (const took of [20 * 3_600_000, 30 * 60_000]) {
    const plain = lab();
    const odd = lab();
    for (const l of [plain, odd]) for (let i = 0; i < 16; i++) l.run(T + 50 * i);
    odd.run(5_000, { attach: true, took });
    const [a, b] = [plain.learnt(), odd.learnt()];
    expect(b.typicalMs).toBeCloseTo(a.typicalMs, -1);
    expect(b.spread).toBeCloseTo(a.spread!, 3);
  }
});

for (const [name, duration] of [
  ["0.3 s", 300],
  ["8 times as long", 8 * T],
] as const) {
  it(`one real job of ${name} among jobs of 40 s moves the estimate a little: its expected duration and spread`, () => {
    const l = lab();
    for (let i = 0; i < 16; i++) l.run(T + 50 * i);
    const before = l.learnt();
    l.run(duration);
    const after = l.learnt();
    // One job counts as at most 3 standard deviations away (in ln(duration)), with a weight of 1/16: the expected
    // duration moves by 3/16 of the spread at most, and the spread grows by a factor √(15/16 · (1 + 9/16)) ≈ 1.21 at
    // most (unclamped, ln(typicalMs) moved by 0.13 for the 8-times job, 0.31 for the 0.3 s one).
    expect(Math.abs(Math.log(after.typicalMs / before.typicalMs))).toBeLessThan((3 / 16) * before.spread! * 1.001);
    expect(after.spread!).toBeLessThan(before.spread! * 1.22);
  });
}

/** A watch of a job submitted elsewhere 2 s before (no `first`), its answers' `Date` `offMs` ahead: the job's age. */
function ageSeen(offMs: number) {
  let t = Date.parse("2026-12-06T00:00:00Z");
  const created = t;
  t += 2_000;
  const { client, seen } = onClock(() => t);
  const watch = client.queue.createWatch("job_1", { model, download: false });
  const step = watch.start();
  t += (step.next as { read: number }).read;
  watch.status({
    job: { job_id: "job_1", model, status: "processing", created_at: new Date(created).toISOString() },
    date: Math.floor((t + offMs) / 1000) * 1000,
  });
  return seen[0]!.elapsedMs;
}

it("a `Date` 15 minutes to 23 hours off does not make a fresh job look old: the watch counts from when it began", () => {
  // A true `Date`: the job's age by the server's clock (2 s, to the second).
  expect(ageSeen(0)).toBeGreaterThanOrEqual(1_500);
  expect(ageSeen(0)).toBeLessThanOrEqual(2_500);
  // No unfinished job is older than the server's job timeout: such an age is not believed.
  for (const off of [15 * 60_000, 3_600_000, 23 * 3_600_000]) expect(ageSeen(off)).toBeLessThan(1_000);
});

it("jobs that end a few ms after they were made do not make the default schedule read a long job without pause", () => {
  // The default schedule, its jitter fixed. The first 3 ms job makes the spread over 4 (the catalogue expects 40 s):
  // taken as it was, the dense reads near the expected end (every 50 ms or so) spanned the whole 90 s job, or (a few
  // jobs in) the early reads came every 0.5 to 1 s. With nothing learnt, it is read 53 times.
  const wait = (ctx: PollContext) => adaptiveSchedule(ctx, () => 0.5);
  const fresh = lab(wait).run(90_000);
  for (const jobs of [1, 2, 5, 20]) {
    const l = lab(wait);
    for (let i = 0; i < jobs; i++) l.run(3);
    expect(l.run(90_000)).toBeLessThanOrEqual(1.6 * fresh);
  }
});
