// What a batch sends again after a submit's failure, against a purpose-built server whose answers the emulator cannot
// give in that order (a 503 then a 200; 503s and 429s in turn).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createDecartClient, type DecartClientOptions, models } from "@decart/core";
import { lastValueFrom, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import { silent } from "./marbles.js";

/** A server answering the n-th submit (from 1) as `answer` says, and every job's status as failed. */
async function serve(answer: (n: number, res: ServerResponse) => void) {
  let submits = 0;
  const server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "POST") return answer(++submits, res);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ job_id: "job_made", status: "failed" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const client = (options: DecartClientOptions = {}) =>
    createDecartClient({ apiKey: "dct_test", baseUrl: `http://127.0.0.1:${port}`, logger: silent, ...options });
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { client, submits: () => submits, close };
}

const refuse = (res: ServerResponse, status: number) => {
  res.writeHead(status, { "content-type": "application/json", "retry-after": "0" });
  res.end(JSON.stringify({ detail: status === 429 ? "rate limited" : "maintenance" }));
};

const made = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ job_id: "job_made", status: "pending" }));
};

const image = () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(64).fill(0)]);

describe("a batch sends a submit again", () => {
  it("never one holding a web stream that is not async iterable (Safari's, Chromium's before 124): its 503 is its error", async () => {
    const server = await serve((n, res) => (n === 1 ? refuse(res, 503) : made(res)));
    try {
      const data = new Blob([image()]).stream();
      // As a stream of those browsers: no Symbol.asyncIterator.
      Object.defineProperty(data, Symbol.asyncIterator, { value: undefined });
      const input = { model: models.video("lucy-pro-i2v"), prompt: "x", data };
      const events = await lastValueFrom(submitAll(server.client(), [input], { download: false }).pipe(toArray()));
      expect(events.map((e) => [e.type, e.error?.status])).toEqual([["error", 503]]);
      expect(server.submits()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("after failures other than 429, up to the client's maxRetries times in all, 429s between them or not", async () => {
    // 503, 429, 503, 429 … : each 429 is sent again after the batch's pause (Retry-After: 0), and each 503 counts.
    const server = await serve((n, res) => refuse(res, n % 2 ? 503 : 429));
    try {
      const client = server.client({ maxRetries: 2, random: () => 0.5 });
      const input = { model: models.video("lucy-pro-t2v"), prompt: "x" };
      const events = await lastValueFrom(submitAll(client, [input], { download: false }).pipe(toArray()));
      expect(events.map((e) => [e.type, e.error?.status])).toEqual([["error", 503]]);
      // Three 503s (the first and two sent again), and the two 429s between them.
      expect(server.submits()).toBe(5);
    } finally {
      await server.close();
    }
  });
});
