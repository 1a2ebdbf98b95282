import { createServer, type Server, type ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDecartClient, type DecartClientOptions, InvalidInputError, models, TimeoutError } from "../src/index.js";
import { DEFAULT_WAIT_MS, nodeUpload } from "../src/node.js";
import { instantDelay, silent } from "./helpers.js";

// `process` answers 200 image/png, then one byte at a time: each byte comes well within the client's per-read limit,
// and the image never ends (`bytes` of them, then the end, when `bytes` is set). The client's clock (`t`) moves only
// when the server says so: past the call's budget once the image has begun.
let server: Server;
let url: string;
let requests = 0;
let t = 0;
/** Where the clock goes once the image's first bytes are sent. */
let jumpTo = 0;
/** Bytes sent after the first before the image ends (undefined: it never does). */
let bytes: number | undefined;
const open = new Set<ServerResponse>();
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      open.add(res);
      res.writeHead(200, { "content-type": "image/png" });
      res.write("\x89PNG");
      t = jumpTo;
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        if (sent++ === bytes) {
          clearInterval(timer);
          return res.end();
        }
        res.write("x");
      }, 10);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const res of open) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = 0;
  t = 0;
  bytes = undefined;
});

const client = (upload: boolean) =>
  createDecartClient({
    apiKey: "k",
    baseUrl: url,
    logger: silent,
    timeoutMs: 60_000,
    uploadTimeoutMs: 60_000,
    poll: { delay: instantDelay(), now: () => t },
    ...(upload ? { upload: nodeUpload() } : {}),
  } as DecartClientOptions);
const lighthouse = { model: models.image("lucy-pro-t2i"), prompt: "a lighthouse" };

describe("process keeps to one budget for the whole call", () => {
  for (const upload of [false, true]) {
    const via = upload ? "nodeUpload()" : "fetch";
    it(`an image still coming at its timeoutMs ends there: a TimeoutError, the image may be made (${via})`, async () => {
      jumpTo = 5001;
      const error = await client(upload)
        .process({ ...lighthouse, timeoutMs: 5000 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(error.message).toContain("timed out");
      expect(error.message).toContain("may exist");
      expect(requests).toBe(1);
    });

    // The documented figure, stated here (not read from the client's constant, which a change would move with it).
    // What is left of the budget is the length of a real timer: 10 s left is a wait no answer here comes near, where 1 ms
    // left (at 659 999) would race the image's next byte.
    it(`without timeoutMs, the budget is 11 minutes, 660 000 ms (${via})`, async () => {
      expect(DEFAULT_WAIT_MS).toBe(660_000);
      jumpTo = 650_000;
      bytes = 3;
      const image = await client(upload).process(lighthouse);
      expect(await image.text()).toBe("\x89PNGxxx");
      t = 0;
      jumpTo = 660_001;
      bytes = undefined;
      const error = await client(upload)
        .process(lighthouse)
        .catch((e) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN" });
      expect(error.message).toContain("660000 ms");
      expect(requests).toBe(2);
    });
  }

  it("an image that ends within the budget is answered whole", async () => {
    jumpTo = 2500;
    bytes = 3;
    const image = await client(false).process({ ...lighthouse, timeoutMs: 5000 });
    expect(await image.text()).toBe("\x89PNGxxx");
  });

  it("a timeoutMs that is no number of ms ≥ 1 is refused before anything is sent", async () => {
    for (const timeoutMs of [0, "5000", Number.NaN]) {
      const error = await client(false)
        .process({ ...lighthouse, timeoutMs } as never)
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "timeoutMs" });
    }
    expect(requests).toBe(0);
  });
});
