/**
 * A submit through nodeUpload() after this process did not run past the server's keep-alive timeout (an event loop
 * blocked, a process suspended): the server closed the kept-alive connection, but neither the close nor the agent's
 * own idle timer was seen, and the agent still holds it as free. Sent on it, the submit would fail with a reset after
 * its body went, which cannot be told from a server that made the job and then reset (SUBMIT_OUTCOME_UNKNOWN): it is
 * not sent on it, but on a new connection, once. A reset on a new connection once the body went may still have made a
 * job. The server runs in a process of its own: the test's blocked event loop must not hold its keep-alive timer.
 * Each other term of the rule has a test of its own, over a server that keeps connections far longer: a connection
 * freed before the client first used the agent, and one idle past the agent's own `timeout`.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { instantDelay, silent } from "./helpers.js";

const SERVER = `
const http = require("node:http");
const { writeFileSync } = require("node:fs");
const seen = [];
let n = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString();
    seen.push(req.method + " " + (/reset me/.test(body) ? "reset" : "ok") + " " + req.socket.remotePort);
    // The handler got it whole, then the connection is reset with no answer (a crash): a job may exist.
    if (/reset me/.test(body)) return req.socket.resetAndDestroy();
    // argv[2]: a Keep-Alive header of its own (its timeout after another parameter, as some servers write it).
    res.writeHead(200, { "content-type": "application/json", ...(process.argv[2] && { "keep-alive": process.argv[2] }) });
    res.end(JSON.stringify({ job_id: "job_" + String(++n).padStart(32, "0"), status: "pending" }));
  });
});
// Its keep-alive timeout, 2 s, as it says in each answer (Keep-Alive: timeout=2: the client's agent keeps a connection
// idle 1 s at most). A connection it closes is written down where the test's process, its loop blocked, can see it.
server.keepAliveTimeout = 2000;
server.on("connection", (socket) => socket.on("close", () => writeFileSync(process.argv[1], "closed")));
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.on("message", () => process.send(seen));
`;

async function keepAliveServer(keepAlive = "") {
  const closed = join(tmpdir(), `decart-stale-${randomUUID()}`);
  const child = spawn(process.execPath, ["-e", SERVER, closed, keepAlive], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve) => child.stdout!.once("data", (c: Buffer) => resolve(+c)));
  const seen = () =>
    new Promise<string[]>((resolve) => {
      child.once("message", (s) => resolve(s as string[]));
      child.send("seen");
    });
  /**
   * Blocks this process's event loop, as a busy or suspended process is (no timer, no socket event runs), until the
   * server has closed a connection (at most 20 s).
   */
  const holdUntilClosed = () => {
    for (let i = 0; i < 400 && !existsSync(closed); i++)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    expect(existsSync(closed)).toBe(true);
  };
  const stop = () => {
    child.kill();
    rmSync(closed, { force: true });
  };
  return { url: `http://127.0.0.1:${port}`, seen, holdUntilClosed, stop };
}

