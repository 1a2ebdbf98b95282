import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Emulator } from "@decart/emulator";
import { HttpsProxyAgent } from "https-proxy-agent";
import { ProxyAgent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, type DecartClientOptions, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { clientFor, instantDelay, startFast } from "./helpers.js";

// A proxy that refuses every tunnel (CONNECT) with `status`: 407 (credentials wanted), 403 (a host not allowed), 502
// (the API not reached). Nothing reaches the API: the error says the proxy refused and nothing was sent (never that a
// job may exist, never the API's 403), tried again only for a 5xx.
let emu: Emulator;
let proxy: Server;
let proxyUrl: string;
let status = 407;
let connects = 0;
beforeAll(async () => {
  emu = await startFast();
  proxy = createServer((_req, res) => res.writeHead(500).end());
  proxy.on("connect", (_req, socket) => {
    connects++;
    // 200: the tunnel opens, and the proxy (a filter of the host a TLS ClientHello names) resets it at its first bytes.
    if (status === 200) {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      socket.once("data", () => (socket as Socket).resetAndDestroy());
    } else socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
  await new Promise<void>((ok) => proxy.listen(0, "127.0.0.1", ok));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy.closeAllConnections();
  proxy.close();
  await emu.close();
});

const roads: [string, () => DecartClientOptions][] = [
  [
    "fetch with undici's ProxyAgent",
    () => {
      const dispatcher = new ProxyAgent(proxyUrl);
      return { fetch: (url, init) => undiciFetch(url as string, { ...(init as object), dispatcher }) as never };
    },
  ],
  // (An https:// baseUrl: the agent opens a tunnel for it; the proxy refuses before any TLS.)
  ["nodeUpload({ agent: HttpsProxyAgent })", () => ({ upload: nodeUpload({ agent: new HttpsProxyAgent(proxyUrl) }) })],
];

describe.each(roads)("a proxy refusing the tunnel, through %s", (road, options) => {
  const client = () =>
    clientFor(emu, {
      ...options(),
      baseUrl: road.startsWith("node") ? emu.url.replace("http:", "https:") : emu.url,
      poll: { delay: instantDelay() },
    });
  const submit = () => client().queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake" });

  it.each([407, 403])("%i: a submit and a status read fail once, saying nothing was sent, not retried", async (s) => {
    status = s;
    for (const call of [submit, () => client().queue.status("job_abc")]) {
      connects = 0;
      const error = await call().catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "CONNECTION_ERROR", retryable: false });
      expect(error.message).toContain(
        `the proxy refused (HTTP ${s}), nothing was sent, not retried: check its credentials and rules`,
      );
      expect(connects).toBe(1);
    }
  });

  it("502: a submit is tried again (maxRetries), never said to have made a job", async () => {
    status = 502;
    connects = 0;
    const error = await submit().catch((e) => e);
    expect(error).toMatchObject({ name: "ConnectionError", code: "CONNECTION_ERROR", retryable: true });
    expect(error.message).toMatch(/: the proxy refused \(HTTP 502\), nothing was sent$/);
    expect(connects).toBe(3);
  });
});

describe("a tunnel reset before its TLS handshake ends (a proxy's filter at the ClientHello), through nodeUpload({ agent })", () => {
  it("sent nothing: a submit is tried again (maxRetries), never said to have made a job", async () => {
    status = 200;
    connects = 0;
    const client = clientFor(emu, {
      upload: nodeUpload({ agent: new HttpsProxyAgent(proxyUrl) }),
      baseUrl: emu.url.replace("http:", "https:"),
      poll: { delay: instantDelay() },
    });
    const error = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake" }).catch((e) => e);
    expect(error).toMatchObject({ name: "ConnectionError", code: "CONNECTION_ERROR", retryable: true });
    expect(error.message).not.toContain("may exist");
    expect(connects).toBe(3);
  });
});
