/**
 * A watch's `first` that cannot be read (a getter of `job_id` or `status` that throws, its own or inherited from a
 * class, a Proxy whose `get`, `ownKeys` or
 * `getOwnPropertyDescriptor` trap throws, a revoked Proxy) is refused as such, naming `first`, by `createWatch` and
 * `checkWatchOptions` alike, and `checkJob` says the same of it (`not a value that can be read`): not as an answer
 * missing its `job_id` (the read error was swallowed), nor taken by one and refused by the other. One that spreading
 * reads whole (a Proxy whose `has` trap throws) is taken by all three. Nothing is sent: a client with no server.
 */
import { describe, expect, it } from "vitest";
import {
  checkJob,
  checkWatchOptions,
  createDecartClient,
  createJobWatch,
  type DecartError,
  InvalidInputError,
  InvalidResponseError,
} from "../src/index.js";
import { silent } from "./helpers.js";

const client = createDecartClient({ apiKey: "k", baseUrl: "http://127.0.0.1:9", logger: silent });
const answer = () => ({ job_id: "j1", status: "pending" });
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable(answer(), {});
  revoke();
  return proxy;
};
const trap = (name: string) => () => {
  throw new Error(`no ${name}`);
};

describe("a watch's first that cannot be read", () => {
  it.each([
    [
      "a getter that throws",
      () => ({
        status: "pending",
        get job_id(): string {
          throw new Error("boom");
        },
      }),
    ],
    [
      "a status getter that throws",
      () => ({
        job_id: "j1",
        get status(): string {
          throw new Error("boom");
        },
      }),
    ],
    [
      "an inherited job_id getter (a class's) that throws",
      () =>
        new (class {
          status = "pending";
          get job_id(): string {
            throw new Error("not loaded");
          }
        })(),
    ],
    [
      "an inherited status getter (a class's) that throws",
      () =>
        new (class {
          job_id = "j1";
          get status(): string {
            throw new Error("not loaded");
          }
        })(),
    ],
    ["a Proxy whose get throws", () => new Proxy(answer(), { get: trap("get") })],
    ["a Proxy whose ownKeys throws", () => new Proxy(answer(), { ownKeys: trap("ownKeys") })],
    [
      "a Proxy whose getOwnPropertyDescriptor throws",
      () => new Proxy(answer(), { getOwnPropertyDescriptor: trap("getOwnPropertyDescriptor") }),
    ],
    ["a revoked Proxy", revoked],
  ])("%s: refused as a value that cannot be read, naming first; checkJob says so", (_, make) => {
    expect(checkJob(make(), "j1")).toBe("not a value that can be read");
    expect(checkJob(make())).toBe("not a value that can be read");
    for (const call of [
      () => client.queue.createWatch("j1", { first: make() as never, download: false }),
      () => checkWatchOptions({ first: make() }),
    ]) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({
        field: "first",
        message: 'Invalid options: "first" must be a value that can be read',
      });
    }
  });

  it("a field other than job_id and status whose getter throws (own, or a class getter) is left out, the rest taken", () => {
    class Job {
      job_id = "j1";
      status = "pending";
      get extra(): string {
        throw new Error("not loaded");
      }
    }
    const own = () => ({
      ...answer(),
      get debugInfo(): string {
        throw new Error("not loaded");
      },
    });
    // (A field of the spec that only informs, not job_id or status, is left out too.)
    const model = () => ({
      ...answer(),
      get model(): string {
        throw new Error("not loaded");
      },
    });
    for (const make of [own, () => new Job(), model]) {
      expect(checkJob(make(), "j1")).toBeUndefined();
      expect(checkWatchOptions({ first: make() }).first).toEqual(answer());
      expect(() => client.queue.createWatch("j1", { first: make() as never, download: false })).not.toThrow();
    }
  });

  it("a Proxy whose has trap throws, read whole by a spread, is taken", () => {
    const first = () => new Proxy(answer(), { has: trap("has") });
    expect(checkJob(first(), "j1")).toBeUndefined();
    expect(checkWatchOptions({ first: first() }).first).toEqual(answer());
    expect(() => client.queue.createWatch("j1", { first: first() as never, download: false })).not.toThrow();
  });

  it("a status read that cannot be read is a failed read saying so (retried), not a throw nor a missing job_id", () => {
    for (const job of [new Proxy(answer(), { get: trap("get") }), new Proxy(answer(), { ownKeys: trap("ownKeys") })]) {
      const watch = createJobWatch({ jobId: "j1", now: () => 0, schedule: () => 1000, random: () => 0.5 });
      watch.start();
      const step = watch.status({ job: job as never });
      const { error } = step.events.find((e) => e.type === "retrying") as { error: DecartError };
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ message: "Job j1: not a value that can be read", retryable: true });
    }
  });
});
