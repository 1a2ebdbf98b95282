import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, JobTimeoutError, models } from "../src/index.js";
import { silent, useEmulatorClient, virtualTime } from "./helpers.js";

// A fetch wrapper of yours (a tracer's, a logger's) that fails with the request's headers in its words: the key it
// quotes is not in any error the client hands back, its cause chain included; what it said (minus the key) is.
const KEY = "dct_live_wrapped_0123456789abcdef";
const setup = useEmulatorClient({ keys: [KEY] });

/** Real fetch for a POST (the submit), a failure quoting the headers (the key among them) for the rest. */
const quoting: typeof fetch = async (url, init) => {
  if (init?.method === "POST") return fetch(url, init);
  const headers = Object.fromEntries(new Headers(init?.headers));
  const error: any = new TypeError(`fetch failed: headers ${JSON.stringify(headers)}`, {
    cause: new Error(`socket closed for ${headers["x-api-key"]}`),
  });
  error.request = { url: String(url), headers };
  throw error;
};

const client = (fetch = quoting) =>
  createDecartClient({ apiKey: KEY, baseUrl: setup.emu.url, logger: silent, fetch, poll: virtualTime() });

/** The error of a status read whose fetch throws what `make` makes of the request's headers and URL. */
const failedWith = (make: (headers: Headers, url: string) => unknown): Promise<any> =>
  client(async (url, init) => {
    throw make(new Headers(init?.headers), String(url));
  })
    .queue.status("job_1")
    .catch((e) => e);

function expectRedacted(error: unknown) {
  const text = inspect(error, { depth: 10 });
  expect(text).not.toContain(KEY);
  expect(JSON.stringify(error)).not.toContain(KEY);
  expect(String(error)).not.toContain(KEY);
  // The cause's words, the key cut out of them.
  expect(text).toContain("fetch failed: headers {");
  expect(text).toContain('"x-api-key":"[redacted]"');
  expect(text).toContain("socket closed for [redacted]");
}

describe("a fetch of yours whose failure quotes the request's headers", () => {
  it("leaves the key out of the ConnectionError, its cause and the cause's fields", async () => {
    const job = await client().queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "waves" });
    const error: any = await client()
      .queue.status(job.job_id)
      .catch((e) => e);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.cause.request.url).toContain(job.job_id);
    expectRedacted(error);
  });

  it("leaves it out of a watch's JobTimeoutError whose last request failed so", async () => {
    const error: any = await client()
      .queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "waves", timeoutMs: 2000 })
      .catch((e) => e);
    expect(JobTimeoutError.isInstance(error)).toBe(true);
    expect(ConnectionError.isInstance(error.cause)).toBe(true);
    expectRedacted(error);
  });

  it("keeps a failure that does not quote the key as it is", async () => {
    const thrown = new TypeError("fetch failed", { cause: new Error("other side closed") });
    const error = await failedWith(() => thrown);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(error.cause).toBe(thrown);
  });

  it("keeps one that does not quote the key as it is when its fields loop back (a socket's error pointing at itself)", async () => {
    const socketError: any = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
    socketError.socket = { error: socketError };
    const thrown: any = new TypeError("fetch failed", { cause: socketError });
    thrown.self = thrown;
    const error = await failedWith(() => thrown);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(error.cause).toBe(thrown);
    expect(error.cause.cause.code).toBe("UND_ERR_SOCKET");
  });
});

// What a fetch wrapper's error carries that JSON writes as `{}` or cannot write: printing it shows the key all the same.
describe("a fetch of yours whose failure carries the key where JSON does not write it", () => {
  const cases: Record<string, (headers: Headers, url: string) => unknown> = {
    "a Request (ky's TimeoutError)": (headers, url) =>
      Object.assign(new Error("Request timed out: GET"), {
        name: "TimeoutError",
        request: new Request(url, { headers }),
      }),
    "a Headers (its init.headers)": (headers) =>
      Object.assign(new TypeError("fetch failed: socket hang up"), { headers }),
    "a Map and a Set": (headers) =>
      Object.assign(new TypeError("fetch failed: socket hang up"), {
        sent: new Map([["headers", new Map(headers)]]),
        keys: new Set([headers.get("x-api-key")]),
      }),
    "a URL": (headers) =>
      Object.assign(new TypeError("fetch failed: socket hang up"), {
        url: new URL(`http://proxy.test/?key=${headers.get("x-api-key")}`),
      }),
    "an AggregateError's errors": (headers) =>
      new AggregateError(
        [new Error(`connect ECONNREFUSED with ${headers.get("x-api-key")}`)],
        "fetch failed: socket hang up",
      ),
    "a field of a symbol key (a ClientRequest's headers, [kOutHeaders])": (headers) =>
      Object.assign(new TypeError("fetch failed: socket hang up"), {
        request: { [Symbol("kOutHeaders")]: { "x-api-key": ["X-API-Key", headers.get("x-api-key")] } },
      }),
    "an Error in a field": (headers) =>
      Object.assign(new TypeError("fetch failed: socket hang up"), {
        original: new Error(`connect ECONNREFUSED with ${headers.get("x-api-key")}`),
      }),
  };
  for (const [name, make] of Object.entries(cases))
    it(`cuts the key out of ${name}, the words kept`, async () => {
      const error = await failedWith(make);
      expect(ConnectionError.isInstance(error)).toBe(true);
      const text = inspect(error, { depth: 10 });
      // Printed whole, the thrown error shows the key: the one the client hands back does not.
      expect(inspect(make(new Headers({ "x-api-key": KEY }), "http://a.test/"), { depth: 10 })).toContain(KEY);
      expect(text).not.toContain(KEY);
      expect(text).toMatch(/socket hang up|timed out/);
      expect(text).toContain("[redacted]");
    });

  const throwing = () => {
    throw new Error("not JSON");
  };
  it.each<[string, (thrown: any) => void]>([
    ["whose fields loop back", (thrown) => (thrown.self = thrown)],
    ["holding a BigInt", (thrown) => (thrown.size = 10n)],
    ["whose toJSON throws", (thrown) => (thrown.toJSON = throwing)],
    ["holding a field whose toJSON throws", (thrown) => (thrown.body = { toJSON: throwing })],
  ])("cuts the key out of one %s, its class and other fields kept", async (_, more) => {
    const error = await failedWith((headers) => {
      const thrown = Object.assign(new TypeError(`fetch failed for ${headers.get("x-api-key")}`), {
        code: "ECONNRESET",
      });
      more(thrown);
      return thrown;
    });
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.cause.code).toBe("ECONNRESET");
    expect(error.cause.message).toBe("fetch failed for [redacted]");
    expect(inspect(error, { depth: 10 })).not.toContain(KEY);
  });
});
