/**
 * A watch's `first` that cannot be read (a getter that throws, a Proxy whose `get` or `ownKeys` trap throws, a revoked
 * Proxy) is refused as such, naming `first`, by `createWatch` and `checkWatchOptions` alike: not as an answer missing
 * its `job_id` (the read error was swallowed), nor answered by `checkWatchOptions` without it. One that spreading reads
 * whole (a Proxy whose `has` trap throws) is taken. Nothing is sent: a client with no server.
 */
import { describe, expect, it } from "vitest";
import { checkWatchOptions, createDecartClient, InvalidInputError } from "../src/index.js";
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
    ["a Proxy whose get throws", () => new Proxy(answer(), { get: trap("get") })],
    ["a Proxy whose ownKeys throws", () => new Proxy(answer(), { ownKeys: trap("ownKeys") })],
    ["a revoked Proxy", revoked],
  ])("%s: refused as a value that cannot be read, naming first", (_, make) => {
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

  it("a field of no job status whose getter throws (own, or on a class's prototype) is left out, the rest taken", () => {
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
    for (const make of [own, () => new Job()]) {
      expect(checkWatchOptions({ first: make() }).first).toEqual(answer());
      expect(() => client.queue.createWatch("j1", { first: make() as never, download: false })).not.toThrow();
    }
  });

  it("a Proxy whose has trap throws, read whole by a spread, is taken", () => {
    const first = () => new Proxy(answer(), { has: trap("has") });
    expect(checkWatchOptions({ first: first() }).first).toEqual(answer());
    expect(() => client.queue.createWatch("j1", { first: first() as never, download: false })).not.toThrow();
  });
});
