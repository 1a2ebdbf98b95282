/**
 * Wire fidelity: the same calls through the official `@decartai/sdk` 0.1.20 and through this client reach a tiny
 * capture server on loopback, which records each request (method, path, headers, every multipart part or the JSON
 * body) and answers canned JSON. Both requests must match: path, method, key, and every part with the same
 * encoding (in any order). The official SDK may send an extra field only when its value is the spec's default for that field (it
 * always adds `resolution=720p`, a schema default).
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { catalogue, type ModelName } from "@decart/api";
import { createDecartClient as createOfficialClient, models as officialModels } from "@decartai/sdk";
import busboy from "busboy";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDecartClient, models } from "../src/index.js";

interface Part {
  name: string;
  /** A text part's value. */
  value?: string;
  /** A file part's filename, declared type and bytes (hex). */
  filename?: string;
  type?: string;
  bytes?: string;
}

interface Captured {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The key header's name as sent (its case). */
  keyHeader: string | undefined;
  parts: Part[];
  /** A JSON body, parsed. */
  json?: unknown;
}

const KEY = "dct_wire_test_key_0123456789";
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2]);
const JOB_ID = `job_${"ab".repeat(16)}`;

const captured: Captured[] = [];
let server: Server;
let baseUrl: string;

function readMultipart(req: import("node:http").IncomingMessage): Promise<Part[]> {
  return new Promise((resolve, reject) => {
    const parts: Part[] = [];
    const bb = busboy({ headers: req.headers, defParamCharset: "utf8" });
    bb.on("field", (name, value) => parts.push({ name, value }));
    bb.on("file", (name, stream, info) => {
      const part: Part = { name, filename: info.filename, type: info.mimeType };
      parts.push(part);
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        part.bytes = Buffer.concat(chunks).toString("hex");
      });
    });
    bb.on("close", () => resolve(parts));
    bb.on("error", reject);
    req.pipe(bb);
  });
}

