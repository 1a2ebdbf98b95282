/**
 * `Expect: 100-continue`, through node:http clients: a request the emulator refuses on its head alone (bad key,
 * declared size over the limit) gets its JSON answer without "100 Continue", and its body is never sent; a good one
 * gets "100 Continue", sends its body, and is handled as any other.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { multipart, start } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start({ maxUploadBytes: 1000 });
});
afterAll(() => emu.close());

interface Outcome {
  status: number;
  contentType: string | undefined;
  body: any;
  /** Whether the server sent "100 Continue". */
  continued: boolean;
  /** Whether the client sent its body (it does only on "100 Continue"). */
  bodySent: boolean;
}

/** Sends a request with `Expect: 100-continue`: the body goes only once the server says "100 Continue". */
function expecting(path: string, headers: Record<string, string | number>, body: Buffer): Promise<Outcome> {
  const u = new URL(emu.url);
  return new Promise((resolve, reject) => {
    let continued = false;
    let bodySent = false;
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: "POST",
        path,
        headers: { ...headers, expect: "100-continue", "content-length": body.length },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"],
            body: JSON.parse(text),
            continued,
            bodySent,
          }),
        );
      },
    );
    req.on("continue", () => {
      continued = true;
      bodySent = true;
      req.end(body);
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}

const BOUNDARY = "continue-boundary";
const upload = (size: number) =>
  multipart(BOUNDARY, [{ name: "file", filename: "a.bin", value: Buffer.alloc(size, 1) }]);
const formType = { "content-type": `multipart/form-data; boundary=${BOUNDARY}` };

describe("Expect: 100-continue", () => {
  it("a bad key gets 401 JSON without 100 Continue, and the body is never sent", async () => {
    const r = await expecting("/v1/files", { ...formType, "x-api-key": "wrong" }, upload(500));
    expect(r).toMatchObject({ status: 401, continued: false, bodySent: false, body: { detail: "Invalid API key." } });
    expect(r.contentType).toBe("application/json");
  });

  it("a missing key on a submit gets 401 JSON without 100 Continue", async () => {
    const r = await expecting("/v1/jobs/lucy-pro-t2v", formType, upload(500));
    expect(r).toMatchObject({ status: 401, continued: false, bodySent: false });
  });

  it("a declared Content-Length over the upload limit gets 413 JSON without 100 Continue", async () => {
    const r = await expecting("/v1/files", { ...formType, "x-api-key": emu.apiKey }, upload(5 * 1024 * 1024));
    expect(r).toMatchObject({ status: 413, continued: false, bodySent: false });
    expect(r.body.detail).toMatch(/^Upload too large/);
  });

  it("a token request declaring more than 64 KiB gets 413 JSON without 100 Continue", async () => {
    const body = Buffer.from(JSON.stringify({ metadata: "x".repeat(70_000) }));
    const r = await expecting(
      "/v1/client/tokens",
      { "x-api-key": emu.apiKey, "content-type": "application/json" },
      body,
    );
    expect(r).toMatchObject({ status: 413, continued: false, bodySent: false });
  });

  it("a good upload gets 100 Continue, sends its body, and is stored", async () => {
    const r = await expecting("/v1/files", { ...formType, "x-api-key": emu.apiKey }, upload(500));
    expect(r).toMatchObject({ status: 200, continued: true, bodySent: true });
    expect(r.body.size_bytes).toBe(500);
  });

  it("a good token request gets 100 Continue and its token", async () => {
    const r = await expecting(
      "/v1/client/tokens",
      { "x-api-key": emu.apiKey, "content-type": "application/json" },
      Buffer.from("{}"),
    );
    expect(r).toMatchObject({ status: 200, continued: true });
    expect(r.body.apiKey).toMatch(/^ek_/);
  });
});
