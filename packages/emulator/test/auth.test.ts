import { retiredModels } from "@decart/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { DEFAULT_API_KEY } from "../src/index.js";
import { form, jsonOf, pollUntil, raw, samplePng, start, submit, validInputs } from "./helpers.js";

const KEY_A = "dct_test_key_a";
const KEY_B = "dct_test_key_b";

let emu: Emulator;
beforeAll(async () => {
  emu = await start({ keys: [KEY_A, KEY_B] });
});
afterAll(() => emu.close());

function statusWith(key: string | undefined, path: string, init: RequestInit = {}, on = emu) {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers["x-api-key"] = key;
  return fetch(`${on.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
}

async function createToken(key: string, body: unknown, on = emu): Promise<Response> {
  return fetch(`${on.url}/v1/client/tokens`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("API keys", () => {
  it("uses the first configured key as apiKey and DEFAULT_API_KEY when none are given", async () => {
    expect(emu.apiKey).toBe(KEY_A);
    const d = await start();
    try {
      expect(d.apiKey).toBe(DEFAULT_API_KEY);
      const res = await fetch(`${d.url}/v1/jobs/job_nope`, { headers: { "x-api-key": DEFAULT_API_KEY } });
      expect(res.status).toBe(404);
    } finally {
      await d.close();
    }
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["unknown", "dct_not_a_key"],
    ["a prefix of a real key", KEY_A.slice(0, -1)],
    ["a real key with a suffix", `${KEY_A}x`],
  ])("answers 401 JSON for a %s key", async (_, key) => {
    const res = await statusWith(key, "/v1/jobs/job_abc");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(typeof ((await res.json()) as { detail: unknown }).detail).toBe("string");
  });

  it("checks the key before anything else on a submit (401, no job)", async () => {
    const kept = emu.stats().jobsKept;
    const res = await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, { method: "POST", body: form({ prompt: "x" }) });
    expect(res.status).toBe(401);
    expect(emu.stats().jobsKept).toBe(kept);
  });

  it("accepts the header name in any case", async () => {
    const res = await fetch(`${emu.url}/v1/jobs/job_abc`, { headers: { "X-Api-Key": KEY_B } });
    expect(res.status).toBe(404);
  });
});

describe("ownership", () => {
  it("lets only the key that created a job read its status and content (404 for another key)", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "mine" });
    await pollUntil(emu, id);
    expect((await statusWith(KEY_A, `/v1/jobs/${id}`)).status).toBe(200);
    const other = await statusWith(KEY_B, `/v1/jobs/${id}`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ detail: "Job not found" });
    expect((await statusWith(KEY_B, `/v1/jobs/${id}/content`)).status).toBe(404);
    expect((await statusWith(KEY_A, `/v1/jobs/${id}/content`)).status).toBe(200);
  });

  it("lets only the key that uploaded a file read or delete it", async () => {
    const up = await fetch(`${emu.url}/v1/files`, {
      method: "POST",
      headers: { "x-api-key": KEY_A },
      body: form({ file: samplePng() }),
    });
    expect(up.status).toBe(200);
    const { id } = (await up.json()) as { id: string };
    expect((await statusWith(KEY_B, `/v1/files/${id}`)).status).toBe(404);
    expect((await statusWith(KEY_B, `/v1/files/${id}`, { method: "DELETE" })).status).toBe(404);
    expect((await statusWith(KEY_A, `/v1/files/${id}`)).status).toBe(200);
  });
});

describe("client tokens", () => {
  it("creates an ek_ token that works as a key, acting for the key that created it", async () => {
    const before = Date.now();
    const res = await createToken(KEY_A, { expiresIn: 120 });
    const after = Date.now();
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      apiKey: string;
      token: string;
      expiresAt: string;
      permissions: unknown;
      constraints: unknown;
    };
    expect(body.apiKey).toMatch(/^ek_/);
    expect(body.token.split(".")).toHaveLength(3);
    // 120 s from when the emulator made it, between the request and its answer.
    const expires = Date.parse(body.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 120_000);
    expect(expires).toBeLessThanOrEqual(after + 120_000);
    expect(body.permissions).toBeNull();
    expect(body.constraints).toBeNull();

    const sub = await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, {
      method: "POST",
      headers: { "x-api-key": body.apiKey },
      body: form({ prompt: "from the browser" }),
    });
    expect(sub.status).toBe(200);
    const { job_id } = (await sub.json()) as { job_id: string };
    expect((await statusWith(body.apiKey, `/v1/jobs/${job_id}`)).status).toBe(200);
    expect((await statusWith(KEY_A, `/v1/jobs/${job_id}`)).status).toBe(200);
    expect((await statusWith(KEY_B, `/v1/jobs/${job_id}`)).status).toBe(404);
  });

  it("accepts an empty body, {} and null (defaults: 60 s, no restrictions)", async () => {
    for (const body of [undefined, "{}", "null"]) {
      const before = Date.now();
      const res = await fetch(`${emu.url}/v1/client/tokens`, {
        method: "POST",
        headers: { "x-api-key": KEY_A, "content-type": "application/json" },
        ...(body !== undefined ? { body } : {}),
      });
      const after = Date.now();
      expect(res.status).toBe(200);
      const t = (await res.json()) as { expiresAt: string };
      expect(Date.parse(t.expiresAt)).toBeGreaterThanOrEqual(before + 60_000);
      expect(Date.parse(t.expiresAt)).toBeLessThanOrEqual(after + 60_000);
    }
  });

  it("works until its expiresAt on the emulator's clock, and from then on is refused (401)", async () => {
    // The emulator's own clock, moved by the test: the token's second passes only when the test says so.
    const clock = { now: Date.parse("2030-01-01T00:00:00.000Z") };
    const e = await start({ keys: [KEY_A], now: () => clock.now });
    try {
      const res = await createToken(KEY_A, { expiresIn: 1 }, e);
      const { apiKey, expiresAt } = (await res.json()) as { apiKey: string; expiresAt: string };
      expect(expiresAt).toBe("2030-01-01T00:00:01.000Z");
      const read = async () => (await statusWith(apiKey, "/v1/jobs/job_x", {}, e)).status;
      expect(await read()).toBe(404); // the key works: no such job
      clock.now += 999;
      expect(await read()).toBe(404);
      clock.now += 1;
      const said = async (key = apiKey) =>
        ((await (await statusWith(key, "/v1/jobs/job_x", {}, e)).json()) as { detail: string }).detail;
      expect(await read()).toBe(401);
      // The same answer every time, once the token is gone from memory too.
      expect(await said()).toBe("Client token expired.");
      clock.now += 60_000;
      expect(await read()).toBe(401);
      expect(await said()).toBe("Client token expired.");
      // A key of the same shape that this emulator did not sign is just invalid.
      const forged = `ek_${Buffer.alloc(33, 7).toString("base64url")}`;
      expect(forged).toHaveLength(apiKey.length);
      expect(await said(forged)).toBe("Invalid API key.");
    } finally {
      await e.close();
    }
  });

  it("keeps at most maxClientTokens live tokens: one more answers 429 with Retry-After, until the first expires", async () => {
    const clock = { now: Date.parse("2030-01-01T00:00:00.000Z") };
    const e = await start({ keys: [KEY_A], now: () => clock.now, maxClientTokens: 3 });
    try {
      for (const expiresIn of [10, 20, 30]) expect((await createToken(KEY_A, { expiresIn }, e)).status).toBe(200);
      clock.now += 4_500;
      const refused = await createToken(KEY_A, {}, e);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("content-type")).toContain("application/json");
      expect(refused.headers.get("retry-after")).toBe("6");
      expect(((await refused.json()) as { detail: string }).detail).toContain("maxClientTokens");
      clock.now += 5_500; // the first token has expired: its place is free
      expect((await createToken(KEY_A, {}, e)).status).toBe(200);
      expect((await createToken(KEY_A, {}, e)).status).toBe(429);
    } finally {
      await e.close();
    }
  });

  // The bound is exercised at 3 tokens' worth (filling the default 16 Mi took about 280 requests of 60 KB, which a
  // loaded machine could not make within the test's time); the default is read from what a 429 says of it.
  it("holds the allowedOrigins of live tokens within maxClientTokenOriginChars (16 Mi by default): beyond, 429 with Retry-After", async () => {
    const clock = { now: Date.parse("2030-01-01T00:00:00.000Z") };
    // 20 origins of 3,000 characters: 60,000 characters a token, in a body within the 64 KiB limit.
    const allowedOrigins = Array.from(
      { length: 20 },
      (_, i) => `https://${i}${"a".repeat(2_990 - String(i).length)}.test`,
    );
    const each = allowedOrigins.join("").length;
    const e = await start({ keys: [KEY_A], now: () => clock.now, maxClientTokenOriginChars: 4 * each - 1 });
    try {
      for (let i = 0; i < 3; i++) {
        expect((await createToken(KEY_A, { expiresIn: 3600, allowedOrigins }, e)).status).toBe(200);
      }
      const refused = await createToken(KEY_A, { expiresIn: 3600, allowedOrigins }, e);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("3600");
      expect(((await refused.json()) as { detail: string }).detail).toContain(
        `their allowedOrigins at most ${4 * each - 1} characters in all (maxClientTokenOriginChars)`,
      );
      // A token without origins still fits; once the others expire, origins fit again.
      expect((await createToken(KEY_A, { expiresIn: 3600 }, e)).status).toBe(200);
      clock.now += 3_600_000;
      expect((await createToken(KEY_A, { expiresIn: 3600, allowedOrigins }, e)).status).toBe(200);
    } finally {
      await e.close();
    }
    const byDefault = await start({ keys: [KEY_A], now: () => clock.now, maxClientTokens: 1 });
    try {
      expect((await createToken(KEY_A, {}, byDefault)).status).toBe(200);
      const full = await createToken(KEY_A, {}, byDefault);
      expect(full.status).toBe(429);
      expect(((await full.json()) as { detail: string }).detail).toContain(
        "their allowedOrigins at most 16777216 characters in all (maxClientTokenOriginChars)",
      );
    } finally {
      await byDefault.close();
    }
  });

  it("answers 413 (never a Retry-After of Infinity) to a token whose own origins are over maxClientTokenOriginChars", async () => {
    const clock = { now: Date.parse("2030-01-01T00:00:00.000Z") };
    const e = await start({ keys: [KEY_A], now: () => clock.now, maxClientTokenOriginChars: 100 });
    try {
      const origins = (chars: number) => [`https://${"a".repeat(chars - 13)}.test`];
      expect(origins(101).join("").length).toBe(101);
      // No token is live: no expiry would ever make room for it.
      const never = await createToken(KEY_A, { expiresIn: 60, allowedOrigins: origins(101) }, e);
      expect(never.status).toBe(413);
      expect(never.headers.get("retry-after")).toBeNull();
      expect(((await never.json()) as { detail: string }).detail).toBe(
        "allowedOrigins of 101 characters can never fit: live client tokens hold at most 100 characters of " +
          "allowedOrigins in all (maxClientTokenOriginChars).",
      );
      // One that fits the whole bound is made; the next, while it lives, waits a whole number of seconds.
      expect((await createToken(KEY_A, { expiresIn: 60, allowedOrigins: origins(100) }, e)).status).toBe(200);
      clock.now += 500;
      const wait = await createToken(KEY_A, { expiresIn: 60, allowedOrigins: origins(20) }, e);
      expect(wait.status).toBe(429);
      expect(wait.headers.get("retry-after")).toBe("60");
      expect((await createToken(KEY_A, { expiresIn: 60, allowedOrigins: origins(101) }, e)).status).toBe(413);
      clock.now += 59_500;
      expect((await createToken(KEY_A, { expiresIn: 60, allowedOrigins: origins(20) }, e)).status).toBe(200);
    } finally {
      await e.close();
    }
    for (const maxClientTokenOriginChars of [-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(start({ maxClientTokenOriginChars })).rejects.toThrow(
        /maxClientTokenOriginChars must be a non-negative integer/,
      );
    }
  });

  it("refuses a maxClientTokens that is not a positive integer", async () => {
    for (const maxClientTokens of [0, 2.5, Number.NaN]) {
      await expect(start({ maxClientTokens })).rejects.toThrow(/maxClientTokens must be a positive integer/);
    }
  });

  it("respects allowedModels (403 for other models) and reports the permissions", async () => {
    const res = await createToken(KEY_A, { allowedModels: ["lucy-pro-t2i"], expiresIn: 60 });
    const t = (await res.json()) as { apiKey: string; permissions: { models: string[] } };
    expect(t.permissions).toEqual({ models: ["lucy-pro-t2i"] });
    const denied = await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, {
      method: "POST",
      headers: { "x-api-key": t.apiKey },
      body: form({ prompt: "no" }),
    });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { detail: string }).detail).toContain("lucy-pro-t2v");
    const allowed = await fetch(`${emu.url}/v1/generate/lucy-pro-t2i`, {
      method: "POST",
      headers: { "x-api-key": t.apiKey },
      body: form({ prompt: "yes" }),
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("content-type")).toBe("image/png");
  });

  it("resolves allowedModels through aliases and deprecated names (a lucy-2.1 token works on lucy-latest)", async () => {
    const t = (await (await createToken(KEY_A, { allowedModels: ["lucy-2.1", "lucy-restyle-2"] })).json()) as {
      apiKey: string;
      permissions: { models: string[] };
    };
    expect(t.permissions).toEqual({ models: ["lucy-2.1", "lucy-restyle-2"] });
    for (const model of ["lucy-2.1", "lucy-latest", "lucy-restyle-v2v", "lucy-restyle-latest"] as const) {
      const res = await fetch(`${emu.url}/v1/jobs/${model}`, {
        method: "POST",
        headers: { "x-api-key": t.apiKey },
        body: form(await validInputs(model)),
      });
      expect(res.status, `${model}: ${await res.clone().text()}`).toBe(200);
    }
    const other = await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, {
      method: "POST",
      headers: { "x-api-key": t.apiKey },
      body: form({ prompt: "no" }),
    });
    expect(other.status).toBe(403);
  });

  // The spec (as the API documents it) takes any strings in allowedModels: no 422 for a name of no model.
  it("takes a name of no model, or a retired one, in allowedModels: 200, echoed, and it allows nothing", async () => {
    const retired = retiredModels[0]!.name;
    const names = ["no-such-model", retired, "LUCY-PRO-T2I", "lucy-pro-t2i"];
    const res = await createToken(KEY_A, { allowedModels: names });
    expect(res.status, await res.clone().text()).toBe(200);
    const t = (await res.json()) as { apiKey: string; permissions: { models: string[] } };
    expect(t.permissions).toEqual({ models: names });
    const use = async (apiKey: string, path: string) =>
      (
        await fetch(`${emu.url}${path}`, {
          method: "POST",
          headers: { "x-api-key": apiKey },
          body: form({ prompt: "p" }),
        })
      ).status;
    expect(await use(t.apiKey, "/v1/generate/lucy-pro-t2i")).toBe(200);
    expect(await use(t.apiKey, "/v1/jobs/lucy-pro-t2v")).toBe(403);
    const none = (await (await createToken(KEY_A, { allowedModels: ["no-such-model"] })).json()) as { apiKey: string };
    expect(await use(none.apiKey, "/v1/generate/lucy-pro-t2i")).toBe(403);
    expect(await use(none.apiKey, "/v1/jobs/lucy-pro-t2v")).toBe(403);
    // A name that is no string is refused as the spec's items are: string_type, in field order.
    const bad = await createToken(KEY_A, {
      allowedOrigins: "https://app.example",
      allowedModels: ["nope", 3],
      expiresIn: 0,
    });
    expect(bad.status).toBe(422);
    expect(
      ((await bad.json()) as { detail: { type: string; loc: unknown[] }[] }).detail.map((d) => [d.type, d.loc]),
    ).toEqual([
      ["greater_than_equal", ["body", "expiresIn"]],
      ["string_type", ["body", "allowedModels", 1]],
      ["list_type", ["body", "allowedOrigins"]],
    ]);
  });

  it("respects allowedOrigins when the request has an Origin", async () => {
    const res = await createToken(KEY_A, { allowedOrigins: ["https://app.example"] });
    const { apiKey } = (await res.json()) as { apiKey: string };
    const ok = await statusWith(apiKey, "/v1/jobs/job_x", { headers: { origin: "https://app.example" } });
    expect(ok.status).toBe(404);
    const bad = await statusWith(apiKey, "/v1/jobs/job_x", { headers: { origin: "https://evil.example" } });
    expect(bad.status).toBe(403);
  });

  it("cannot create tokens (403)", async () => {
    const { apiKey } = (await (await createToken(KEY_A, {})).json()) as { apiKey: string };
    const res = await createToken(apiKey, {});
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toBe("Cannot create client token from a client token.");
  });

  it("takes a key given with the client token's prefix, in any letter case, for a client token: it works, it cannot create tokens (403)", async () => {
    const e = await start({ keys: ["EK_given_upper", "ek_given_lower", "Dct_given_mixed"] });
    try {
      for (const key of ["EK_given_upper", "ek_given_lower"]) {
        expect((await statusWith(key, "/v1/jobs/job_x", {}, e)).status, key).toBe(404);
        const res = await createToken(key, {}, e);
        expect(res.status, key).toBe(403);
        expect(((await res.json()) as { detail: string }).detail).toBe(
          "Cannot create client token from a client token.",
        );
      }
      expect((await createToken("Dct_given_mixed", {}, e)).status).toBe(200);
    } finally {
      await e.close();
    }
  });

  it("compares a token as sent: its prefix in upper case is no key (401 Invalid API key., live or expired)", async () => {
    const clock = { now: Date.parse("2030-01-01T00:00:00.000Z") };
    const e = await start({ keys: [KEY_A], now: () => clock.now });
    try {
      const { apiKey } = (await (await createToken(KEY_A, { expiresIn: 1 }, e)).json()) as { apiKey: string };
      const said = async (key: string) =>
        ((await (await statusWith(key, "/v1/jobs/job_x", {}, e)).json()) as { detail: string }).detail;
      const upper = `EK_${apiKey.slice(3)}`;
      expect(await said(upper)).toBe("Invalid API key.");
      clock.now += 1000;
      expect(await said(apiKey)).toBe("Client token expired.");
      expect(await said(upper)).toBe("Invalid API key.");
    } finally {
      await e.close();
    }
  });

  it("validates the token request (422 per bad field)", async () => {
    const res = await createToken(KEY_A, { expiresIn: 0, allowedModels: "all", extra: 1 });
    expect(res.status).toBe(422);
    const { detail } = (await res.json()) as { detail: { loc: unknown[]; type: string }[] };
    expect(detail.map((d) => [d.loc.join("."), d.type])).toEqual([
      ["body.expiresIn", "greater_than_equal"],
      ["body.allowedModels", "list_type"],
      ["body.extra", "extra_forbidden"],
    ]);
    const big = await createToken(KEY_A, { expiresIn: 3601, allowedModels: Array.from({ length: 21 }, () => "m") });
    const bigDetail = ((await big.json()) as { detail: { type: string }[] }).detail;
    expect(bigDetail.map((d) => d.type)).toEqual(["less_than_equal", "too_long"]);
    // too_long echoes the list, as pydantic does (when short, as every input).
    expect(bigDetail[1]).toEqual({
      type: "too_long",
      loc: ["body", "allowedModels"],
      msg: "List should have at most 20 items after validation, not 21",
      input: Array.from({ length: 21 }, () => "m"),
      ctx: { field_type: "List", max_length: 20, actual_length: 21 },
    });
  });

  // pydantic validates a model's fields in the model's order, whatever the order of the keys sent: a missing field
  // where it stands, the keys that are no field after them, in the order sent.
  it("reports the token request's issues in the schema's field order, not the order the keys were sent in", async () => {
    const body =
      '{"zeta": 1, "metadata": 5, "constraints": {"realtime": {"maxSessionDuration": 1}}, "allowedOrigins": 3, "alpha": 2, "allowedModels": [7], "expiresIn": 0}';
    const res = await fetch(`${emu.url}/v1/client/tokens`, {
      method: "POST",
      headers: { "x-api-key": KEY_A, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(422);
    const { detail } = (await res.json()) as { detail: { loc: unknown[]; type: string }[] };
    expect(detail.map((d) => [d.loc.join("."), d.type])).toEqual([
      ["body.expiresIn", "greater_than_equal"],
      ["body.allowedModels.0", "string_type"],
      ["body.allowedOrigins", "list_type"],
      ["body.constraints.realtime.maxSessionDuration", "greater_than_equal"],
      ["body.metadata", "dict_type"],
      ["body.zeta", "extra_forbidden"],
      ["body.alpha", "extra_forbidden"],
    ]);
  });
});

describe("the token request's body, read as FastAPI reads it", () => {
  const send = (body: Buffer | string, contentType?: string) =>
    raw(emu.url, {
      method: "POST",
      path: "/v1/client/tokens",
      headers: { "x-api-key": KEY_A, ...(contentType !== undefined ? { "content-type": contentType } : {}) },
      body,
    });
  const origin = "http://\u00e9t\u00e9-\u{1F600}.example";
  const request = JSON.stringify({ allowedOrigins: [origin] });

  it("reads JSON when no Content-Type is given, or application/json or application/*+json (any case, any parameters)", async () => {
    for (const type of [
      undefined,
      "",
      "application/json",
      "Application/JSON; charset=utf-8",
      " application/json ;x=y",
      "application/merge-patch+json",
      "application/vnd.api+json",
    ]) {
      const r = await send(request, type);
      expect(r.status, String(type)).toBe(200);
      expect(jsonOf(r).permissions, String(type)).toEqual({ origins: [origin] });
    }
  });

  it("hands any other body to the model as bytes, which it does not take: 422 model_attributes_type", async () => {
    for (const type of [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "json",
      "application/json/x",
      "application/jsonx",
      "application/json+x",
    ]) {
      const r = await send('{"expiresIn":120}', type);
      expect(r.status, type).toBe(422);
      expect(jsonOf(r).detail, type).toEqual([
        {
          type: "model_attributes_type",
          loc: ["body"],
          msg: "Input should be a valid dictionary or object to extract fields from",
          input: '{"expiresIn":120}',
        },
      ]);
    }
    // An empty body is none, whatever its type: the defaults.
    expect((await send("", "text/plain")).status).toBe(200);
  });

  it("decodes JSON bytes as Python's json.loads: UTF-8 (a byte order mark dropped), UTF-16 and UTF-32", async () => {
    const utf16be = (text: string) => Buffer.from(text, "utf16le").swap16();
    const utf32 = (text: string, le: boolean) => {
      const points = [...text].map((c) => c.codePointAt(0)!);
      const out = Buffer.alloc(points.length * 4);
      for (const [i, p] of points.entries()) {
        if (le) out.writeUInt32LE(p, i * 4);
        else out.writeUInt32BE(p, i * 4);
      }
      return out;
    };
    const bodies: [string, Buffer][] = [
      ["UTF-8 with a BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(request)])],
      ["UTF-16 LE", Buffer.from(request, "utf16le")],
      ["UTF-16 LE with a BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(request, "utf16le")])],
      ["UTF-16 BE", utf16be(request)],
      ["UTF-16 BE with a BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(request)])],
      ["UTF-32 LE", utf32(request, true)],
      ["UTF-32 BE with a BOM", utf32(`\ufeff${request}`, false)],
    ];
    for (const [what, body] of bodies) {
      const r = await send(body, "application/json");
      expect(r.status, what).toBe(200);
      expect(jsonOf(r).permissions, what).toEqual({ origins: [origin] });
    }
    // A second UTF-8 BOM is text, where JSON allows none: 422 json_invalid at 0.
    const twice = await send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), Buffer.from("{}")]));
    expect(twice.status).toBe(422);
    expect(jsonOf(twice).detail[0]).toMatchObject({ type: "json_invalid", loc: ["body", 0] });
  });

  it("answers 400 to JSON bytes that are not in the encoding they start in, never a body read with U+FFFD", async () => {
    const bodies: [string, Buffer][] = [
      ["a byte that is no UTF-8", Buffer.from([...Buffer.from('{"allowedOrigins":["a'), 0xff, ...Buffer.from('"]}')])],
      ["a cut UTF-8 sequence", Buffer.from([...Buffer.from('{"allowedOrigins":["a'), 0xc3, ...Buffer.from('"]}')])],
      [
        "an overlong UTF-8 sequence",
        Buffer.from([...Buffer.from('{"allowedOrigins":["a'), 0xc0, 0xaf, ...Buffer.from('"]}')]),
      ],
      [
        "UTF-16 of an odd length",
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("{}", "utf16le"), Buffer.from([0x20])]),
      ],
      ["UTF-32 beyond U+10FFFF", Buffer.from([0x7b, 0, 0, 0, 0, 0, 0x11, 0, 0x7d, 0, 0, 0])],
    ];
    for (const [what, body] of bodies) {
      const r = await send(body, "application/json");
      expect(r.status, what).toBe(400);
      expect(jsonOf(r), what).toEqual({ detail: "There was an error parsing the body" });
    }
  });

  it("takes a surrogate encoded alone in UTF-8 as Python's surrogatepass does: the code unit, as a JSON escape would give it", async () => {
    const lone = Buffer.from([
      ...Buffer.from('{"allowedOrigins":["http://a'),
      0xed,
      0xa0,
      0x80,
      ...Buffer.from('.example"]}'),
    ]);
    const escaped = '{"allowedOrigins":["http://a\\ud800.example"]}';
    for (const body of [lone, escaped]) {
      const r = await send(body, "application/json");
      expect(r.status).toBe(200);
      expect(jsonOf(r).permissions).toEqual({ origins: ["http://a\ud800.example"] });
    }
  });

  it("reads JSON as Python's json module: its message and position (in characters) in json_invalid's ctx.error", async () => {
    for (const [body, at, error] of [
      ['{"expiresIn": }', 14, "Expecting value"],
      ['{"expiresIn": 60,}', 16, "Illegal trailing comma before end of object"],
      ['{"allowedModels": ["a",]}', 22, "Illegal trailing comma before end of array"],
      ['{"expiresIn" 60}', 13, "Expecting ':' delimiter"],
      ['{"expiresIn": 60 "x": 1}', 17, "Expecting ',' delimiter"],
      ["{expiresIn: 60}", 1, "Expecting property name enclosed in double quotes"],
      ['{"allowedOrigins": ["http://a\\q"]}', 29, "Invalid \\escape"],
      ['{"allowedOrigins": ["http://a\\u12"]}', 30, "Invalid \\uXXXX escape"],
      ['{"allowedOrigins": ["http://a\u0001"]}', 29, "Invalid control character at"],
      ['{"allowedOrigins": ["http://a', 20, "Unterminated string starting at"],
      ['{"metadata": {}} {}', 17, "Extra data"],
      // Counted in characters, as a Python str counts them: the emoji is one, where JavaScript counts two.
      ['{"metadata": {"\u{1F600}": 1}, 5}', 23, "Expecting property name enclosed in double quotes"],
      ['{"expiresIn": 01}', 15, "Expecting ',' delimiter"],
      ['{"expiresIn": -}', 14, "Expecting value"],
    ] as const) {
      const r = await send(body, "application/json");
      expect(r.status, body).toBe(422);
      expect(jsonOf(r).detail, body).toEqual([
        { type: "json_invalid", loc: ["body", at], msg: "JSON decode error", input: {}, ctx: { error } },
      ]);
    }
  });

  it("takes NaN, Infinity and -Infinity as Python's json does: any value where any is taken, else finite_number", async () => {
    const ok = await send('{"metadata": {"a": NaN, "b": [Infinity, -Infinity]}, "expiresIn": 60}', "application/json");
    expect(ok.status).toBe(200);
    for (const [literal, input] of [
      ["NaN", "NaN"],
      ["Infinity", "Infinity"],
      ["-Infinity", "-Infinity"],
      ["1e400", "Infinity"],
      ["-1e400", "-Infinity"],
    ]) {
      const r = await send(`{"expiresIn": ${literal}}`, "application/json");
      expect(r.status, literal).toBe(422);
      // JSON has no number for it: its input is the text Python's encoder writes for the float, as a JSON string
      // (a stock FastAPI fails to write this 422 at all and answers 500).
      expect(jsonOf(r).detail, literal).toEqual([
        { type: "finite_number", loc: ["body", "expiresIn"], msg: "Input should be a finite number", input },
      ]);
    }
    // At any depth of an echoed value, and in what the answer gives back (a constraints key of its own), the same:
    // never a null in its place, and never a bare NaN, which is no JSON.
    const nested = await send('{"expiresIn": [NaN, 1e400, -Infinity, 1.5]}', "application/json");
    expect(jsonOf(nested).detail).toEqual([
      {
        type: "int_type",
        loc: ["body", "expiresIn"],
        msg: "Input should be a valid integer",
        input: ["NaN", "Infinity", "-Infinity", 1.5],
      },
    ]);
    const kept = await send('{"constraints": {"x": [NaN, Infinity, 123456789012345678901234567890]}}');
    expect(kept.status).toBe(200);
    expect(kept.body.toString()).toContain('"constraints":{"x":["NaN","Infinity",123456789012345678901234567890]}');
    // A literal Python's json does not know is still none.
    const nan = await send('{"expiresIn": nan}', "application/json");
    expect(jsonOf(nan).detail[0]).toMatchObject({
      type: "json_invalid",
      loc: ["body", 14],
      ctx: { error: "Expecting value" },
    });
  });

  // Python's json reads an integer exactly, however big (up to int()'s 4300 digits), and pydantic checks and echoes
  // it exactly: it was read as a double, so 123456789012345678901234567890 came back 1.2345678901234568e+29 and 400
  // digits answered finite_number.
  it("reads an integer exactly as Python's json does, beyond 2^53 too, and echoes it as sent; past 4300 digits 400", async () => {
    const big = "123456789012345678901234567890";
    for (const [literal, type] of [
      [big, "less_than_equal"],
      ["9007199254740993", "less_than_equal"],
      [`-${big}`, "greater_than_equal"],
      [`-9007199254740993`, "greater_than_equal"],
    ] as const) {
      const r = await send(`{"expiresIn": ${literal}}`, "application/json");
      expect(r.status, literal).toBe(422);
      expect(jsonOf(r).detail[0], literal).toMatchObject({ type, loc: ["body", "expiresIn"] });
      // The digits as sent, where a double would round them (JSON.parse in this test would too: read the text).
      expect(r.body.toString(), literal).toContain(`"input":${literal},`);
    }
    // Inside a value that is echoed whole, and given back in the answer's constraints.
    const list = await send(`{"expiresIn": [${big}, 1]}`, "application/json");
    expect(jsonOf(list).detail[0]).toMatchObject({ type: "int_type", loc: ["body", "expiresIn"] });
    expect(list.body.toString()).toContain(`"input":[${big},1]`);
    const kept = await send(`{"constraints": {"realtime": {"maxSessionDuration": ${big}}}}`, "application/json");
    expect(kept.status).toBe(200);
    expect(kept.body.toString()).toContain(`"constraints":{"realtime":{"maxSessionDuration":${big}}}`);
    // 4300 digits are an integer (too big to echo here), 4301 are past what Python's int() reads: json.loads raises
    // ValueError, which FastAPI answers 400, wherever the number is. A fraction of any length is a float.
    const most = await send(`{"expiresIn": ${"9".repeat(4300)}}`, "application/json");
    expect(jsonOf(most).detail).toEqual([
      {
        type: "less_than_equal",
        loc: ["body", "expiresIn"],
        msg: "Input should be less than or equal to 3600",
        ctx: { le: 3600 },
      },
    ]);
    for (const body of [
      `{"expiresIn": ${"9".repeat(4301)}}`,
      `{"expiresIn": -${"9".repeat(4301)}}`,
      `{"metadata": {"a": [${"1".repeat(5000)}]}}`,
    ]) {
      const r = await send(body, "application/json");
      expect(r.status).toBe(400);
      expect(jsonOf(r)).toEqual({ detail: "There was an error parsing the body" });
    }
    const float = await send(`{"expiresIn": ${"9".repeat(4301)}.0}`, "application/json");
    expect(jsonOf(float).detail[0]).toMatchObject({ type: "finite_number", loc: ["body", "expiresIn"] });
    // Within 2^53, and as a float, a number is what it was.
    const small = await send('{"expiresIn": 3601.0}', "application/json");
    expect(jsonOf(small).detail[0]).toMatchObject({ type: "less_than_equal", input: 3601 });
  });

  // FastAPI validates what json.loads made with pydantic 2 in lax mode (its default), which reads more than JSON's own
  // type: it answered int_type to "60", which the server takes.
  it("reads the fields as pydantic's lax mode reads Python input: an integer from its text, from a bool, from a float without a fraction", async () => {
    const at = Date.parse("2030-01-01T00:00:00.000Z");
    const e = await start({ keys: [KEY_A], now: () => at });
    const post = (body: string) =>
      raw(e.url, {
        method: "POST",
        path: "/v1/client/tokens",
        headers: { "x-api-key": KEY_A, "content-type": "application/json" },
        body,
      });
    try {
      for (const [literal, seconds] of [
        ['"60"', 60],
        ['" 1_200 "', 1200],
        ['"+7"', 7],
        ['"30.000"', 30],
        ["true", 1],
        ["120.0", 120],
      ] as const) {
        const r = await post(`{"expiresIn": ${literal}}`);
        expect(r.status, literal).toBe(200);
        expect(jsonOf(r).expiresAt, literal).toBe(new Date(at + seconds * 1000).toISOString());
      }
      // Read, then checked: an issue echoes the value as sent.
      for (const [literal, type, input] of [
        ["false", "greater_than_equal", false],
        ['"0"', "greater_than_equal", "0"],
        ['"3601"', "less_than_equal", "3601"],
        ['"soon"', "int_parsing", "soon"],
        ['"1e2"', "int_parsing", "1e2"],
        ['"60."', "int_parsing", "60."],
        [`"${"9".repeat(4301)}"`, "int_parsing_size", undefined],
        ["1e19", "int_parsing_size", 1e19],
        ["null", "int_type", null],
        ['["60"]', "int_type", ["60"]],
      ] as const) {
        const r = await post(`{"expiresIn": ${literal}}`);
        expect(r.status, literal).toBe(422);
        const [only, ...rest] = jsonOf(r).detail;
        expect(rest, literal).toEqual([]);
        expect(only.type, literal).toBe(type);
        expect(only.loc, literal).toEqual(["body", "expiresIn"]);
        expect(only.input, literal).toEqual(input);
      }
      // Nested integers alike, given back as read; text is only text (a number is no string, a string no list).
      const nested = await post('{"constraints": {"realtime": {"maxSessionDuration": "30"}}}');
      expect(nested.status).toBe(200);
      expect(jsonOf(nested).constraints).toEqual({ realtime: { maxSessionDuration: 30 } });
      const low = await post('{"constraints": {"realtime": {"maxSessionDuration": "9"}}}');
      expect(jsonOf(low).detail).toMatchObject([{ type: "greater_than_equal", input: "9" }]);
      expect(jsonOf(await post('{"allowedModels": [1]}')).detail).toMatchObject([{ type: "string_type" }]);
      expect(jsonOf(await post('{"allowedOrigins": "https://a.example"}')).detail).toMatchObject([
        { type: "list_type" },
      ]);
    } finally {
      await e.close();
    }
  });

  it("takes a lone surrogate escaped in JSON as Python's json does, and echoes it escaped: 4xx JSON, never a 500", async () => {
    const r = await send('{"allowedModels": ["\\ud800"], "\\udc00x": 1}', "application/json");
    expect(r.status).toBe(422);
    expect(jsonOf(r).detail).toEqual([
      {
        type: "extra_forbidden",
        loc: ["body", "\udc00x"],
        msg: "Extra inputs are not permitted",
        input: 1,
      },
    ]);
    const model = await send('{"allowedModels": ["a\\ud800"]}', "application/json");
    expect(model.status).toBe(200);
    expect(jsonOf(model).permissions).toEqual({ models: ["a\ud800"] });
    // Escaped in the answer (a \uXXXX escape, ASCII), as JSON can write a lone surrogate: no U+FFFD, no invalid UTF-8.
    expect(model.body.toString("latin1")).toContain('"models":["a\\ud800"]');
    const origins = await send('{"allowedOrigins": ["\\udfff", "\\ud83d\\ude00"]}', "application/json");
    expect(origins.status).toBe(200);
    expect(jsonOf(origins).permissions).toEqual({ origins: ["\udfff", "\u{1F600}"] });
  });

  it("reads JSON nested 1000 deep, answers deeper 400 as FastAPI answers json.loads' RecursionError", async () => {
    /** A token request whose metadata nests objects so that the body nests `depth` deep in all. */
    const nested = (depth: number) => `{"metadata":${'{"a":'.repeat(depth - 2)}{}${"}".repeat(depth - 2)}}`;
    expect((await send(nested(1000), "application/json")).status).toBe(200);
    for (const body of [
      nested(1001),
      // constraints (whose unknown keys the answer gives back) 5000 deep, arrays 30,000 deep: within 64 KiB, not a 500.
      `{"constraints":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`,
      `{"metadata":{"a":${"[".repeat(30_000)}${"]".repeat(30_000)}}}`,
    ]) {
      expect(body.length).toBeLessThan(64 * 1024);
      const r = await send(body, "application/json");
      expect(r.status).toBe(400);
      expect(jsonOf(r)).toEqual({ detail: "There was an error parsing the body" });
    }
    // A body that breaks JSON before it nests too deep is json_invalid, as Python's scanner stops there first.
    const broken = await send(`{"metadata": x, "b": ${"[".repeat(2000)}}`, "application/json");
    expect(jsonOf(broken).detail[0]).toMatchObject({ type: "json_invalid", loc: ["body", 13] });
  });

  it("reads a body of whitespace as JSON, which it is not (422 json_invalid at its end), not as no body", async () => {
    const r = await send("   ", "application/json");
    expect(r.status).toBe(422);
    expect(jsonOf(r).detail[0]).toMatchObject({ type: "json_invalid", loc: ["body", 3], msg: "JSON decode error" });
  });
});
