import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator } from "@decart/emulator";
import { fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { clientFor, silent, startFast } from "./helpers.js";

// A `fetch` of another library (undici 7's, the usual way to reach the API through a proxy in Node 20) does not take
// Node's own FormData: it would send it as the text "[object FormData]", and the server answers 422 "prompt: Field
// required" to every submit, process and upload. A multipart body goes to a given fetch as a Blob with its type.
let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

describe("a multipart request through a fetch you give (undici 7's)", () => {
  it("is taken by the server: process, a submit with a file, an upload", async () => {
    const client = clientFor(emu, { fetch: (url, init) => undiciFetch(url as string, init as never) as never });
    const image = await client.process({ model: models.image("lucy-pro-t2i"), prompt: "a lighthouse" });
    expect(image.type).toBe("image/png");
    const job = await client.queue.submit({ model: models.video("lucy-pro-i2v"), prompt: "waves", data: image });
    expect(job.job_id).toMatch(/^job_/);
    const file = await client.files.upload(new File([image], "lighthouse.png", { type: "image/png" }));
    expect(file.id).toBeTruthy();
  });

  it("sends the bytes Node's fetch sends for the form (quoted names, CRLF line breaks), with a length", async () => {
    const seen: { type: string; length: string | undefined; body: string }[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen.push({
          type: req.headers["content-type"]!,
          length: req.headers["content-length"],
          body: Buffer.concat(chunks).toString("latin1"),
        });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ job_id: "job_seen_1", status: "pending" }));
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const image = await clientFor(emu).process({ model: models.image("lucy-pro-t2i"), prompt: "x" });
      const data = new File([image], 'sea "blue"\n.png', { type: "image/png" });
      const prompt = "waves\nand\r\nfoam €";
      // What Node's fetch sends for the form, then the client's (through the global fetch, then one given).
      const form = new FormData();
      form.append("prompt", prompt);
      form.append("data", data);
      await fetch(baseUrl, { method: "POST", body: form });
      for (const fetch of [
        undefined,
        ((url, init) => undiciFetch(url as string, init as never)) as typeof globalThis.fetch,
      ])
        await createDecartClient({ apiKey: "k", baseUrl, logger: silent, fetch }).queue.submit({
          model: models.video("lucy-pro-i2v"),
          prompt,
          data,
        });
      // The same bytes but for the boundary, which each names in its type.
      const [node, global, given] = seen.map(({ type, body }) => body.split(type.split("boundary=")[1]!).join("B"));
      expect(global).toBe(node);
      expect(given).toBe(node);
      expect(given).toContain('filename="sea %22blue%22%0A.png"');
      expect(seen[2]!.length).toBe(String(Buffer.byteLength(seen[2]!.body, "latin1")));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
