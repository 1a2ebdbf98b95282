import { readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import type { Emulator } from "@decart/emulator";
import { HttpsProxyAgent } from "https-proxy-agent";
import * as undici from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DecartClient, type DecartClientOptions, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { clientFor, startFast } from "./helpers.js";

// The README's "Behind a company proxy" recipes, run as they are written (their imports given), against the emulator
// through a proxy on loopback (CONNECT tunnels, and requests sent to it whole) and a gateway that wants a header.
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## Behind a company proxy"), readme.indexOf("## Polling defaults"));
const recipes = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/^import .*\n/gm, ""));

let emu: Emulator;
let proxy: Server;
let gateway: Server;
let proxyUrl: string;
const seen: string[] = [];
const tokens: (string | undefined)[] = [];
beforeAll(async () => {
  emu = await startFast();
  proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const up = request(req.url!, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    req.pipe(up);
  });
  proxy.on("connect", (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(":");
    const up = connect(Number(port), host!, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      up.write(head);
      up.pipe(socket).on("error", () => {});
      socket.pipe(up).on("error", () => {});
    });
    up.on("error", () => socket.destroy());
    socket.on("error", () => up.destroy());
  });
  gateway = createServer((req, res) => {
    tokens.push(req.headers["x-gateway-token"] as string | undefined);
    const target = new URL(req.url!, emu.url);
    req.pipe(
      request(target, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      }),
    );
  });
  for (const server of [proxy, gateway]) await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  Object.assign(process.env, { HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, NO_PROXY: "", GATEWAY_TOKEN: "gw-1" });
});
afterAll(async () => {
  for (const server of [proxy, gateway]) {
    server.closeAllConnections();
    server.close();
  }
  await emu.close();
});

/** Runs a recipe: its `createDecartClient` makes a client of the emulator (or `baseUrl`) with the recipe's options. */
async function run(code: string, baseUrl = emu.url): Promise<DecartClient> {
  const createDecartClient = (options: DecartClientOptions = {}) => clientFor(emu, { baseUrl, ...options });
  const { EnvHttpProxyAgent, ProxyAgent, setGlobalDispatcher } = undici;
  const names = { createDecartClient, nodeUpload, HttpsProxyAgent, EnvHttpProxyAgent, ProxyAgent, setGlobalDispatcher };
  const body = `${code}\nreturn client;`;
  return new (Object.getPrototypeOf(async () => {}).constructor)(...Object.keys(names), body)(...Object.values(names));
}

const submitted = async (client: DecartClient) => {
  const image = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "a lighthouse" });
  const job = await client.queue.submit({ model: models.video("lucy-pro-i2v"), prompt: "waves", data: image });
  return (await client.queue.status(job.job_id)).job_id;
};

describe("the README's proxy recipes", () => {
  it("are four", () => {
    expect(recipes).toHaveLength(4);
  });

  it("the global dispatcher: every request through the proxy", async () => {
    const before = undici.getGlobalDispatcher();
    seen.length = 0;
    try {
      expect(await submitted(await run(recipes[0]!))).toMatch(/^job_/);
    } finally {
      undici.setGlobalDispatcher(before);
    }
    expect(seen.length).toBeGreaterThan(0);
  });

  it("a fetch with undici's dispatcher, and nodeUpload's agent: every request through the proxy", async () => {
    for (const recipe of recipes.slice(1, 3)) {
      seen.length = 0;
      expect(await submitted(await run(recipe))).toMatch(/^job_/);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((line) => line.startsWith("CONNECT 127.0.0.1:"))).toBe(true);
    }
  });

  it("a fetch that adds a header: the gateway gets it, and the key (a spread would have dropped it)", async () => {
    tokens.length = 0;
    const gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    expect(await submitted(await run(recipes[3]!, gatewayUrl))).toMatch(/^job_/);
    expect(tokens.length).toBe(3);
    expect(new Set(tokens)).toEqual(new Set(["gw-1"]));
  });
});
