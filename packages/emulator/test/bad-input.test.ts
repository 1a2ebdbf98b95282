/**
 * Malformed requests, table-driven: each must get a 4xx JSON answer with a useful detail, none may create a job,
 * and the server must still answer normally after all of them.
 */
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import type { RawResponse } from "./helpers.js";
import { jsonOf, multipart, raw, sampleMp4, samplePng, start, submit, untilClosed } from "./helpers.js";

let emu: Emulator;
const mp4 = Buffer.from(await sampleMp4());
const png = Buffer.from(samplePng());
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

const B = "XbOuNdArYx";
const MP = `multipart/form-data; boundary=${B}`;

type Part = { name: string; value: string | Buffer; filename?: string; type?: string };

/** What an answer must look like: a status, and a string detail containing `text` or a 422 entry of `type`. */
interface Case {
  name: string;
  send: () => Promise<RawResponse>;
  status: number;
  detail?: string | RegExp;
  issue?: string;
}

function key(): Record<string, string> {
  return { "x-api-key": emu.apiKey };
}

function postParts(path: string, parts: Part[], extraHeaders: Record<string, string> = {}) {
  return () =>
    raw(emu.url, {
      method: "POST",
      path,
      headers: { ...key(), "content-type": MP, ...extraHeaders },
      body: multipart(B, parts),
    });
}

/** POSTs a raw body; the API key is added unless `withKey` is false. */
function postBody(path: string, body: Buffer | string, headers: Record<string, string>, withKey = true) {
  return () => raw(emu.url, { method: "POST", path, headers: withKey ? { ...key(), ...headers } : headers, body });
}

function getPath(path: string, headers?: Record<string, string>, method = "GET") {
  return () => raw(emu.url, { method, path, headers: headers ?? key() });
}

/** Bytes on a raw socket, for requests node's client refuses to send; reads the answer until the server closes. */
function socketSend(text: Buffer | string): Promise<RawResponse> {
  const u = new URL(emu.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(Number(u.port), u.hostname, () => s.end(text));
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", reject);
    s.on("close", () => {
      const all = Buffer.concat(chunks).toString("latin1");
      const [head = "", body = ""] = all.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: Buffer.from(body, "latin1") });
    });
  });
}

const t2v = "/v1/jobs/lucy-pro-t2v";
const clip = "/v1/jobs/lucy-clip";
const image = "/v1/generate/lucy-image-2";
const prompt = (value: string | Buffer): Part => ({ name: "prompt", value });
const file = (name: string, value: Buffer, type = "application/octet-stream"): Part => ({
  name,
  value,
  filename: "blob",
  type,
});

