/**
 * A result or image is typed by its bytes only when its label says nothing of them (`application/octet-stream`): one
 * labelled with a media type keeps it, and its bytes are not read to look (a video of hundreds of MB is not sliced
 * for nothing). A purpose-built server on loopback serves each body under the label its name gives; the reads of a
 * Blob's first bytes are watched on `Blob.prototype.slice`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { fastPoll, json, serve, silent } from "./helpers.js";

const PNG = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(64, 1)]);
const MP4 = Buffer.concat([
  Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex"),
  Buffer.alloc(500, 3),
]);

/** Each job's result (by its id) or prompt's image: its bytes and its label. */
const served: Record<string, [Buffer, string]> = {
  // PNG bytes labelled as a video: kept as labelled.
  pngAsMp4: [PNG, "video/mp4"],
  // MP4 bytes labelled as an image (process): kept as labelled.
  mp4AsPng: [MP4, "image/png"],
  // MP4 bytes with no type of their own: typed by them.
  octet: [MP4, "application/octet-stream"],
};

let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  server = await serve((req, res, body) => {
    const send = ([bytes, type]: [Buffer, string]) => {
      res.writeHead(200, { "content-type": type, "content-length": bytes.length });
      res.end(bytes);
    };
    const path = req.url!;
    const prompt = () => /name="prompt"\r\n\r\n(\w+)/.exec(body.toString())![1]!;
    if (path.startsWith("/v1/generate/")) return send(served[prompt()]!);
    if (path.startsWith("/v1/jobs/lucy-pro-t2v")) return json(res, 200, { job_id: prompt(), status: "pending" });
    const id = path.split("/")[3]!;
    if (!path.endsWith("/content")) return json(res, 200, { job_id: id, status: "completed" });
    send(served[id]!);
  });
});
afterAll(() => server.close());

/** The labels of the Blobs whose first bytes were read. */
let sliced: string[];
beforeAll(() => {
  sliced = [];
  const slice = Blob.prototype.slice;
  vi.spyOn(Blob.prototype, "slice").mockImplementation(function (this: Blob, ...args) {
    // (A read of its first bytes: the first 12, which tell an MP4 from a HEIC or an AVIF.)
    if (args[0] === 0 && args[1] === 12) sliced.push(this.type);
    return slice.apply(this, args);
  });
});
afterEach(() => {
  sliced = [];
});
afterAll(() => vi.restoreAllMocks());

describe("a result labelled with a media type keeps it, unread", () => {
  const client = () => createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, poll: fastPoll });

  it("queue.result and submitAndPoll's data: PNG bytes labelled video/mp4 stay video/mp4, not read", async () => {
    const c = client();
    const result = await c.queue.result("pngAsMp4");
    expect(result.type).toBe("video/mp4");
    expect(Buffer.from(await result.arrayBuffer())).toEqual(PNG);
    const done = await c.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "pngAsMp4" });
    expect(done.status === "completed" && done.data.type).toBe("video/mp4");
    expect(sliced).toEqual([]);
  });

  it("process(): MP4 bytes labelled image/png stay image/png, not read", async () => {
    const image = await client().process({ model: models.image("lucy-pro-t2i"), prompt: "mp4AsPng" });
    expect(image.type).toBe("image/png");
    expect(sliced).toEqual([]);
  });

  it("one labelled application/octet-stream is read, and typed by its bytes", async () => {
    const c = client();
    expect((await c.queue.result("octet")).type).toBe("video/mp4");
    const done = await c.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "octet" });
    expect(done.status === "completed" && done.data.type).toBe("video/mp4");
    expect(sliced).toEqual(["application/octet-stream", "application/octet-stream"]);
  });
});
