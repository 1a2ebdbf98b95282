/**
 * A result or image the server labels `application/octet-stream` (as storage and CDNs serve files) comes back typed by
 * its first bytes: `process()`'s PNG `image/png`, its JPEG `image/jpeg`; a job's MP4 `video/mp4`, from `queue.result`
 * and `submitAndPoll`'s data alike. Bytes of none of those stay `application/octet-stream`; a result labelled with a
 * type keeps it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { fastPoll, json, serve, silent } from "./helpers.js";

const PNG = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(64, 1)]);
const JPEG = Buffer.concat([Buffer.from("ffd8ffe000104a464946", "hex"), Buffer.alloc(64, 2)]);
const MP4 = Buffer.concat([
  Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex"),
  Buffer.alloc(500, 3),
]);
const GIF = Buffer.concat([Buffer.from("GIF89a", "latin1"), Buffer.alloc(64, 4)]);
const OTHER = Buffer.alloc(64, 5);

/** The body of each job's result (its id), and of each prompt's image. */
const bodies: Record<string, Buffer> = { png: PNG, jpeg: JPEG, mp4: MP4, gif: GIF, other: OTHER };
/** The label of each job's result, when not `application/octet-stream`. */
const labels: Record<string, string> = { labelled: "video/mp4" };

let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  server = await serve((req, res, body) => {
    const send = (bytes: Buffer, type = "application/octet-stream") => {
      res.writeHead(200, { "content-type": type, "content-length": bytes.length, "x-request-id": "req_test" });
      res.end(bytes);
    };
    const path = req.url!;
    if (path.startsWith("/v1/generate/")) return send(bodies[/name="prompt"\r\n\r\n(\w+)/.exec(body.toString())![1]!]!);
    if (path.startsWith("/v1/jobs/lucy-pro-t2v")) {
      const id = /name="prompt"\r\n\r\n(\w+)/.exec(body.toString())![1]!;
      return json(res, 200, { job_id: id, status: "pending" });
    }
    const id = path.split("/")[3]!;
    if (!path.endsWith("/content")) return json(res, 200, { job_id: id, status: "completed" });
    send(bodies[id] ?? MP4, labels[id]);
  });
});
afterAll(() => server.close());

describe.each([
  ["fetch", {}],
  ["nodeUpload", { upload: nodeUpload() }],
])("a result labelled application/octet-stream, typed by its bytes (%s)", (_road, road) => {
  // (Made in each test: the server starts after the tests are collected.)
  const clientOf = () =>
    createDecartClient({ apiKey: "dct_test", baseUrl: server.url, logger: silent, poll: fastPoll, ...road });

  it("process(): a PNG is image/png, a JPEG image/jpeg, a GIF stays application/octet-stream", async () => {
    const client = clientOf();
    const image = (prompt: string) => client.process({ model: models.image("lucy-pro-t2i"), prompt });
    for (const [prompt, type] of [
      ["png", "image/png"],
      ["jpeg", "image/jpeg"],
      ["gif", "application/octet-stream"],
    ] as const) {
      const blob = await image(prompt);
      expect(blob.type, prompt).toBe(type);
      expect(Buffer.from(await blob.arrayBuffer())).toEqual(bodies[prompt]);
    }
  });

  it("queue.result and submitAndPoll's data: an MP4 is video/mp4; other bytes stay as labelled", async () => {
    const client = clientOf();
    const mp4 = await client.queue.result("mp4");
    expect(mp4.type).toBe("video/mp4");
    expect(Buffer.from(await mp4.arrayBuffer())).toEqual(MP4);
    expect((await client.queue.result("other")).type).toBe("application/octet-stream");
    expect((await client.queue.result("labelled")).type).toBe("video/mp4");
    const data = async (prompt: string) => {
      const done = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt });
      if (done.status !== "completed") throw new Error(`job ${prompt} ${done.status}`);
      return done.data;
    };
    const made = await data("mp4");
    expect(made.type).toBe("video/mp4");
    expect(Buffer.from(await made.arrayBuffer())).toEqual(MP4);
    expect((await data("other")).type).toBe("application/octet-stream");
  });
});