const cases: Case[] = [
  // --- broken multipart framing
  {
    name: "multipart without a boundary parameter",
    send: postBody(t2v, "--x\r\n", { "content-type": "multipart/form-data" }),
    status: 400,
    detail: "boundary",
  },
  {
    // The server keeps the parts a cut body holds in full: here none (the prompt's head is cut).
    name: "truncated multipart body (no closing boundary)",
    send: () =>
      raw(emu.url, {
        method: "POST",
        path: t2v,
        headers: { ...key(), "content-type": MP },
        body: multipart(B, [prompt("hello")]).subarray(0, 60),
      }),
    status: 422,
    issue: "missing",
  },
  {
    name: "multipart body that is just garbage",
    send: postBody(t2v, "this is not multipart at all", { "content-type": MP }),
    status: 400,
    detail: "error parsing the body",
  },
  {
    name: "multipart with a malformed part header",
    send: postBody(t2v, `--${B}\r\nContent-Disposition form-data name=prompt\r\n\r\nx\r\n--${B}--\r\n`, {
      "content-type": MP,
    }),
    status: 400,
    detail: "error parsing the body",
  },
  {
    name: "multipart with a different boundary than declared",
    send: postBody(t2v, multipart("other", [prompt("hello")]), { "content-type": MP }),
    status: 400,
    detail: "error parsing the body",
  },
  {
    name: "multipart with only the closing boundary",
    send: postBody(t2v, `--${B}--\r\n`, { "content-type": MP }),
    status: 422,
    issue: "missing",
  },
  {
    name: "a part without Content-Disposition",
    send: postBody(t2v, `--${B}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${B}--\r\n`, { "content-type": MP }),
    status: 400,
    detail: 'The Content-Disposition header field "name" must be provided.',
  },
  {
    name: "a part without a name",
    send: postBody(t2v, `--${B}\r\nContent-Disposition: form-data\r\n\r\nhi\r\n--${B}--\r\n`, {
      "content-type": MP,
    }),
    status: 400,
    detail: 'The Content-Disposition header field "name" must be provided.',
  },
  {
    // Starlette's max_fields: the 1001st text part is refused once its head is read.
    name: "1001 text fields (over Starlette's field limit)",
    send: postParts(
      t2v,
      Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}`, value: "x" })),
    ),
    status: 400,
    detail: /^Too many fields\. Maximum number of fields is 1000\.$/,
  },
  {
    name: "1001 file parts (over Starlette's file limit)",
    send: postParts(t2v, [prompt("p"), ...Array.from({ length: 1001 }, (_, i) => file(`g${i}`, Buffer.from("x")))]),
    status: 400,
    detail: /^Too many files\. Maximum number of files is 1000\.$/,
  },
  {
    // No count of parts in all: 1000 text fields and 1000 files are read (and answered for their names).
    name: "1000 text fields and 1000 file parts (within both limits)",
    send: postParts(t2v, [
      ...Array.from({ length: 1000 }, (_, i) => ({ name: i === 0 ? "prompt" : `f${i}`, value: "x" })),
      ...Array.from({ length: 1000 }, (_, i) => file(`g${i}`, Buffer.from("x"))),
    ]),
    status: 422,
    issue: "extra_forbidden",
  },
  {
    name: "1001 urlencoded fields (over the emulator's own bound)",
    send: postBody(t2v, Array.from({ length: 1001 }, (_, i) => `f${i}=x`).join("&"), {
      "content-type": "application/x-www-form-urlencoded",
    }),
    status: 413,
    detail: /^Too many fields in the urlencoded body: at most 1000\.$/,
  },
  // --- wrong content types
  {
    name: "no content type at all",
    send: postBody(t2v, "prompt=hi", {}),
    status: 422,
    issue: "missing",
  },
  {
    name: "text/plain body",
    send: postBody(t2v, "prompt=hi", { "content-type": "text/plain" }),
    status: 422,
    issue: "missing",
  },
  {
    name: "JSON body on a form route",
    send: postBody(t2v, JSON.stringify({ prompt: "hi" }), { "content-type": "application/json" }),
    status: 422,
    issue: "missing",
  },
  // --- fields of the wrong kind or value
  {
    name: "text where a file is required",
    send: postParts(clip, [prompt("p"), { name: "data", value: "hello" }]),
    status: 422,
    issue: "value_error",
  },
  {
    name: "a file where text is required",
    send: postParts(clip, [file("prompt", png), file("data", mp4)]),
    status: 422,
    issue: "string_type",
  },
  {
    name: "wrong enum value (resolution)",
    send: postParts(t2v, [prompt("p"), { name: "resolution", value: "4k" }]),
    status: 422,
    issue: "enum",
  },
  {
    name: "wrong enum value (orientation)",
    send: postParts(t2v, [prompt("p"), { name: "orientation", value: "LANDSCAPE" }]),
    status: 422,
    issue: "enum",
  },
  {
    name: "enum value with spaces",
    send: postParts(t2v, [prompt("p"), { name: "resolution", value: " 720p" }]),
    status: 422,
    issue: "enum",
  },
  {
    name: "non-numeric seed",
    send: postParts(t2v, [prompt("p"), { name: "seed", value: "forty-two" }]),
    status: 422,
    issue: "int_parsing",
  },
  {
    name: "hex seed",
    send: postParts(t2v, [prompt("p"), { name: "seed", value: "0x2a" }]),
    status: 422,
    issue: "int_parsing",
  },
  {
    name: "float seed",
    send: postParts(t2v, [prompt("p"), { name: "seed", value: "4.2" }]),
    status: 422,
    issue: "int_parsing",
  },
  {
    name: "blank seed (an empty one is no seed: the default)",
    send: postParts(t2v, [prompt("p"), { name: "seed", value: " " }]),
    status: 422,
    issue: "int_parsing",
  },
  {
    name: "negative seed",
    send: postParts(t2v, [prompt("p"), { name: "seed", value: "-5" }]),
    status: 422,
    issue: "greater_than_equal",
  },
  {
    name: "seed above 2^32-1",
    send: postParts(t2v, [prompt("p"), { name: "seed", value: "99999999999999999999999" }]),
    status: 422,
    issue: "less_than_equal",
  },
  {
    name: "boolean that is not one",
    send: postParts(clip, [prompt("p"), file("data", mp4), { name: "enhance_prompt", value: "perhaps" }]),
    status: 422,
    issue: "bool_parsing",
  },
  {
    name: "empty prompt where one is required (no value, as FastAPI reads a form's empty text)",
    send: postParts(t2v, [prompt("")]),
    status: 422,
    issue: "missing",
  },
  {
    name: "1001-character prompt",
    send: postParts(t2v, [prompt("y".repeat(1001))]),
    status: 422,
    issue: "string_too_long",
  },
  {
    name: "2 MB prompt",
    send: postParts(t2v, [prompt("z".repeat(2 * 1024 * 1024))]),
    status: 400,
    detail: "Part exceeded maximum size of 1024KB.",
  },
  {
    name: "unknown field",
    send: postParts(t2v, [prompt("p"), { name: "negative_prompt", value: "x" }]),
    status: 422,
    issue: "extra_forbidden",
  },
  {
    name: "unknown file field",
    send: postParts(t2v, [prompt("p"), file("data", png)]),
    status: 422,
    issue: "extra_forbidden",
  },
  {
    name: "field name of 300 characters",
    send: postParts(t2v, [prompt("p"), { name: "n".repeat(300), value: "x" }]),
    status: 422,
    issue: "extra_forbidden",
  },
  {
    name: "a file field given as a file, then as text (the last counts)",
    send: postParts(clip, [prompt("p"), file("data", mp4), { name: "data", value: "text" }]),
    status: 422,
    issue: "value_error",
  },
  { name: "missing required file", send: postParts(clip, [prompt("p")]), status: 422, issue: "missing" },
  {
    name: "trajectory that is not JSON",
    send: postParts("/v1/jobs/lucy-motion", [file("data", png), { name: "trajectory", value: "{oops" }]),
    status: 422,
    issue: "json_invalid",
  },
  {
    name: "trajectory with a string coordinate",
    send: postParts("/v1/jobs/lucy-motion", [
      file("data", png),
      { name: "trajectory", value: '[{"frame":0,"x":"a","y":0},{"frame":1,"x":1,"y":1}]' },
    ]),
    status: 422,
    issue: "float_parsing",
  },
  {
    name: "restyle with prompt and reference image",
    send: postParts("/v1/jobs/lucy-restyle-2", [prompt("p"), file("data", mp4), file("reference_image", png)]),
    status: 422,
    issue: "value_error",
  },
  // --- file contents
  {
    name: "text bytes as the video",
    send: postParts(clip, [prompt("p"), file("data", Buffer.from("just text"), "video/mp4")]),
    status: 400,
    detail: "Invalid file type",
  },
  {
    name: "PNG where a video is required",
    send: postParts(clip, [prompt("p"), file("data", png, "video/mp4")]),
    status: 400,
    detail: "Invalid file type",
  },
  {
    name: "video where an image is required",
    send: postParts(image, [prompt("p"), file("data", mp4, "image/png")]),
    status: 400,
    detail: "Invalid file type",
  },
  {
    name: "empty image file",
    send: postParts(image, [prompt("p"), file("data", Buffer.alloc(0), "image/png")]),
    status: 400,
    detail: "Invalid file type",
  },
  {
    name: "GIF where PNG/JPEG/WebP is required",
    send: postParts(image, [prompt("p"), file("data", Buffer.from("GIF89a\x01\x00\x01\x00"), "image/gif")]),
    status: 400,
    detail: "Invalid file type",
  },
  // --- models
  {
    name: "unknown model",
    send: postParts("/v1/jobs/lucy-9000", [prompt("p")]),
    status: 405,
    detail: "Method Not Allowed",
  },
  {
    name: "unknown image model",
    send: postParts("/v1/generate/lucy-9000", [prompt("p")]),
    status: 404,
    detail: "lucy-9000",
  },
  { name: "retired model", send: postParts("/v1/jobs/lucy-2-v2v", [prompt("p")]), status: 410, detail: "retired" },
  {
    name: "model name with a path traversal",
    send: postParts("/v1/generate/..%2F..%2Fetc", [prompt("p")]),
    status: 404,
    detail: "not found",
  },
  // --- keys
  {
    name: "empty key header",
    send: postParts(t2v, [prompt("p")], { "x-api-key": "" }),
    status: 401,
    detail: "API key",
  },
  {
    name: "no key header",
    send: postBody(t2v, multipart(B, [prompt("p")]), { "content-type": MP }, false),
    status: 401,
    detail: "API key",
  },
  {
    name: "made-up client token",
    send: postParts(t2v, [prompt("p")], { "x-api-key": "ek_forged" }),
    status: 401,
    detail: "Invalid API key",
  },
  {
    name: "key header given twice (even the right key)",
    send: () =>
      socketSend(
        `GET /v1/jobs/job_x HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${emu.apiKey}\r\nX-Api-Key: ${emu.apiKey}\r\nConnection: close\r\n\r\n`,
      ),
    status: 401,
    detail: "X-API-KEY given 2 times",
  },
  {
    name: "key with non-ASCII bytes",
    send: getPath("/v1/jobs/job_x", { "x-api-key": Buffer.from([0xe9, 0xff]).toString("latin1") }),
    status: 401,
    detail: "Invalid API key",
  },
  // --- ids and routes
  {
    name: "unknown job id",
    send: getPath("/v1/jobs/job_00000000000000000000000000000000"),
    status: 404,
    detail: "Job not found",
  },
  {
    name: "content of an unknown job",
    send: getPath("/v1/jobs/job_nope/content"),
    status: 404,
    detail: "Job not found",
  },
  {
    name: "path traversal in the job id",
    send: getPath("/v1/jobs/../../etc/passwd"),
    status: 404,
    detail: "Not Found",
  },
  // The path is routed once decoded (as Starlette routes it): `%2F` separates segments, so these are no route's.
  {
    name: "encoded traversal in the job id",
    send: getPath("/v1/jobs/..%2F..%2Fetc%2Fpasswd"),
    status: 404,
    detail: "Not Found",
  },
  {
    name: "encoded traversal in a file id",
    send: getPath("/v1/files/..%2F..%2Fetc%2Fpasswd"),
    status: 404,
    detail: "Not Found",
  },
  {
    name: "malformed percent-encoding in a file id",
    send: getPath("/v1/files/%E0%A4%A"),
    status: 404,
    detail: "File not found",
  },
  {
    name: "job id of 10 000 characters",
    send: getPath(`/v1/jobs/job_${"a".repeat(10_000)}`),
    status: 422,
    issue: "string_too_long",
  },
  {
    name: "job id of 100 000 characters (over the header limit)",
    send: getPath(`/v1/jobs/${"a".repeat(100_000)}`),
    status: 431,
    detail: "Header",
  },
  { name: "unknown route", send: getPath("/v1/videos"), status: 404, detail: "Not Found" },
  { name: "trailing slash, no route without it either", send: getPath("/v1/jobs/"), status: 404, detail: "Not Found" },
  {
    name: "wrong method on status",
    send: getPath("/v1/jobs/job_x", undefined, "PUT"),
    status: 405,
    detail: "Method Not Allowed",
  },
  {
    name: "wrong method on content",
    send: getPath("/v1/jobs/job_x/content", undefined, "POST"),
    status: 405,
    detail: "Method Not Allowed",
  },
  {
    name: "wrong method on tokens",
    send: getPath("/v1/client/tokens", undefined, "DELETE"),
    status: 405,
    detail: "Method Not Allowed",
  },
  { name: "HEAD on tokens (a POST route)", send: getPath("/v1/client/tokens", undefined, "HEAD"), status: 405 },
  {
    name: "bogus fault header",
    send: postParts(t2v, [prompt("p")], { "x-emulator-fault": "meltdown; delay=x" }),
    status: 400,
    detail: "x-emulator-fault",
  },
  // --- tokens
  {
    name: "malformed JSON to tokens",
    send: postBody("/v1/client/tokens", "{expiresIn: 5", { "content-type": "application/json" }),
    status: 422,
    issue: "json_invalid",
  },
  {
    name: "JSON array to tokens",
    send: postBody("/v1/client/tokens", "[1,2]", { "content-type": "application/json" }),
    status: 422,
    issue: "model_attributes_type",
  },
  {
    name: "string expiresIn",
    send: postBody("/v1/client/tokens", '{"expiresIn":"soon"}', { "content-type": "application/json" }),
    status: 422,
    issue: "int_parsing",
  },
  {
    name: "fractional expiresIn",
    send: postBody("/v1/client/tokens", '{"expiresIn":1.5}', { "content-type": "application/json" }),
    status: 422,
    issue: "int_from_float",
  },
  {
    name: "allowedModels of numbers",
    send: postBody("/v1/client/tokens", '{"allowedModels":[1]}', { "content-type": "application/json" }),
    status: 422,
    issue: "string_type",
  },
  {
    name: "tokens body over 64 KB",
    send: postBody("/v1/client/tokens", `{"metadata":{"x":"${"m".repeat(70_000)}"}}`, {
      "content-type": "application/json",
    }),
    status: 413,
    detail: "too large",
  },
  // --- files
  {
    name: "upload with ttl_seconds out of range",
    send: postParts("/v1/files", [file("file", png), { name: "ttl_seconds", value: "5" }]),
    status: 422,
    issue: "greater_than_equal",
  },
  {
    name: "upload with text instead of a file",
    send: postParts("/v1/files", [{ name: "file", value: "hello" }]),
    status: 422,
    issue: "value_error",
  },
  // --- not even HTTP
  {
    name: "garbage instead of an HTTP request",
    send: () => socketSend("HELLO THERE\r\n\r\n"),
    status: 400,
    detail: "Bad Request",
  },
  {
    name: "request line with a bad header",
    send: () => socketSend("GET /v1/jobs/x HTTP/1.1\r\nBad Header\r\n\r\n"),
    status: 400,
    detail: "Bad Request",
  },
  {
    name: "conflicting Content-Length and Transfer-Encoding",
    send: () =>
      socketSend(
        `POST ${t2v} HTTP/1.1\r\nHost: x\r\nx-api-key: ${emu.apiKey}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      ),
    status: 400,
    detail: "Bad Request",
  },
];