async function readBody(req: import("node:http").IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Canned answers, enough for either client to finish its call. */
function answer(path: string): { type: string; body: Buffer | string } {
  if (path.startsWith("/v1/generate/")) return { type: "image/png", body: Buffer.from(PNG) };
  if (path.startsWith("/v1/jobs/"))
    return { type: "application/json", body: JSON.stringify({ job_id: JOB_ID, status: "pending" }) };
  if (path === "/v1/client/tokens") {
    return {
      type: "application/json",
      body: JSON.stringify({
        apiKey: "ek_wire",
        token: "a.b.c",
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        permissions: null,
        constraints: null,
      }),
    };
  }
  return {
    type: "application/json",
    body: JSON.stringify({
      id: "file_wire",
      filename: "frame.png",
      mime_type: "image/png",
      size_bytes: PNG.byteLength,
      created_at: new Date().toISOString(),
      expires_at: null,
    }),
  };
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    try {
      const type = req.headers["content-type"] ?? "";
      const record: Captured = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        keyHeader: req.rawHeaders.find((h, i) => i % 2 === 0 && h.toLowerCase() === "x-api-key"),
        parts: [],
      };
      if (type.startsWith("multipart/form-data")) record.parts = await readMultipart(req);
      else {
        const body = await readBody(req);
        if (body.length) record.json = JSON.parse(body.toString("utf8"));
      }
      captured.push(record);
      const { type: answerType, body } = answer(record.path);
      res.writeHead(200, { "content-type": answerType, "content-length": Buffer.byteLength(body) });
      res.end(body);
    } catch (e) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: String(e) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

beforeEach(() => {
  captured.length = 0;
});

const official = () => createOfficialClient({ apiKey: KEY, baseUrl });
const ours = () => createDecartClient({ apiKey: KEY, baseUrl, logger: { warn: () => {} } });

/** Runs one call and returns the one request it made. */
async function one(call: () => Promise<unknown>): Promise<Captured> {
  const start = captured.length;
  await call();
  const made = captured.slice(start);
  expect(made).toHaveLength(1);
  return made[0]!;
}

const mediaType = (h: IncomingHttpHeaders) => (h["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();

/**
 * The two requests match: method, path, key, content type, and the same parts in the same order with the same
 * encodings. A part only the official request has must carry the spec's default for that field.
 */
function expectSame(theirs: Captured, mine: Captured, model?: ModelName) {
  expect(mine.method).toBe(theirs.method);
  expect(mine.path).toBe(theirs.path);
  expect(theirs.headers["x-api-key"]).toBe(KEY);
  expect(mine.headers["x-api-key"]).toBe(KEY);
  expect(theirs.keyHeader).toBe("X-API-KEY");
  expect(mine.keyHeader).toBe(theirs.keyHeader);
  expect(mediaType(mine.headers)).toBe(mediaType(theirs.headers));

  const names = (parts: Part[]) => parts.map((p) => p.name);
  // No field sent twice by either client.
  expect(new Set(names(theirs.parts)).size).toBe(theirs.parts.length);
  expect(new Set(names(mine.parts)).size).toBe(mine.parts.length);

  const extra = theirs.parts.filter((p) => !names(mine.parts).includes(p.name));
  for (const part of extra) {
    const field = model ? catalogue[model].fields.find((f) => f.name === part.name) : undefined;
    const fallback = field && "default" in field ? field.default : undefined;
    expect(fallback, `official extra field "${part.name}" has a default in the spec`).toBeDefined();
    expect(part, `official extra field "${part.name}" carries the default`).toEqual({
      name: part.name,
      value: String(fallback),
    });
  }
  // Everything we send, the official SDK sends too, encoded the same way. (The order of parts may differ: the
  // official restyle schema lists reference_image before data; a form is read by name.)
  const byName = (parts: Part[]) => [...parts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  expect(byName(mine.parts)).toEqual(byName(theirs.parts.filter((p) => !extra.includes(p))));
}

const png = (tag: number) => new Blob([PNG, new Uint8Array([tag])], { type: "image/png" });
const mp4 = (tag: number) =>
  new Blob([new Uint8Array([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, tag])], { type: "video/mp4" });

describe("wire fidelity with the official @decartai/sdk", () => {
  it("process: lucy-image-2 with an image, a reference image, a seed and enhance_prompt=false", async () => {
    const inputs = { prompt: "make it blue", data: png(1), reference_image: png(2), seed: 42, enhance_prompt: false };
    const theirs = await one(() => official().process({ model: officialModels.image("lucy-image-2"), ...inputs }));
    const mine = await one(() => ours().process({ model: models.image("lucy-image-2"), ...inputs }));
    expect(theirs.path).toBe("/v1/generate/lucy-image-2");
    expect(mine.method).toBe("POST");
    expectSame(theirs, mine, "lucy-image-2");
    expect(theirs.parts).toContainEqual({ name: "resolution", value: "720p" });
    expect(mine.parts).toEqual([
      { name: "prompt", value: "make it blue" },
      { name: "data", filename: "blob", type: "image/png", bytes: Buffer.from([...PNG, 1]).toString("hex") },
      { name: "reference_image", filename: "blob", type: "image/png", bytes: Buffer.from([...PNG, 2]).toString("hex") },
      { name: "seed", value: "42" },
      { name: "enhance_prompt", value: "false" },
    ]);
  });

  it("queue.submit: lucy-clip with a video, a seed and enhance_prompt=true", async () => {
    const inputs = { prompt: "a sunny day", data: mp4(3), seed: 7, enhance_prompt: true };
    const theirs = await one(() => official().queue.submit({ model: officialModels.video("lucy-clip"), ...inputs }));
    const mine = await one(() => ours().queue.submit({ model: models.video("lucy-clip"), ...inputs }));
    expect(theirs.path).toBe("/v1/jobs/lucy-clip");
    expectSame(theirs, mine, "lucy-clip");
    expect(mine.parts.map((p) => p.name)).toEqual(["prompt", "data", "seed", "enhance_prompt"]);
    expect(mine.parts.find((p) => p.name === "enhance_prompt")?.value).toBe("true");
  });

  it("queue.submit: lucy-restyle-2 with a reference image and no prompt", async () => {
    const inputs = { data: mp4(4), reference_image: png(5) };
    const theirs = await one(() =>
      official().queue.submit({ model: officialModels.video("lucy-restyle-2"), ...inputs }),
    );
    const mine = await one(() => ours().queue.submit({ model: models.video("lucy-restyle-2"), ...inputs }));
    expect(theirs.path).toBe("/v1/jobs/lucy-restyle-2");
    expectSame(theirs, mine, "lucy-restyle-2");
    expect(mine.parts.map((p) => p.name)).toEqual(["data", "reference_image"]);
  });

  it("queue.submit: lucy-2.1 with an empty prompt (sent as an empty part)", async () => {
    const inputs = { prompt: "", data: mp4(6) };
    const theirs = await one(() => official().queue.submit({ model: officialModels.video("lucy-2.1"), ...inputs }));
    const mine = await one(() => ours().queue.submit({ model: models.video("lucy-2.1"), ...inputs }));
    expect(theirs.path).toBe("/v1/jobs/lucy-2.1");
    expectSame(theirs, mine, "lucy-2.1");
    expect(mine.parts.find((p) => p.name === "prompt")).toEqual({ name: "prompt", value: "" });
  });

  it("tokens.create: the same JSON body", async () => {
    const options = {
      expiresIn: 120,
      allowedModels: ["lucy-pro-t2v" as const],
      allowedOrigins: ["https://example.com"],
    };
    const theirs = await one(() => official().tokens.create(options));
    const mine = await one(() => ours().tokens.create(options));
    expect(theirs.path).toBe("/v1/client/tokens");
    expectSame(theirs, mine);
    expect(mediaType(mine.headers)).toBe("application/json");
    expect(mine.json).toEqual(theirs.json);
    expect(mine.json).toEqual(options);

    const bareTheirs = await one(() => official().tokens.create());
    const bareMine = await one(() => ours().tokens.create());
    expectSame(bareTheirs, bareMine);
    expect(bareMine.json).toEqual(bareTheirs.json);
  });

  it("files.upload: a named File and a bare Blob, with ttl_seconds", async () => {
    const file = new File([PNG], "frame.png", { type: "image/png" });
    const theirs = await one(() => official().files.upload(file, { ttlSeconds: 3600 }));
    const mine = await one(() => ours().files.upload(file, { ttlSeconds: 3600 }));
    expect(theirs.path).toBe("/v1/files");
    expectSame(theirs, mine);
    expect(mine.parts).toEqual([
      { name: "file", filename: "frame.png", type: "image/png", bytes: Buffer.from(PNG).toString("hex") },
      { name: "ttl_seconds", value: "3600" },
    ]);

    const blob = new Blob([PNG]);
    const bareTheirs = await one(() => official().files.upload(blob, { ttlSeconds: "persistent" }));
    const bareMine = await one(() => ours().files.upload(blob, { ttlSeconds: "persistent" }));
    expectSame(bareTheirs, bareMine);
    expect(bareMine.parts[0]).toMatchObject({ name: "file", filename: "blob", type: "application/octet-stream" });
  });
});
