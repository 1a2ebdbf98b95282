/**
 * A submit through nodeUpload() after this process did not run past the server's keep-alive timeout (an event loop
 * blocked, a process suspended): the server closed the kept-alive connection, but neither the close nor the agent's
 * own idle timer was seen, and the agent still holds it as free. Sent on it, the submit would fail with a reset after
 * its body went, which cannot be told from a server that made the job and then reset (SUBMIT_OUTCOME_UNKNOWN): it is
 * not sent on it, but on a new connection, once. A reset on a new connection once the body went may still have made a
 * job. The server runs in a process of its own: the test's blocked event loop must not hold its keep-alive timer.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
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
