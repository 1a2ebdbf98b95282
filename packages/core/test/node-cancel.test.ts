/**
 * A body read through nodeUpload() that is cancelled (a caller that has read enough: a result refused by its first
 * bytes) lets go of its connection at once, also when the answer is encoded (gzip) and the server has stalled mid-body:
 * the decoders read the connection through a generator, which ends only once a read it waits on comes.
 */
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { nodeUpload } from "../src/node.js";
import { until } from "./helpers.js";

describe("a nodeUpload() body cancelled while the server stalls", () => {
  for (const encoding of ["gzip", "identity"]) {
    it(`closes its connection (${encoding})`, async () => {
      const whole = Buffer.alloc(200_000, "a");
      const payload = encoding === "gzip" ? gzipSync(whole) : whole;
      let closed = false;
      const server = createServer((req, res) => {
        req.resume();
        req.on("end", () => {
          res.writeHead(200, { "content-type": "image/png", "content-encoding": encoding });
          // Half the body, then nothing more.
          res.write(payload.subarray(0, payload.length >> 1));
          res.on("close", () => {
            closed = true;
          });
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      try {
        const form = new FormData();
        form.append("prompt", "x");
        const { port } = server.address() as { port: number };
        const response = await nodeUpload()(`http://127.0.0.1:${port}/x`, {
          method: "POST",
          headers: {},
          body: form as never,
        });
        const reader = response.body!.getReader();
        expect((await reader.read()).value!.length).toBeGreaterThan(0);
        await reader.cancel();
        await until(() => closed);
        expect(closed).toBe(true);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }
});
