/**
 * The rate-limited server the rate-limit tests run against (test-utils' `rateLimitedServer`), refusing its first
 * `refuse` requests: what the tests built on it take it to do. Its `now` is asked as each POST comes, before it is
 * answered: the test learns there that one came, and reads what the server answered so far once it was handled.
 */
import { rateLimitedServer } from "test-utils";
import { afterEach, describe, expect, it } from "vitest";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("rateLimitedServer refusing the first requests", () => {
  it("holds the first `together` refused until the last of them came, then answers them at once; the rest as they come", async () => {
    let came = () => {};
    const server = await rateLimitedServer(
      { refuse: 3, together: 2 },
      {
        now: () => {
          came();
          return 0;
        },
      },
    );
    close = server.close;
    /** Sends a POST; resolves, with its answer to come, once the server handled it. */
    const post = async (i: number) => {
      const handled = new Promise<void>((resolve) => (came = resolve));
      const answer = fetch(`${server.url}/v1/jobs/x`, { method: "POST", body: `input-${i}` });
      await handled;
      return { answer };
    };
    const first = await post(0);
    // Held: no 429 written while the second of the two has not come.
    expect(server.limited()).toBe(0);
    const second = await post(1);
    expect(server.limited()).toBe(2);
    expect([(await first.answer).status, (await second.answer).status]).toEqual([429, 429]);
    // The third refused, past the first two: answered as it comes. The fourth taken.
    const third = await post(2);
    expect(server.limited()).toBe(3);
    expect((await third.answer).status).toBe(429);
    expect((await (await post(3)).answer).status).toBe(200);
    expect([server.made(), server.seen.posts]).toEqual([1, 4]);
  });

  it("with `limitReads`, counts the reads with the POSTs among the first `refuse`", async () => {
    const server = await rateLimitedServer({ refuse: 2 }, { limitReads: true });
    close = server.close;
    const read = async () => (await fetch(`${server.url}/v1/jobs/job_1`)).status;
    const post = async () => (await fetch(`${server.url}/v1/jobs/x`, { method: "POST", body: "input-0" })).status;
    // A read and a POST refused (the first two), then both taken: no POST needed past `refuse` for a read to pass.
    expect([await read(), await post(), await read(), await post(), await read()]).toEqual([429, 429, 200, 200, 200]);
    expect([server.limited(), server.made()]).toEqual([2, 1]);
  });

  it("refuses a `together` greater than `refuse` (it would hold them for ever), naming both", async () => {
    await expect(rateLimitedServer({ refuse: 2, together: 3 })).rejects.toThrow(
      /together \(3\) is more than refuse \(2\).*give together at most refuse/,
    );
  });
});
