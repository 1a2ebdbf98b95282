import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import {
  Agent,
  createServer as createHttpServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, globalAgent, Agent as HttpsAgent } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, InvalidInputError, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { clientFor, instantDelay, startFast } from "./helpers.js";

// The emulator behind fronts of its own (http or https, with a certificate made for this run by openssl, for
// 127.0.0.1, issued by a CA that only the agents given here trust), which forward every request to it, or answer some
// of them with a redirect.
let emu: Emulator;
let dir: string;
let tls: { key: string; cert: string; ca: string };
const servers: Server[] = [];
beforeAll(async () => {
  // (The name a proxy's agent is given below is one of the emulator's.)
  emu = await startFast({ allowedHosts: ["api.decart.invalid"] });
  dir = await mkdtemp(join(tmpdir(), "decart-agent-"));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  const ec = (name: string) => [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    at(name),
  ];
  openssl("req", "-x509", ...ec("ca.key"), "-subj", "/CN=Test Root", "-days", "2", "-out", at("ca.pem"));
  await writeFile(at("leaf.cnf"), "subjectAltName=IP:127.0.0.1\n");
  openssl("req", "-new", ...ec("leaf.key"), "-subj", "/CN=127.0.0.1", "-out", at("leaf.csr"));
  openssl(
    ...["x509", "-req", "-in", at("leaf.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-set_serial", "2"],
    ...["-days", "2", "-extfile", at("leaf.cnf"), "-out", at("leaf.pem")],
  );
  tls = {
    key: await readFile(at("leaf.key"), "utf8"),
    cert: await readFile(at("leaf.pem"), "utf8"),
    ca: await readFile(at("ca.pem"), "utf8"),
  };
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * A front of the emulator on loopback: forwards each request (with the emulator's key when `key`: a store that another
 * origin's redirect leads to gets none), or answers it with `redirect`'s Location and status when that gives one.
 */
async function front(
  options: { tls?: boolean; key?: boolean; redirect?: (path: string) => [string, number] | undefined } = {},
) {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const to = options.redirect?.(req.url!);
    if (to) {
      req.resume();
      res.writeHead(to[1], { location: to[0] }).end();
      return;
    }
    const headers = { ...req.headers, ...(options.key && { "x-api-key": emu.apiKey }) };
    const up = request(`${emu.url}${req.url}`, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  };
  const server = options.tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `${options.tls ? "https" : "http"}://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const sha = (bytes: ArrayBuffer) => createHash("sha256").update(Buffer.from(bytes)).digest("hex");

describe("nodeUpload({ agent }): every request of the client goes through the agent", () => {
  it("a proxy's agent (the API's name resolves only there) carries the status reads and the result, not only the submit", async () => {
    // An agent that connects every request to the emulator, as a proxy would, whatever the URL's host: a name that
    // resolves nowhere else (`.invalid`). Counted per connection (keep-alive off: one per request).
    let connections = 0;
    const agent = new Agent({ keepAlive: false });
    const port = +new URL(emu.url).port;
    agent.createConnection = (() => {
      connections++;
      return connect(port, "127.0.0.1");
    }) as never;
    const client = clientFor(emu, {
      baseUrl: "http://api.decart.invalid",
      upload: nodeUpload({ agent }),
      maxRetries: 0,
    });
    const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "through a proxy" });
    let status = await client.queue.status(job.job_id);
    while (status.status !== "completed") status = await client.queue.status(job.job_id);
    const blob = await client.queue.result(job.job_id);
    expect(sha(await blob.arrayBuffer())).toBe(emu.job(job.job_id)!.resultSha256);
    // The submit, at least one status read, the result.
    expect(connections).toBeGreaterThanOrEqual(3);
    agent.destroy();
  });

  it("an https.Agent with the CA that issued the API's certificate serves the status reads as it serves the submit", async () => {
    const agent = new HttpsAgent({ ca: tls.ca });
    const client = clientFor(emu, {
      baseUrl: await front({ tls: true }),
      upload: nodeUpload({ agent }),
      maxRetries: 0,
    });
    const outcome = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "own CA" });
    expect(outcome.status).toBe("completed");
    if (outcome.status === "completed") {
      expect(sha(await outcome.data.arrayBuffer())).toBe(emu.job(outcome.job_id)!.resultSha256);
    }
    agent.destroy();
  });
});

describe("nodeUpload({ agent }): a result that a redirect puts on the other scheme", () => {
  const content = (store: string) => (path: string) =>
    path.endsWith("/content") ? ([`${store}${path}`, 302] as [string, number]) : undefined;

  it("an https.Agent's client downloads a result redirected to an http store (over http's default agent)", async () => {
    const agent = new HttpsAgent({ ca: tls.ca });
    const store = await front({ key: true });
    const api = await front({ tls: true, redirect: content(store) });
    const client = clientFor(emu, { baseUrl: api, upload: nodeUpload({ agent }), maxRetries: 0 });
    const outcome = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "to http" });
    expect(outcome.status).toBe("completed");
    if (outcome.status === "completed")
      expect(sha(await outcome.data.arrayBuffer())).toBe(emu.job(outcome.job_id)!.resultSha256);
    agent.destroy();
  });

  it("an http.Agent's client downloads a result redirected to an https store (over https's default agent)", async () => {
    // https's default agent trusts the store's CA here (as the system's trust would a store's real certificate).
    const before = globalAgent.options.ca;
    globalAgent.options.ca = tls.ca;
    const agent = new Agent();
    try {
      const store = await front({ tls: true, key: true });
      const api = await front({ redirect: content(store) });
      const client = clientFor(emu, { baseUrl: api, upload: nodeUpload({ agent }), maxRetries: 0 });
      const outcome = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "to https" });
      expect(outcome.status).toBe("completed");
      if (outcome.status === "completed")
        expect(sha(await outcome.data.arrayBuffer())).toBe(emu.job(outcome.job_id)!.resultSha256);
    } finally {
      globalAgent.options.ca = before;
      agent.destroy();
    }
  });

  it("a request Node refuses to make fails once, not retried as a network failure, naming its URL", async () => {
    // An agent that throws as it is given the request (as Node throws for an agent of the other scheme).
    const agent = new Agent();
    Object.assign(agent, {
      addRequest() {
        throw Object.assign(new TypeError("this agent takes no request"), { code: "ERR_INVALID_ARG_VALUE" });
      },
    });
    const delay = instantDelay();
    const api = await front();
    const client = clientFor(emu, { baseUrl: api, upload: nodeUpload({ agent }), maxRetries: 2, poll: { delay } });
    const e = await client.queue.status("job_x").catch((e) => e);
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e).toMatchObject({ code: "CONNECTION_ERROR", retryable: false });
    expect(e.message).toContain(
      `GET ${api}/v1/jobs/job_x: the request could not be made (this agent takes no request)`,
    );
    expect(delay.calls).toEqual([]);
    const submit = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" }).catch((e) => e);
    expect(submit).toMatchObject({ code: "CONNECTION_ERROR", retryable: false });
    expect(delay.calls).toEqual([]);
  });

  it("an agent that is none is refused naming the field, before any request", () => {
    expect(() => nodeUpload({ agent: {} as Agent })).toThrow(InvalidInputError);
    expect(() => nodeUpload({ agent: {} as Agent })).toThrow(/nodeUpload: "agent" must be an http.Agent/);
  });
});

describe("a submit that a redirect sends from https to http", () => {
  it.each([307, 308])(
    "a %i to http: not followed (the body would go in clear), nothing sent there nor taken, not sent again",
    async (status) => {
      let reached = 0;
      let posts = 0;
      const plain = await front({ redirect: () => void reached++ as undefined });
      const api = await front({
        tls: true,
        redirect: (path) => {
          posts++;
          return [`${plain}${path}`, status];
        },
      });
      const agent = new HttpsAgent({ ca: tls.ca });
      const delay = instantDelay();
      const e = await clientFor(emu, { baseUrl: api, upload: nodeUpload({ agent }), maxRetries: 2, poll: { delay } })
        .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "in clear" })
        .catch((e) => e);
      expect(e).toMatchObject({ code: "INVALID_RESPONSE", status, retryable: false });
      expect(posts).toBe(1);
      expect(delay.calls).toEqual([]);
      expect(e.message).toContain(
        `redirected to ${plain}, nothing was sent there: set baseUrl to it if the API is there`,
      );
      expect(reached).toBe(0);
      agent.destroy();
    },
  );
});

describe("nodeUpload({ agent }): an agent that does not serve baseUrl's scheme", () => {
  it("an https.Agent with an http baseUrl: refused naming the agent, not retried, nothing sent (never bypassed)", async () => {
    let reached = 0;
    const api = await front({ redirect: () => void reached++ as undefined });
    const agent = new HttpsAgent({ ca: tls.ca });
    const delay = instantDelay();
    const client = clientFor(emu, { baseUrl: api, upload: nodeUpload({ agent }), maxRetries: 2, poll: { delay } });
    const read = await client.queue.status("job_x").catch((e) => e);
    expect(read).toBeInstanceOf(ConnectionError);
    expect(read).toMatchObject({ code: "CONNECTION_ERROR", retryable: false });
    expect(read.message).toContain("nodeUpload({ agent })'s agent does not take http: URLs (baseUrl's)");
    const submit = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" }).catch((e) => e);
    expect(submit).toMatchObject({ code: "CONNECTION_ERROR", retryable: false });
    expect(submit.message).toContain("nodeUpload({ agent })'s agent does not take http: URLs");
    expect(reached).toBe(0);
    expect(delay.calls).toEqual([]);
    agent.destroy();
  });
});
