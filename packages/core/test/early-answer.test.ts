/**
 * A server that answers before it has read the request's body (a bad key's 401, a size it will not take) and closes
 * the connection at once, as a plain Node server does after `Connection: close`: a client still sending its upload
 * through fetch fails its write (EPIPE) and never reads the answer. The body did not go whole, so the server took
 * nothing: the submit is no `SUBMIT_OUTCOME_UNKNOWN` ("a job may exist"), and it is retryable. The server runs in a
 * process of its own: in the test's process its answer always wins the race.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { instantDelay, silent } from "./helpers.js";

const SERVER = `
const http = require("node:http");
let requests = 0;
const server = http.createServer((req, res) => {
  requests++;
  res.writeHead(401, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ detail: "Invalid API key." }));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.on("message", () => process.send(requests));
`;

async function earlyServer() {
  const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve) => child.stdout!.once("data", (c: Buffer) => resolve(+c)));
  const requests = () =>
    new Promise<number>((resolve) => {
      child.once("message", (n) => resolve(n as number));
      child.send("count");
    });
  return { url: `http://127.0.0.1:${port}`, requests, stop: () => child.kill() };
}

describe("a submit whose upload the server cut short by answering early", () => {
  it("is not SUBMIT_OUTCOME_UNKNOWN: the server took nothing; it is retryable and retried", async () => {
    const api = await earlyServer();
    try {
      const client = createDecartClient({
        apiKey: "dct_early_key_0123456789abcdef",
        baseUrl: api.url,
        logger: silent,
        maxRetries: 1,
        poll: { delay: instantDelay() },
      });
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const error = await client.queue
          .submit({
            model: models.video("lucy-clip"),
            prompt: "x",
            data: new Blob([new Uint8Array(8e6)], { type: "video/mp4" }),
          })
          .catch((e) => e);
        // Either the answer was read (a 401), or the write failed: never "a job may exist".
        expect(error.code).not.toBe("SUBMIT_OUTCOME_UNKNOWN");
        expect(error.message).not.toMatch(/may exist/);
        seen.push(error.code === "CONNECTION_ERROR" ? `${error.retryable} ${/EPIPE/.test(error.message)}` : error.code);
      }
      // The race this is about happened (each upload of 8 MB is cut short), and each such submit was sent again.
      expect(seen).toContain("true true");
      expect(await api.requests()).toBeGreaterThan(4);
    } finally {
      api.stop();
    }
  });
});
