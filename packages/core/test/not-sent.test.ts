import dns from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { instantDelay, serve, silent } from "./helpers.js";

// A submit whose connection failed before anything was sent (a name that did not resolve, a TLS handshake that failed
// on the server's first record) made no job: through fetch as through nodeUpload, a retryable CONNECTION_ERROR, tried
// again under the policy, never SUBMIT_OUTCOME_UNKNOWN ("a job may exist").
let plain: Awaited<ReturnType<typeof serve>>;
// No name ending in `.invalid` resolves, without asking the machine's resolver (which may be slow, offline, or answer
// every name): `dns.lookup`, which the connections of both roads use, fails for it as getaddrinfo does (ENOTFOUND).
const realLookup = dns.lookup;
beforeAll(async () => {
  plain = await serve((_, res) => {
    res.end();
  });
  (dns as { lookup: unknown }).lookup = (hostname: string, options: unknown, callback?: unknown) => {
    if (!String(hostname).endsWith(".invalid"))
      return (realLookup as (...args: unknown[]) => void)(hostname, options, callback);
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: "ENOTFOUND",
      syscall: "getaddrinfo",
      hostname,
    });
    process.nextTick((typeof options === "function" ? options : callback) as (error: Error) => void, error);
  };
});
afterAll(() => {
  dns.lookup = realLookup;
  return plain.close();
});

const submit = async (baseUrl: string, upload: boolean) => {
  const delay = instantDelay();
  const client = createDecartClient({
    apiKey: "k",
    baseUrl,
    logger: silent,
    maxRetries: 1,
    poll: { delay },
    ...(upload && { upload: nodeUpload() }),
  });
  const error = await client.queue
    .submit({ model: models.video("lucy-pro-t2v"), prompt: "nothing sent" })
    .catch((e: unknown) => e);
  return { error: error as ConnectionError, retries: delay.calls.length };
};

describe.each([
  ["fetch", false],
  ["nodeUpload", true],
])("a submit that sent nothing, through %s", (_, upload) => {
  it("a name that did not resolve: retryable CONNECTION_ERROR, tried again", async () => {
    const { error, retries } = await submit("http://no-such-host.invalid", upload);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_ERROR", retryable: true });
    expect(error.message).toMatch(/connection failed \(ENOTFOUND\)$/);
    expect(retries).toBe(1);
  });

  it("a TLS handshake that failed on its first record (https to an http server): retryable, nothing arrived", async () => {
    const before = plain.arrived();
    const { error, retries } = await submit(plain.url.replace("http:", "https:"), upload);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_ERROR", retryable: true });
    expect(error.message).toContain("WRONG_VERSION_NUMBER");
    expect(retries).toBe(1);
    expect(plain.arrived()).toBe(before);
  });
});