describe("bad input", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s → 4xx JSON", async (_, c) => {
    const res = await c.send();
    expect(res.status).toBe(c.status);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    if (c.status === 405 && res.body.length === 0) return; // HEAD: no body by definition
    expect(String(res.headers["content-type"])).toContain("application/json");
    const body = JSON.parse(res.body.toString("utf8")) as { detail: unknown };
    if (c.issue) {
      expect(Array.isArray(body.detail)).toBe(true);
      const types = (body.detail as { type: string; loc: unknown[]; msg: string }[]).map((d) => d.type);
      expect(types).toContain(c.issue);
      for (const d of body.detail as { loc: unknown[]; msg: string }[]) {
        expect(Array.isArray(d.loc)).toBe(true);
        expect(typeof d.msg).toBe("string");
      }
    } else {
      expect(typeof body.detail).toBe("string");
      if (c.detail)
        expect(body.detail as string).toMatch(typeof c.detail === "string" ? new RegExp(c.detail, "i") : c.detail);
    }
  });

  // Against an emulator of a 1 MiB limit, so that the client need not push hundreds of MB before the answer (the
  // default limit, 200 MiB, took a loaded machine most of the test's time): 64 MiB offered, the answer well before.
  it("rejects an upload over maxUploadBytes while streaming (413), without the client finishing, and stays up", async () => {
    const limit = 1024 * 1024;
    const small = await start({ maxUploadBytes: limit });
    try {
      await rejectsWhileStreaming(small, limit);
    } finally {
      await small.close();
    }
  });

  async function rejectsWhileStreaming(on: Emulator, limit: number): Promise<void> {
    const u = new URL(on.url);
    const head = Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\np\r\n--${B}\r\nContent-Disposition: form-data; name="data"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    );
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    const total = 64 * limit;
    const result = await new Promise<{ status: number; body: string; sent: number; close?: string }>(
      (resolve, reject) => {
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            method: "POST",
            path: clip,
            // chunked: no Content-Length, so the limit must be found while streaming
            headers: { "x-api-key": on.apiKey, "content-type": MP, "transfer-encoding": "chunked" },
          },
          (res) => {
            answered = true;
            let body = "";
            res.on("data", (c: Buffer) => {
              body += c.toString();
            });
            // The server closes the connection after its answer (Connection: close): the body may end with a reset.
            res.on("close", () => {
              req.destroy();
              resolve({ status: res.statusCode ?? 0, body, sent, close: res.headers.connection });
            });
          },
        );
        let answered = false;
        req.on("error", (err) => {
          if (!answered && !req.destroyed) reject(err);
        });
        req.write(head);
        req.write(mp4);
        const pump = () => {
          while (sent < total && !req.destroyed) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once("drain", pump);
          }
          if (!req.destroyed) req.end(`\r\n--${B}--\r\n`);
        };
        pump();
      },
    );
    expect(result.status).toBe(413);
    expect(result.close).toBe("close");
    expect(JSON.parse(result.body).detail).toBe(`Upload too large: the limit is ${limit} bytes.`);
    // Answered while the upload went on: far less than offered went out (all of it when the limit is checked at the
    // end of the body).
    expect(result.sent).toBeLessThan(total / 2);
    // And it still answers.
    const after = await fetch(`${on.url}/v1/jobs/job_none`, { headers: { "x-api-key": on.apiKey } });
    expect(after.status).toBe(404);
  }

  it("rejects a declared 300 MB Content-Length at once (413)", async () => {
    const u = new URL(emu.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          method: "POST",
          path: clip,
          headers: { ...key(), "content-type": MP, "content-length": 300 * 1024 * 1024 },
        },
        (res) => {
          res.resume();
          req.destroy();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", (err) => {
        if (!req.destroyed) reject(err);
      });
      req.write(Buffer.alloc(1024));
    });
    expect(status).toBe(413);
  });

  it("answers an unsupported Expect header with 417 JSON", async () => {
    const u = new URL(emu.url);
    type Answer = { status: number; type: string; connection: string; body: string };
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = request(
        { host: u.hostname, port: u.port, method: "GET", path: "/v1/jobs/job_x", headers: { ...key(), expect: "foo" } },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c) => {
            body += c;
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers["content-type"]),
              connection: String(res.headers.connection),
              body,
            }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(417);
    expect(answer.type).toContain("application/json");
    expect(answer.connection).toBe("close");
    expect(JSON.parse(answer.body).detail).toBe('Unsupported Expect header: "foo"');
  });

  it("survives a client that goes away in the middle of an upload", async () => {
    const u = new URL(emu.url);
    const body = multipart(B, [prompt("p"), file("data", Buffer.concat([mp4, Buffer.alloc(512 * 1024)]))]);
    await new Promise<void>((resolve) => {
      const req = request({
        host: u.hostname,
        port: u.port,
        method: "POST",
        path: clip,
        headers: { ...key(), "content-type": MP, "content-length": body.length },
      });
      req.on("error", () => resolve());
      req.write(body.subarray(0, body.length >> 1), () => {
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50);
      });
    });
    const res = await raw(emu.url, { path: "/v1/jobs/job_x", headers: key() });
    expect(res.status).toBe(404);
  });

  it("creates no job through any of the cases, and still answers a normal request after them", async () => {
    const e = await start();
    const before = emu;
    emu = e;
    try {
      for (const c of cases) expect((await c.send()).status, c.name).toBe(c.status);
      expect(e.stats()).toMatchObject({ jobsCreated: 0, jobsKept: 0 });
      const id = await submit(e, "lucy-pro-t2v", { prompt: "after the storm" });
      expect(e.job(id)?.model).toBe("lucy-pro-t2v");
      expect(e.stats().jobsKept).toBe(1);
    } finally {
      emu = before;
      await e.close();
    }
  });
});

