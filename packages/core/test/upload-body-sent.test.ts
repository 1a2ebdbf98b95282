/**
 * `UploadBody.bodySent`, as `nodeUpload` sets it for an upload function that wraps it (the CLI's does, to tell a
 * `--timeout` that cut a submit whether a job may exist): `true` once a 2xx answer came, also one given before the body
 * was sent whole (the server took the request). A purpose-built server on loopback answers a submit at once, without
 * reading its body, whose stream input has more to send.
 */
import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { createDecartClient, models, type UploadBody } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { instantDelay, silent } from "./helpers.js";

describe("bodySent of an upload answered before its body was whole", () => {
  it("a 2xx then: true (the server took it), though the stream input was not read to its end", async () => {
    const http = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_early" });
      res.end(JSON.stringify({ job_id: "job_early", status: "pending" }));
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = http.address() as { port: number };
      const bodies: UploadBody[] = [];
      const upload = nodeUpload();
      const client = createDecartClient({
        apiKey: "dct_body_sent_key_0123456789",
        baseUrl: `http://127.0.0.1:${port}`,
        logger: silent,
        poll: { delay: instantDelay() },
        upload: (url, init) => {
          bodies.push(init.body);
          return upload(url, init);
        },
      });
      // A video whose source gives one chunk, then nothing more until it is cancelled.
      let cancelled = false;
      const data = new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new Uint8Array(1024)),
        pull: () => new Promise(() => {}),
        cancel: () => {
          cancelled = true;
        },
      });
      const job = await client.queue.submit({ model: models.video("lucy-clip"), prompt: "answered at once", data });
      expect(job).toMatchObject({ job_id: "job_early", status: "pending" });
      expect(bodies).toHaveLength(1);
      expect(bodies[0]!.bodySent).toBe(true);
      expect(cancelled).toBe(true);
    } finally {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});
