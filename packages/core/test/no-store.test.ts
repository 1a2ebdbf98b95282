import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { models } from "../src/index.js";
import { clientFor, useEmulatorClient } from "./helpers.js";

// A fetch that caches GETs unless told not to, as Next.js 14's patched global fetch does in server components (unless
// `cache: "no-store"` or `next: { revalidate: 0 }`): a watch read the first `pending` again and again, to its timeout.
// The client asks every request not to be stored, where the runtime's Request has the option (Node's has).
// Jobs long enough to be read more than once.
const ctx = useEmulatorClient({ timing: { pendingMs: 300, processingMs: 300 } });
const real = globalThis.fetch;
const served: string[] = [];
beforeEach(() => {
  const cache = new Map<string, { body: ArrayBuffer; status: number; headers: [string, string][] }>();
  served.length = 0;
  globalThis.fetch = async (input, init = {}) => {
    const method = (init.method ?? "GET").toUpperCase();
    if (method !== "GET" || init.cache === "no-store" || init.cache === "no-cache") return real(input, init);
    const key = String(input);
    if (!cache.has(key)) {
      const r = await real(input, init);
      cache.set(key, { body: await r.arrayBuffer(), status: r.status, headers: [...r.headers] });
    } else served.push(key);
    const c = cache.get(key)!;
    return new Response(c.body, { status: c.status, headers: c.headers });
  };
});
afterEach(() => {
  globalThis.fetch = real;
});

describe("a global fetch that caches GETs by default (Next.js 14's)", () => {
  it("never answers from its cache: a watch sees the job end", async () => {
    expect("cache" in Request.prototype).toBe(true);
    const done = await ctx.client.queue.submitAndPoll({
      model: models.video("lucy-pro-t2v"),
      prompt: "a lake",
      timeoutMs: 10_000,
    });
    expect(done.status).toBe("completed");
    expect(served).toEqual([]);
  });
});

describe("a runtime whose Request has no `cache` (Cloudflare Workers before `cache_option_enabled`)", () => {
  it("is not given the option, which its fetch refuses", async () => {
    const request = globalThis.Request;
    const refusing: typeof fetch = (input, init) =>
      init && "cache" in init
        ? Promise.reject(new Error("The 'cache' field on 'RequestInitializerDict' is not implemented."))
        : real(input, init);
    globalThis.Request = function Request() {} as never;
    let client: ReturnType<typeof clientFor>;
    try {
      client = clientFor(ctx.emu, { fetch: refusing });
    } finally {
      globalThis.Request = request;
    }
    const done = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "a lake" });
    expect(done.status).toBe("completed");
  });
});
