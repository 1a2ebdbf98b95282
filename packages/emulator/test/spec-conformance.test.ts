/**
 * The emulator's answers against spec/openapi.yaml: each status is one the spec lists for the operation, and a JSON
 * body is valid against the spec's schema for that status. Covers the answers every operation can give (no key, a
 * client token used from an Origin it does not allow, each error fault) and the token route's own refusals.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { ERROR_FAULTS } from "../src/faults.js";
import type { Emulator } from "../src/index.js";
import { jsonOf, multipart, type RawResponse, raw, samplePng, start } from "./helpers.js";

const spec = YAML.parse(readFileSync(new URL("../../../spec/openapi.yaml", import.meta.url), "utf8"));

/** Follows a local `#/a/b` reference, repeatedly. */
function deref(node: any): any {
  let n = node;
  while (n && typeof n.$ref === "string") {
    n = n.$ref
      .slice(2)
      .split("/")
      .reduce((o: any, k: string) => o[k], spec);
  }
  return n;
}

const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
const TYPES: Record<string, ((v: unknown) => boolean) | undefined> = {
  string: (v) => typeof v === "string",
  integer: (v) => Number.isInteger(v),
  number: (v) => typeof v === "number",
  boolean: (v) => typeof v === "boolean",
  array: Array.isArray,
  object: isObject,
};

/** What in `value` the schema refuses (type, enum, required, properties, items, oneOf), each with where. */
function problems(node: any, value: unknown, at = "body"): string[] {
  const s = deref(node);
  if (s.oneOf) {
    const passing = s.oneOf.filter((o: any) => problems(o, value, at).length === 0).length;
    if (passing !== 1) return [`${at}: matches ${passing} of oneOf`];
  }
  if (s.type && !TYPES[s.type]?.(value)) return [`${at}: not ${s.type}: ${JSON.stringify(value)}`];
  if (s.enum && !s.enum.includes(value)) return [`${at}: not one of ${s.enum.join(", ")}`];
  const out: string[] = [];
  if (Array.isArray(value) && s.items) out.push(...value.flatMap((v, i) => problems(s.items, v, `${at}[${i}]`)));
  if (isObject(value)) {
    const record = value as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in record)) out.push(`${at}.${k}: missing`);
    for (const [k, v] of Object.entries(record)) {
      if (s.properties?.[k]) out.push(...problems(s.properties[k], v, `${at}.${k}`));
      else if (s.additionalProperties === false) out.push(`${at}.${k}: not in the schema`);
    }
  }
  return out;
}

/** Expects the answer to be one the spec lists for the operation, its JSON body valid for that status. */
function expectConforms(template: string, method: string, r: RawResponse, expected: number): void {
  const where = `${method.toUpperCase()} ${template} ${r.status}`;
  expect(r.status, where).toBe(expected);
  const responses = spec.paths[template][method].responses;
  expect(Object.keys(responses), `${where}: a status the spec lists`).toContain(String(r.status));
  const schema = deref(responses[String(r.status)]).content?.["application/json"]?.schema;
  if (!schema || method === "head") return;
  expect(String(r.headers["content-type"]), where).toMatch(/^application\/json/);
  expect(problems(schema, jsonOf(r)), where).toEqual([]);
}

const ORIGIN = "https://app.example";
const BOUNDARY = "conformance";

let emu: Emulator;
let jobId: string;
let fileId: string;
let token: string;

/** An operation as the spec names it, and how to send one request to it. */
interface Operation {
  template: string;
  method: "get" | "post" | "delete";
  path: () => string;
  body?: () => { type: string; bytes: Buffer };
}

const fileBody = () => ({
  type: `multipart/form-data; boundary=${BOUNDARY}`,
  bytes: multipart(BOUNDARY, [{ name: "file", value: Buffer.from(samplePng()), filename: "a.png", type: "image/png" }]),
});
const promptBody = () => ({
  type: `multipart/form-data; boundary=${BOUNDARY}`,
  bytes: multipart(BOUNDARY, [{ name: "prompt", value: "a lighthouse at dusk" }]),
});
const jsonBody = (value: unknown) => () => ({ type: "application/json", bytes: Buffer.from(JSON.stringify(value)) });

