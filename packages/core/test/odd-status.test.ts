import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, DecartError, models } from "../src/index.js";
import { nodeUpload, saveResult } from "../src/node.js";
import { instantDelay, silent } from "./helpers.js";

// Statuses a Response cannot be made with (101 is interim, 205 has no body, 600 and 999 are no HTTP status), which a
// server may send all the same: each answer is the status named by the path's first segment, with a JSON body.
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const status = Number(req.url!.split("/")[1]);
      res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_odd", connection: "close" });
      // (After a 101 the server keeps the connection for the protocol it switched to: it is closed here.)
      res.end("{}", () => status === 101 && res.socket?.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (status: number, node: boolean) =>
  createDecartClient({
    apiKey: "k",
    baseUrl: `${url}/${status}`,
    logger: silent,
    maxRetries: 1,
    poll: { delay: instantDelay() },
    ...(node && { upload: nodeUpload() }),
  });

/** What a call's error says, to compare the two paths (fetch and node:http). */
const shape = (e: unknown) => {
  expect(e).toBeInstanceOf(DecartError);
  const { name, code, status, retryable } = e as DecartError;
  return { name, code, status, retryable };
};

describe.each([101, 205, 600, 999])("an answer with status %i", (status) => {
  it("to a POST over nodeUpload is the typed error fetch's path gives: a job may exist", async () => {
    for (const call of [
      (c: ReturnType<typeof client>) => c.process({ model: models.image("lucy-pro-t2i"), prompt: "x" }),
      (c: ReturnType<typeof client>) => c.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" }),
    ]) {
      const viaFetch = shape(await call(client(status, false)).catch((e) => e));
      const viaNode = shape(await call(client(status, true)).catch((e) => e));
      expect(viaNode).toEqual(viaFetch);
      expect(viaNode.code).toBe("SUBMIT_OUTCOME_UNKNOWN");
    }
  });

  it("to saveResult's download is a typed error, no file left behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "decart-odd-"));
    try {
      const viaNode = await saveResult(client(status, true), "job_1", join(dir, "out.mp4")).catch((e) => e);
      const viaFetch = await client(status, false)
        .queue.result("job_1")
        .catch((e) => e);
      expect(shape(viaNode)).toEqual(shape(viaFetch));
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("an upgrade (101 with Connection: upgrade) where the answer was due", () => {
  // Over node:http such an answer never reaches 'response': without an 'upgrade' listener Node closes the connection
  // and the request never settles (not even when the attempt's timer aborts it). The timeouts here are the defaults
  // (10 minutes for an upload, 1 for a read): only a failure at once ends these tests.
  let upgrading: ReturnType<typeof createNetServer>;
  let base: string;
  beforeAll(async () => {
    upgrading = createNetServer((socket) => {
      socket.on("error", () => {});
      let head = "";
      socket.on("data", (chunk) => {
        head += chunk.toString("latin1");
        // Answered once the request's head came (a body may follow: it is not waited for).
        if (head.includes("\r\n\r\n") && !socket.writableEnded)
          socket.end("HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\nconnection: upgrade\r\n\r\n");
      });
    });
    await new Promise<void>((resolve) => upgrading.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(upgrading.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => upgrading.close(() => resolve())));
  const upgraded = () =>
    createDecartClient({ apiKey: "k", baseUrl: base, logger: silent, maxRetries: 0, upload: nodeUpload() });

  it("fails nodeUpload's request at once, a ConnectionError", async () => {
    const e = await upgraded()
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" })
      .catch((e) => e);
    expect(e).toBeInstanceOf(DecartError);
    expect(e.name).toBe("ConnectionError");
    expect(e.message).toContain("HTTP 101");
  });

  it("fails saveResult's download at once, a ConnectionError, no file left behind", async () => {
    const dir = await mkdtemp(join(tmpdir(), "decart-upgrade-"));
    try {
      const e = await saveResult(upgraded(), "job_1", join(dir, "out.mp4")).catch((e) => e);
      expect(e.name).toBe("ConnectionError");
      expect(e.message).toContain("HTTP 101");
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("an interim 100 Continue sent unasked before a submit's answer", () => {
  // The answer's interim 100 comes once the whole request was read, then the answer (as the README says of each path).
  let continuing: Server;
  let base: string;
  beforeAll(async () => {
    continuing = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeContinue();
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ job_id: "job_after_100", status: "pending" }));
      });
    });
    await new Promise<void>((resolve) => continuing.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(continuing.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => continuing.close(() => resolve())));
  const submit = (node: boolean) =>
    createDecartClient({
      apiKey: "k",
      baseUrl: base,
      logger: silent,
      maxRetries: 0,
      ...(node && { upload: nodeUpload() }),
    })
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" })
      .catch((e) => e);

  it("nodeUpload() reads past it to the answer: the job", async () => {
    expect(await submit(true)).toEqual({ job_id: "job_after_100", status: "pending" });
  });

  it("Node's fetch fails it as a broken connection: SUBMIT_OUTCOME_UNKNOWN, the job's id lost", async () => {
    expect(shape(await submit(false))).toMatchObject({ name: "ConnectionError", code: "SUBMIT_OUTCOME_UNKNOWN" });
  });
});
