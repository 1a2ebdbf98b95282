/** Shared test helpers: real HTTP on loopback, sample media from the media module, ffmpeg checks. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogue } from "@decart/api";
import { afterAll, expect, vi } from "vitest";
import type { Emulator, EmulatorOptions, JobStatus } from "../src/index.js";
import { startEmulator } from "../src/index.js";
import { renderImage, renderVideo } from "../src/media/index.js";

export function start(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ timing: "fast", ...options });
}

/**
 * How much fake time had to pass before `run`'s promise settled, in ms, and what it settled with: with `setTimeout`
 * faked (the emulator's waits are timers), time moves 1 ms at a time, with a turn of the event loop between (real I/O:
 * loopback requests go on). A wait of N ms cannot end before N ms were moved, however slow the machine: a count, not a
 * stopwatch.
 */
export async function fakeMsUntil<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    let done = false;
    const settled = run().finally(() => {
      done = true;
    });
    settled.catch(() => {});
    let ms = 0;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (done) break;
      await vi.advanceTimersByTimeAsync(1);
      ms++;
    }
    return { ms, value: await settled };
  } finally {
    vi.useRealTimers();
  }
}

let mp4: Uint8Array | undefined;
let png: Uint8Array | undefined;

/** A small valid H.264 MP4 (16:9) to upload as input. */
export async function sampleMp4(): Promise<Uint8Array> {
  mp4 ??= await renderVideo({ prompt: "input clip", seed: 7, width: 64, height: 36, fps: 5, durationSeconds: 1 });
  return mp4;
}

/** A small valid PNG to upload as input. */
export function samplePng(): Uint8Array {
  png ??= renderImage({ prompt: "input image", seed: 7, width: 32, height: 18, format: "png" });
  return png;
}

export function blob(bytes: Uint8Array, type = "application/octet-stream"): Blob {
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
}

/** FormData from a record: strings as text parts, Uint8Array / Blob as file parts (filename "blob"). */
export function form(fields: Record<string, string | Uint8Array | Blob | undefined>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (typeof v === "string") fd.append(k, v);
    else if (v instanceof Blob) fd.append(k, v, "blob");
    else fd.append(k, blob(v), "blob");
  }
  return fd;
}

export function headers(emu: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return { "x-api-key": emu.apiKey, ...extra };
}

export async function post(emu: Emulator, path: string, body: FormData, extra: Record<string, string> = {}) {
  return fetch(`${emu.url}${path}`, { method: "POST", headers: headers(emu, extra), body });
}

export async function get(emu: Emulator, path: string, extra: Record<string, string> = {}) {
  return fetch(`${emu.url}${path}`, { headers: headers(emu, extra) });
}

/** Submits a job and returns its id (asserting a 200). */
export async function submit(
  emu: Emulator,
  model: string,
  fields: Record<string, string | Uint8Array | Blob | undefined>,
  extra: Record<string, string> = {},
): Promise<string> {
  const res = await post(emu, `/v1/jobs/${model}`, form(fields), extra);
  const body = (await res.json()) as { job_id: string; status: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.status).toBe("pending");
  return body.job_id;
}

export interface StatusBody {
  job_id: string;
  status: JobStatus;
  model?: string;
  error?: string;
  created_at?: string;
  updated_at?: string;
}