const SUBMIT: Operation = {
  template: "/v1/jobs/lucy-pro-t2v",
  method: "post",
  path: () => "/v1/jobs/lucy-pro-t2v",
  body: promptBody,
};
const TOKENS: Operation = {
  template: "/v1/client/tokens",
  method: "post",
  path: () => "/v1/client/tokens",
  body: jsonBody({}),
};
const UPLOAD: Operation = { template: "/v1/files", method: "post", path: () => "/v1/files", body: fileBody };

const OPERATIONS: Operation[] = [
  SUBMIT,
  { template: "/v1/generate/lucy-pro-t2i", method: "post", path: () => "/v1/generate/lucy-pro-t2i", body: promptBody },
  { template: "/v1/jobs/{job_id}", method: "get", path: () => `/v1/jobs/${jobId}` },
  { template: "/v1/jobs/{job_id}/content", method: "get", path: () => `/v1/jobs/${jobId}/content` },
  TOKENS,
  UPLOAD,
  { template: "/v1/files/{file_id}", method: "get", path: () => `/v1/files/${fileId}` },
  { template: "/v1/files/{file_id}", method: "delete", path: () => `/v1/files/${fileId}` },
];

function send(op: Operation, headers: Record<string, string>): Promise<RawResponse> {
  const body = op.body?.();
  return raw(emu.url, {
    method: op.method.toUpperCase(),
    path: op.path(),
    headers: body ? { ...headers, "content-type": body.type } : headers,
    body: body?.bytes,
  });
}

beforeAll(async () => {
  emu = await start({ maxClientTokenOriginChars: 64 });
  const key = { "x-api-key": emu.apiKey };
  jobId = jsonOf(await send(SUBMIT, key)).job_id;
  fileId = jsonOf(await send(UPLOAD, key)).id;
  token = jsonOf(await send({ ...TOKENS, body: jsonBody({ allowedOrigins: [ORIGIN] }) }, key)).apiKey;
  expect([jobId, fileId, token].every((v) => typeof v === "string")).toBe(true);
});
afterAll(() => emu.close());

describe("answers the spec lists, with bodies of its schemas", () => {
  const ops = OPERATIONS.map((op) => [`${op.method.toUpperCase()} ${op.template}`, op] as const);

  it.each(ops)("%s: no key, 401", async (_, op) => {
    expectConforms(op.template, op.method, await send(op, {}), 401);
  });

  it.each(ops)("%s: a client token from an Origin it does not allow, 403", async (_, op) => {
    const r = await send(op, { "x-api-key": token, origin: "https://elsewhere.example" });
    expectConforms(op.template, op.method, r, 403);
  });

  it.each(ops)("%s: each error fault", async (_, op) => {
    for (const [kind, { status }] of Object.entries(ERROR_FAULTS)) {
      const r = await send(op, { "x-api-key": emu.apiKey, "x-emulator-fault": kind });
      expectConforms(op.template, op.method, r, status);
    }
  });

  it("POST /v1/client/tokens: a body over 64 KiB, 413", async () => {
    const op = { ...TOKENS, body: jsonBody({ allowedOrigins: ["x".repeat(70 * 1024)] }) };
    expectConforms(op.template, op.method, await send(op, { "x-api-key": emu.apiKey }), 413);
  });

  it("POST /v1/client/tokens: allowedOrigins more than the emulator holds, 413", async () => {
    const op = { ...TOKENS, body: jsonBody({ allowedOrigins: [`https://${"a".repeat(80)}.example`] }) };
    expectConforms(op.template, op.method, await send(op, { "x-api-key": emu.apiKey }), 413);
  });

  it("POST /v1/client/tokens: JSON nested too deep, 400", async () => {
    const deep = `{"allowedModels":${"[".repeat(2000)}${"]".repeat(2000)}}`;
    const op = {
      ...TOKENS,
      body: () => ({ type: "application/json", bytes: Buffer.from(deep) }),
    };
    expectConforms(op.template, op.method, await send(op, { "x-api-key": emu.apiKey }), 400);
  });
});
