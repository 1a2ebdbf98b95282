/**
 * The limit of one file as its refusal says it, with the real figure (`maxFileBytes` of @decart/api, not lowered): the
 * spec holds 209715200 bytes, the larger reading of the docs' "200 MB", so the message says what the client holds (200
 * MiB) and what the docs say (200 MB), not that the API's limit is 200 MiB. A URL's answer whose Content-Length is one
 * byte over is refused on that header, its body never sent.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { maxFileBytes, modelDocs } from "@decart/api";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models } from "../src/index.js";
import { silent } from "./helpers.js";

let server: ReturnType<typeof createServer>;
let base: string;
let posts = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.method !== "GET") {
      posts++;
      return res.writeHead(500).end();
    }
    // One byte over the limit by its Content-Length; only its head is sent, the rest held.
    res.writeHead(200, { "content-type": "video/mp4", "content-length": maxFileBytes + 1 });
    res.write(Buffer.from("\0\0\0\x18ftypisom"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it("a file over the limit is told the client's limit in MiB and the docs' words, as the spec's description says them", async () => {
  const client = createDecartClient({ apiKey: "k", baseUrl: base, logger: silent });
  const error = await client.queue
    .submit({ model: models.video("lucy-clip"), prompt: "p", data: `${base}/big.mp4` })
    .catch((e) => e);
  expect(error).toBeInstanceOf(InvalidInputError);
  expect(error.message).toBe(
    `Could not download "data" from ${base}/big.mp4: over the client's 200 MiB per file (the docs say 200 MB): give a smaller one; nothing was sent`,
  );
  expect(posts).toBe(0);
  // The docs' words are the spec's: a video input's description says them, and that the client holds the larger reading.
  expect(modelDocs["lucy-clip"].fields.data).toContain(
    `at most 200 MB (the docs' words; the client and the emulator hold ${maxFileBytes} bytes (200 MiB), the larger reading`,
  );
});