describe("nodeUpload(): a submit after the server closed the idle kept-alive connection unseen", () => {
  it.each([
    ["an agent of its own", true, ""],
    ["Node's global agent", false, ""],
    // Node's agent reads a timeout only as the header's first parameter: this one it would keep for ever.
    ["an agent of its own, Keep-Alive: max=100, timeout=2", true, "max=100, timeout=2"],
  ])("goes on a new connection, once, and is answered (not SUBMIT_OUTCOME_UNKNOWN): %s", async (_, own, keepAlive) => {
    const api = await keepAliveServer(keepAlive);
    const agent = new Agent({ keepAlive: true });
    try {
      const delay = instantDelay();
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: api.url,
        logger: silent,
        upload: nodeUpload(own ? { agent } : {}),
        poll: { delay },
      });
      const submit = (prompt: string) => client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt });
      expect((await submit("first")).job_id).toBe(`job_${"1".padStart(32, "0")}`);
      // Held past the server's keep-alive timeout: it closes the connection, which the agent still keeps as free.
      api.holdUntilClosed();
      const second = await submit("second").catch((e) => e);
      expect(second).toMatchObject({ job_id: `job_${"2".padStart(32, "0")}` });
      // Sent once, not again after a failure.
      expect(delay.calls).toHaveLength(0);
      const seen = await api.seen();
      expect(seen.map((s) => s.split(" ").slice(0, 2).join(" "))).toEqual(["POST ok", "POST ok"]);
      // On a connection of its own.
      expect(seen[1]!.split(" ")[2]).not.toBe(seen[0]!.split(" ")[2]);
    } finally {
      agent.destroy();
      api.stop();
    }
  });

  it("a reset on a new connection once the handler got the body is still SUBMIT_OUTCOME_UNKNOWN, sent once", async () => {
    const api = await keepAliveServer();
    const agent = new Agent({ keepAlive: true });
    try {
      const delay = instantDelay();
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: api.url,
        logger: silent,
        upload: nodeUpload({ agent }),
        poll: { delay },
      });
      const error = await client.queue
        .submit({ model: models.video("lucy-pro-t2v"), prompt: "reset me" })
        .catch((e) => e);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(error.message).toMatch(/may exist/);
      expect(delay.calls).toHaveLength(0);
      expect((await api.seen()).map((s) => s.split(" ").slice(0, 2).join(" "))).toEqual(["POST reset"]);
    } finally {
      agent.destroy();
      api.stop();
    }
  });
});

/**
 * A server in this process that keeps idle connections open for 30 s (as it says in each answer, `Keep-Alive:
 * timeout=30`): far longer than any test here holds one, so that only the client's rule closes them. It counts the
 * connections opened and reset, and answers each request with a job named by its connection.
 */
