/**
 * `checkJob` and a watch's `first` read what they are given and never change it: a frozen submit answer is checked and
 * watched as any other, and an answer that the client reads differently from how it was given (a numeric `job_id`, a
 * failed job's `error` as an object, a `created_at` of another type than the spec's) is the same object afterwards.
 */
import { describe, expect, it } from "vitest";
import { checkJob, createDecartClient } from "../src/index.js";
import { silent } from "./helpers.js";

// A submit answer that the client reads otherwise than it is written: each field the check would set or drop.
const odd = () => ({
  job_id: 12345,
  status: "failed",
  error: { code: "E", message: "boom" },
  created_at: 5,
  model: { name: "x" },
});

describe("checkJob", () => {
  it("checks a frozen answer (no TypeError) and leaves the caller's object as it was", () => {
    const frozen = Object.freeze(odd());
    expect(checkJob(frozen, "12345")).toBeUndefined();
    const given = odd();
    expect(checkJob(given, "12345")).toBeUndefined();
    expect(given).toEqual(odd());
    expect(checkJob(Object.freeze({ job_id: "j1", status: "queued" }), "j1")).toMatch(/status/);
  });

  it("reads the spec's fields of a job status however they are given: a class's getters, a field not enumerable", () => {
    class Answer {
      constructor(readonly status: string) {}
      get job_id() {
        return "j1";
      }
    }
    expect(checkJob(new Answer("pending"), "j1")).toBeUndefined();
    // (Read, not taken as given: its status is checked.)
    expect(checkJob(new Answer("queued"), "j1")).toMatch(/"status" must be one of/);
    const hidden = Object.defineProperty({ status: "pending" }, "job_id", { value: "j1" });
    expect(checkJob(hidden, "j1")).toBeUndefined();
    expect(checkJob(hidden, "j2")).toBe("no job_id j2");
  });
});

describe("createWatch's first", () => {
  const client = createDecartClient({ apiKey: "dct_first_key_0123456789abcdef", logger: silent });

  it("a frozen first is watched, and the caller's object is the same afterwards", () => {
    const frozen = Object.freeze(odd());
    const step = client.queue.createWatch("12345", { first: frozen as never, download: false }).start();
    expect(step.events.map((e) => e.type)).toEqual(["submitted", "failed"]);
    expect(step.events[1]).toMatchObject({ jobId: "12345", error: "boom", job: { job_id: "12345", error: "boom" } });
    const given = odd();
    client.queue.createWatch("12345", { first: given as never, download: false }).start();
    expect(given).toEqual(odd());
  });

  it("is read as checkJob reads an answer: a class's getters, a field not enumerable", () => {
    class Answer {
      constructor(readonly status: string) {}
      get job_id() {
        return "j1";
      }
      get error() {
        return "boom";
      }
    }
    const hidden = Object.defineProperty({ status: "failed", error: "boom" }, "job_id", { value: "j1" });
    for (const first of [new Answer("failed"), hidden]) {
      expect(checkJob(first, "j1")).toBeUndefined();
      const step = client.queue.createWatch("j1", { first: first as never, download: false }).start();
      expect(step.events.map((e) => e.type)).toEqual(["submitted", "failed"]);
      expect(step.events[1]).toMatchObject({ jobId: "j1", error: "boom", job: { job_id: "j1", status: "failed" } });
    }
    // (Read, not taken as given: its status is checked, as checkJob checks it.)
    expect(() => client.queue.createWatch("j1", { first: new Answer("queued") as never })).toThrow(
      /"first" must be job j1's submit answer \("status" must be one of/,
    );
  });
});