describe("a path id", () => {
  // The spec's maxLength counts characters (code points, as JSON Schema does) of the id, not of its percent-encoding:
  // 256 emoji (3 072 characters as sent) were answered 422.
  it("is held to 1 to 256 characters once decoded, counted as code points: 256 emoji are an id, 257 are not", async () => {
    for (const [path, name] of [
      ["/v1/jobs/", "job_id"],
      ["/v1/files/", "file_id"],
    ] as const) {
      for (const [id, status] of [
        ["😀".repeat(256), 404],
        ["j".repeat(256), 404],
        ["😀".repeat(257), 422],
        ["j".repeat(257), 422],
      ] as const) {
        const res = await raw(emu.url, { path: `${path}${encodeURIComponent(id)}`, headers: key() });
        expect(res.status, `${path} ${id.length}`).toBe(status);
        if (status === 422)
          expect(jsonOf(res).detail[0]).toMatchObject({ type: "string_too_long", loc: ["path", name] });
      }
    }
  });

  // Starlette reads the path through urllib's unquote: a `%` that starts no escape stays as it is, and escaped bytes
  // that are not UTF-8 become U+FFFD (each maximal bad run one, as Python's decoder replaces them). A malformed id was
  // measured as sent: `%E0%A4` (one U+FFFD) counted 6 characters, and 256 of them were answered 422.
  it("with malformed percent-encoding is decoded as unquote decodes it, then measured", async () => {
    const emoji = "%F0%9F%98%80"; // one code point
    const bad = "%E0%A4"; // a truncated sequence: one U+FFFD
    for (const [path, name] of [
      ["/v1/jobs/", "job_id"],
      ["/v1/files/", "file_id"],
      ["/_emulator/jobs/", "job_id"],
    ] as const) {
      for (const [id, status] of [
        [`%zz${emoji.repeat(253)}`, 404], // 256
        [`%zz${emoji.repeat(254)}`, 422],
        [`%${emoji.repeat(255)}`, 404], // a lone `%`, then 255: 256
        [`%${emoji.repeat(256)}`, 422],
        [`${emoji.repeat(255)}%`, 404], // a `%` at the end
        [`${emoji.repeat(255)}%2`, 422], // `%2` is two characters
        [bad.repeat(256), 404],
        [bad.repeat(257), 422],
        ["%ED%A0%80".repeat(85), 404], // an encoded surrogate: 3 U+FFFD each, 255
        ["%ED%A0%80".repeat(86), 422], // 258
        [`%C3%A9${"%C3".repeat(255)}`, 404], // é, then 255 lone lead bytes
        [`%C3%A9${"%C3".repeat(256)}`, 422],
      ] as const) {
        const headers = path.startsWith("/_emulator") ? { authorization: `Bearer ${emu.adminToken}` } : key();
        const res = await raw(emu.url, { path: `${path}${id}`, headers });
        expect(res.status, `${path} ${id.slice(0, 30)}…`).toBe(status);
        if (status === 422)
          expect(jsonOf(res).detail[0]).toMatchObject({ type: "string_too_long", loc: ["path", name] });
      }
    }
  });
});