async function patientServer(host = "127.0.0.1") {
  const sockets: string[] = [];
  let resets = 0;
  const server = createServer((req, res) => {
    req.resume().on("end", () => {
      const connection = sockets.indexOf(`${req.socket.remotePort}`);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: `job_${String(connection).padStart(32, "0")}`, status: "pending" }));
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on("connection", (socket) => {
    sockets.push(`${socket.remotePort}`);
    socket.on("error", () => resets++);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`,
    /** The connections opened, and those reset. */
    counts: () => ({ opened: sockets.length, resets }),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("nodeUpload(): which free connections a POST does not take (dropStale's terms, each alone)", () => {
  // The POST's own pool is found by the agent's name for it, as Node's `addRequest` makes it: an IPv6 host without its
  // brackets, and the agent's options (`family`, an https agent's `ca` …) in the name.
  it.each([
    ["an agent of its own", "127.0.0.1", {}],
    ["an IPv6 host, [::1]", "::1", {}],
    ["an agent whose options name its pool (family: 4)", "127.0.0.1", { family: 4 }],
  ])(
    "a connection freed before the client first used the agent is closed, and the POST takes a new one: %s",
    async (_, host, options) => {
      const api = await patientServer(host);
      const agent = new Agent({ keepAlive: true, ...options });
      try {
        // A request of the caller's own through the agent, before the client ever saw it: its connection is freed into
        // the pool, and no one can tell how long it has been idle when the POST comes.
        await new Promise<void>((resolve, reject) =>
          request(`${api.url}/health`, { agent }, (res) => res.resume().on("end", resolve))
            .on("error", reject)
            .end(),
        );
        expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
        expect(api.counts()).toEqual({ opened: 1, resets: 0 });
        const delay = instantDelay();
        const client = createDecartClient({
          apiKey: "k",
          baseUrl: api.url,
          logger: silent,
          upload: nodeUpload({ agent }),
          poll: { delay },
        });
        const job = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "p" });
        // Answered on the second connection (index 1), sent once, the first closed by the client, not reset.
        expect(job.job_id).toBe(`job_${"1".padStart(32, "0")}`);
        expect(delay.calls).toHaveLength(0);
        expect(api.counts()).toEqual({ opened: 2, resets: 0 });
      } finally {
        agent.destroy();
        await api.close();
      }
    },
  );

  it("a connection idle past the agent's own timeout, its timer not run (the loop blocked), is closed before a POST", async () => {
    const api = await patientServer();
    // The agent closes a connection idle 1 s (its `timeout`), the server one idle 30 s: the client's 4 s and the
    // server's announced timeout less 1 s are far off, only the agent's timeout is passed.
    const agent = new Agent({ keepAlive: true, timeout: 1000 });
    // The clocks the rule reads (`performance.now`, `Date.now`), held still here and moved on by the test alone: the
    // idle time the rule sees is what the test says, however long the machine takes between the two submits.
    const start = [performance.now(), Date.now()] as const;
    let idle = 0;
    const clocks = [
      vi.spyOn(performance, "now").mockImplementation(() => start[0] + idle),
      vi.spyOn(Date, "now").mockImplementation(() => start[1] + idle),
    ];
    try {
      const delay = instantDelay();
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: api.url,
        logger: silent,
        upload: nodeUpload({ agent }),
        poll: { delay },
      });
      const submit = () => client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "p" });
      expect((await submit()).job_id).toBe(`job_${"0".padStart(32, "0")}`);
      // As if this process had not run for 2.5 s (a loop blocked: no timer runs), past the agent's timeout and under the
      // client's 4 s and the server's 30 s: the agent's own idle timer has not closed the connection, which the agent
      // keeps as free (its timer stopped, its `timeout` still the agent's), and the clocks say 2.5 s went by.
      const [free, ...others] = Object.values(agent.freeSockets).flat();
      expect(others).toHaveLength(0);
      Object.assign(free!.setTimeout(0), { timeout: 1000 });
      idle = 2500;
      // Answered on a second connection, sent once; the first was closed by the client, not reset by anyone.
      expect((await submit()).job_id).toBe(`job_${"1".padStart(32, "0")}`);
      expect(delay.calls).toHaveLength(0);
      expect(api.counts()).toEqual({ opened: 2, resets: 0 });
    } finally {
      for (const clock of clocks) clock.mockRestore();
      agent.destroy();
      await api.close();
    }
  });
});

describe("nodeUpload(): a POST leaves the free connections to other hosts alone", () => {
  it.each([
    ["freed before the client first used the agent", false],
    // Idle past the client's 4 s, well within the 30 s that server announced (`Keep-Alive: timeout=30`).
    ["idle 4.5 s once the client used the agent, its server keeping it 30 s", true],
  ])("a kept-alive connection of a shared agent to another server is not closed: %s", async (_, idle) => {
    const api = await patientServer();
    // The caller's own service, on another origin (another port), through the same agent.
    const other = await patientServer();
    const agent = new Agent({ keepAlive: true });
    const get = () =>
      new Promise<void>((resolve, reject) =>
        request(`${other.url}/health`, { agent }, (res) => res.resume().on("end", resolve))
          .on("error", reject)
          .end(),
      );
    try {
      const client = createDecartClient({
        apiKey: "k",
        baseUrl: api.url,
        logger: silent,
        upload: nodeUpload({ agent }),
        poll: { delay: instantDelay() },
      });
      const submit = () => client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "p" });
      if (idle) await submit();
      await get();
      expect(other.counts()).toEqual({ opened: 1, resets: 0 });
      // This process blocked past the client's 4 s (nothing here is asserted on time).
      if (idle) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4500);
      await submit();
      // The other server's connection is still free in the agent, and its next request goes on it.
      await get();
      expect(other.counts()).toEqual({ opened: 1, resets: 0 });
    } finally {
      agent.destroy();
      await api.close();
      await other.close();
    }
  });
});