/** Polls until the job is terminal (or `until` is seen); returns every status seen, in order. */
export async function pollUntil(
  emu: Emulator,
  jobId: string,
  until: (s: StatusBody) => boolean = (s) => s.status === "completed" || s.status === "failed",
  everyMs = 5,
  apiKey = emu.apiKey,
): Promise<StatusBody[]> {
  const seen: StatusBody[] = [];
  for (;;) {
    const res = await fetch(`${emu.url}/v1/jobs/${jobId}`, { headers: { "x-api-key": apiKey } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as StatusBody;
    seen.push(body);
    if (until(body)) return seen;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Distinct statuses in order of first appearance. */
export function distinct(seen: StatusBody[]): JobStatus[] {
  const out: JobStatus[] = [];
  for (const s of seen) if (out[out.length - 1] !== s.status) out.push(s.status);
  return out;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request through node:http with full control over headers and body (for malformed input). */
export function raw(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer | string },
): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method: options.method ?? "GET", path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

export function jsonOf(r: RawResponse): any {
  return JSON.parse(r.body.toString("utf8"));
}

/**
 * Writes `bytes` on a new connection and resolves with everything the server sent once it closed the connection, one
 * character a byte (latin1), so that a request Node's client would not send (no Host, two Hosts, a CONNECT, bytes
 * that are not HTTP) can be sent and its whole answer read.
 */
export function untilClosed(url: string, bytes: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(bytes));
    let out = "";
    socket.on("data", (c: Buffer) => {
      out += c.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(out));
  });
}

/** The JSON body of an answer read by untilClosed, its bytes read as UTF-8. */
export function bodyOf(answer: string): any {
  return JSON.parse(Buffer.from(answer.slice(answer.indexOf("\r\n\r\n") + 4), "latin1").toString("utf8"));
}

/** A multipart body written by hand. */
export function multipart(
  boundary: string,
  parts: { name: string; value: string | Buffer; filename?: string; type?: string }[],
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += "\r\n";
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(
      Buffer.from(`${head}\r\n`),
      Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value),
      Buffer.from("\r\n"),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------------- ffmpeg

let dir: string | undefined;
let counter = 0;

// Each test file that imports these helpers removes its scratch directory when it ends.
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

export function saveTemp(bytes: Uint8Array, ext: string): string {
  dir ??= mkdtempSync(join(tmpdir(), "emulator-test-"));
  const path = join(dir, `f${counter++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

function tool(name: "ffmpeg" | "ffprobe", args: string[]) {
  const r = spawnSync(name, args, { maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`failed to run ${name} (is ffmpeg installed?): ${r.error.message}`);
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Decodes every frame with strict error detection: must succeed and print nothing. */
export function expectCleanDecode(path: string): void {
  const r = tool("ffmpeg", ["-nostdin", "-v", "error", "-err_detect", "explode", "-i", path, "-f", "null", "-"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
}

export function probe(path: string): { codec_name: string; width: number; height: number; nb_frames?: string } {
  const r = tool("ffprobe", ["-v", "error", "-of", "json", "-show_streams", path]);
  expect(r.status).toBe(0);
  const streams = (JSON.parse(r.stdout) as { streams: any[] }).streams;
  expect(streams).toHaveLength(1);
  return streams[0];
}

// ---------------------------------------------------------------------------------------------------- catalogue

export type ModelName = keyof typeof catalogue;

export function modelsOfKind(kind: "video" | "image"): ModelName[] {
  return (Object.keys(catalogue) as ModelName[]).filter((m) => catalogue[m].kind === kind);
}

/** A valid input set for any model, built from the catalogue (required fields, plus one side of exactlyOne rules). */
export async function validInputs(
  model: ModelName,
  prompt = "a test prompt",
): Promise<Record<string, string | Uint8Array>> {
  const info = catalogue[model];
  const out: Record<string, string | Uint8Array> = {};
  const wanted = new Set<string>(info.fields.filter((f) => f.required).map((f) => f.name));
  for (const rule of info.rules as readonly { rule: string; fields?: readonly string[] }[]) {
    if (rule.rule === "exactlyOne" && rule.fields?.[0]) wanted.add(rule.fields[0]);
  }
  for (const f of info.fields as readonly {
    name: string;
    type: string;
    accept?: readonly string[];
    enum?: readonly string[];
  }[]) {
    if (!wanted.has(f.name)) continue;
    if (f.type === "file") out[f.name] = f.accept?.[0]?.startsWith("video/") ? await sampleMp4() : samplePng();
    else if (f.type === "json")
      out[f.name] = JSON.stringify([
        { frame: 0, x: 1, y: 2 },
        { frame: 10, x: 30, y: 40 },
      ]);
    else if (f.name === "prompt") out[f.name] = prompt;
    else if (f.enum) out[f.name] = f.enum[0]!;
    else if (f.type === "integer") out[f.name] = "1";
    else if (f.type === "boolean") out[f.name] = "true";
    else out[f.name] = "x";
  }
  return out;
}