// uvicorn hands Starlette the path percent-decoded (urllib's unquote), and Starlette routes that: an escaped
// character is the character, `%2F` a `/` between segments, and a path parameter is never decoded twice. The
// emulator routed the path as sent and decoded the id alone: `/v1/jobs/lucy%2Dpro%2Dt2v` was an unknown model, and
// `/v1/jobs/{id}%2Fcontent` the status of no job.
describe("a path", () => {
  it("is routed once percent-decoded, as Starlette routes uvicorn's decoded path", async () => {
    let clock = 1_000_000;
    const e = await start({ now: () => clock });
    try {
      const key = { "x-api-key": e.apiKey };
      const fields = new FormData();
      fields.append("prompt", "an escaped model name");
      const submitted = await fetch(`${e.url}/v1/jobs/lucy%2Dpro%2Dt2v`, {
        method: "POST",
        headers: key,
        body: fields,
      });
      expect(submitted.status).toBe(200);
      const id = ((await submitted.json()) as { job_id: string }).job_id;
      expect(e.job(id)?.model).toBe("lucy-pro-t2v");
      clock += 3_600_000;
      const status = await raw(e.url, { path: `/v1/%6Aobs/${id.replace("_", "%5F")}`, headers: key });
      expect(jsonOf(status)).toMatchObject({ job_id: id, status: "completed" });
      for (const path of [`/v1/jobs/${id}%2Fcontent`, `/v1/jobs/${id}/%63ontent`]) {
        const content = await raw(e.url, { path, headers: key });
        expect(content.status, path).toBe(200);
        expect(content.headers["content-type"], path).toBe("video/mp4");
      }
      expect(e.job(id)?.contentReads).toBe(2);
      // A `/` escaped in an id separates segments: the path is no route's.
      const traversal = await raw(e.url, { path: "/v1/jobs/..%2F..%2Fetc%2Fpasswd", headers: key });
      expect([traversal.status, jsonOf(traversal)]).toEqual([404, { detail: "Not Found" }]);
      // Decoded once: `%2541` is the three characters `%41` (258 of them here: too long), not `A`.
      const once = await raw(e.url, { path: `/v1/jobs/${"%2541".repeat(86)}`, headers: key });
      expect(once.status).toBe(422);
      expect((await raw(e.url, { path: `/v1/jobs/${"%2541".repeat(85)}`, headers: key })).status).toBe(404);
    } finally {
      await e.close();
    }
  });

  // Starlette's router (redirect_slashes, on by default) answers a path that is no route's, but is one without its
  // trailing slashes, 307 to that path: before the key, the method or the body is looked at.
  it("with a trailing slash, where the path without it is a route's, answers 307 to that path, as Starlette does", async () => {
    const e = await start();
    try {
      const key = { "x-api-key": e.apiKey };
      const origin = `http://${new URL(e.url).host}`;
      const id = await submit(e, "lucy-pro-t2v", { prompt: "slash" });
      for (const [method, path, to] of [
        ["GET", `/v1/jobs/${id}/`, `/v1/jobs/${id}`],
        ["HEAD", `/v1/jobs/${id}/`, `/v1/jobs/${id}`],
        ["GET", `/v1/jobs/${id}/content//?x=1&y=%20`, `/v1/jobs/${id}/content?x=1&y=%20`],
        ["POST", "/v1/jobs/lucy-pro-t2v/", "/v1/jobs/lucy-pro-t2v"],
        ["POST", "/v1/client/tokens/", "/v1/client/tokens"],
        ["DELETE", "/v1/files/file_x/", "/v1/files/file_x"],
        // A method the path does not take: its 405 comes after the redirect.
        ["PATCH", `/v1/jobs/${id}/`, `/v1/jobs/${id}`],
        // The path as routed (decoded once), quoted again as Python's quote does: `-` is kept, `é` and a space not.
        ["GET", "/v1/jobs/lucy%2Dpro/", "/v1/jobs/lucy-pro"],
        ["GET", "/v1/jobs/%C3%A9t%C3%A9%20x/", "/v1/jobs/%C3%A9t%C3%A9%20x"],
      ] as const) {
        for (const headers of [key, {}]) {
          const r = await raw(e.url, { method, path, headers });
          expect([r.status, r.headers.location], `${method} ${path}`).toEqual([307, `${origin}${to}`]);
          expect(r.headers["content-length"]).toBe("0");
          expect(r.body.length).toBe(0);
        }
      }
      // No Host (HTTP/1.0): the address it was reached on, as Starlette uses the server's.
      const bare = await untilClosed(e.url, `GET /v1/jobs/${id}/ HTTP/1.0\r\n\r\n`);
      expect(bare).toMatch(
        new RegExp(`^HTTP/1.1 307 [^\r]*\r\n(?:[^\r]+\r\n)*location: ${origin}/v1/jobs/${id}\r\n`, "i"),
      );
      // No route either way: 404 as before (an empty id, an id of two segments, the root); the admin routes, the
      // emulator's own, do not redirect.
      for (const path of ["/v1/jobs/", "/v1/jobs//", "/v1/jobs/a/b/", "/v1/jobs/a%2Fb/", "/", "//"]) {
        const r = await raw(e.url, { path, headers: key });
        expect([r.status, jsonOf(r)], path).toEqual([404, { detail: "Not Found" }]);
      }
      const admin = await raw(e.url, {
        path: "/_emulator/stats/",
        headers: { authorization: `Bearer ${e.adminToken}` },
      });
      expect(admin.status).toBe(404);
      // A client that follows it gets the route's answer; a POST is sent again, body and all.
      const followed = await fetch(`${e.url}/v1/jobs/${id}/`, { headers: key });
      expect([followed.status, followed.redirected]).toEqual([200, true]);
      expect(((await followed.json()) as { job_id: string }).job_id).toBe(id);
      const token = await fetch(`${e.url}/v1/client/tokens/`, {
        method: "POST",
        headers: { ...key, "content-type": "application/json" },
        body: '{"expiresIn": "5"}',
      });
      expect(token.status).toBe(200);
    } finally {
      await e.close();
    }
  });
});
