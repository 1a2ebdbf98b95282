/**
 * A short seeded pass of odd input over real HTTP: path ids, JSON token bodies and form bodies built from pieces that
 * have broken servers (malformed percent-encoding, lone surrogates, NaN, huge integers, deep nesting, stray `%`, bad
 * charsets, cut multipart). Whatever the input, the answer is never a 5xx and never a lost request: a 4xx is JSON
 * (valid, in UTF-8), and the emulator logs no error. The seed makes every run the same requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { seededRandom } from "../src/index.js";
import type { RawResponse } from "./helpers.js";
import { raw, start } from "./helpers.js";

let emu: Emulator;
const errors: string[] = [];

beforeAll(async () => {
  emu = await start({ logger: (line) => (/error|threw/i.test(line) ? errors.push(line) : undefined) });
});
afterAll(() => emu.close());

const random = seededRandom(20261205);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const count = (n: number) => Math.floor(random() * n);

const ID_PIECES = [
  "%",
  "%z",
  "%zz",
  "%E0%A4",
  "%ED%A0%80",
  "%F0%9F%98%80",
  "%00",
  "%2F",
  "%25",
  "..",
  "job_",
  "a",
  "%C3",
  "%FF",
  "%EF%BB%BF",
  "%F4%90%80%80",
  "%0A",
  "~",
  ";",
  "=",
  "@",
  ":",
];
/** A path id of pieces, now and then one repeated past the 256-character limit. */
const randomId = () => {
  let id = "";
  for (let i = 1 + count(6); i > 0; i--) id += pick(ID_PIECES).repeat(random() < 0.1 ? 100 + count(200) : 1);
  return id;
};

const JSON_ATOMS = [
  "NaN",
  "Infinity",
  "-Infinity",
  "1e400",
  "-1e400",
  "1e-400",
  "123456789012345678901234567890",
  "9007199254740993",
  "-0",
  "0",
  "1.5",
  "3600",
  "3601",
  "true",
  "false",
  "null",
  '"\\ud800"',
  '"\\udc00\\ud800"',
  '"\\u0000"',
  '"lucy-2.1"',
  '"http://a.example"',
  "[]",
  "{}",
  "1".repeat(4301),
  "1".repeat(300),
  `"${"x".repeat(300)}"`,
];
const JSON_KEYS = [
  "expiresIn",
  "allowedModels",
  "allowedOrigins",
  "constraints",
  "metadata",
  "realtime",
  "maxSessionDuration",
  "__proto__",
  "constructor",
  "toString",
  "\\ud800",
];
/** A JSON text of atoms, objects of the token request's keys, and arrays, at most 4 deep. */
const randomJson = (depth = 0): string => {
  const r = random();
  if (depth > 3 || r < 0.4) return pick(JSON_ATOMS);
  const n = count(4);
  if (r < 0.7) {
    return `{${Array.from({ length: n }, () => `"${pick(JSON_KEYS)}":${randomJson(depth + 1)}`).join(",")}}`;
  }
  return `[${Array.from({ length: n }, () => randomJson(depth + 1)).join(",")}]`;
};
/** A few bytes of the text replaced by random ones (malformed JSON, cut UTF-8, a broken multipart). */
const damaged = (text: Buffer) => {
  const out = Buffer.from(text);
  for (let i = count(3); i > 0; i--) out[count(out.length)] = count(256);
  return out;
};

const FIELDS = ["prompt", "seed", "resolution", "enhance_prompt", "data", "trajectory", "ttl_seconds", "file", "x"];
const TEXTS = [
  "",
  "x",
  "-1",
  "1e400",
  "123456789012345678901234567890",
  "9".repeat(5000),
  "NaN",
  "true",
  "maybe",
  "720p",
  "persistent",
  "2592001",
  '[{"frame":0,"x":1,"y":1},{"frame":1e400,"x":1,"y":1}]',
  "[".repeat(5000),
  "%zz",
  "a%",
  "\u00e9",
  "\u0000",
  " 1 ",
];
const FILES = ["\x89PNG\r\n\x1a\n0000", "\x00\x00\x00\x18ftypmp42", "GIF89a", "", "junk"];
const MODELS = ["lucy-pro-t2v", "lucy-clip", "lucy-2.1", "lucy-restyle-2", "lucy-image-2", "lucy-motion", "nope"];
const B = "fuzzBoundary";

const urlencoded = () =>
  Array.from(
    { length: count(6) },
    () => `${pick(FIELDS)}=${random() < 0.5 ? encodeURIComponent(pick(TEXTS)) : pick(ID_PIECES)}`,
  ).join("&");
const multipart = () => {
  const parts = Array.from({ length: count(6) }, () => {
    const file = random() < 0.3;
    const type = pick([
      "",
      "Content-Type: text/plain; charset=iso-8859-1\r\n",
      "Content-Type: text/plain; charset=bogus\r\n",
    ]);
    const disposition = `form-data; name="${pick(FIELDS)}"${file ? `; filename="${pick(["a.png", "", "x".repeat(300)])}"` : ""}`;
    const value = Buffer.from(file ? pick(FILES) : pick(TEXTS), file ? "latin1" : "utf8");
    return Buffer.concat([
      Buffer.from(`--${B}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`),
      value,
      Buffer.from("\r\n"),
    ]);
  });
  const body = Buffer.concat([...parts, Buffer.from(`--${B}--\r\n`)]);
  return random() < 0.2 ? damaged(body) : body;
};

/** One request of a random kind: its description and its answer. */
async function randomRequest(): Promise<[string, RawResponse]> {
  const key = { "x-api-key": emu.apiKey };
  switch (count(5)) {
    case 0: {
      const path = `/v1/jobs/${randomId()}${pick(["", "/content"])}`;
      return [`GET ${path}`, await raw(emu.url, { path, headers: key })];
    }
    case 1: {
      const path = `/${pick(["v1/files", "_emulator/jobs"])}/${randomId()}`;
      const headers = { ...key, authorization: `Bearer ${emu.adminToken}` };
      return [`GET ${path}`, await raw(emu.url, { path, headers })];
    }
    case 2: {
      const text = Buffer.from(randomJson());
      const body = random() < 0.2 ? damaged(text) : text;
      const headers = { ...key, "content-type": "application/json" };
      return [
        `tokens ${body.toString("latin1")}`,
        await raw(emu.url, { method: "POST", path: "/v1/client/tokens", headers, body }),
      ];
    }
    default: {
      const form = random() < 0.5;
      const body = form ? Buffer.from(urlencoded()) : multipart();
      const type = form ? "application/x-www-form-urlencoded" : `multipart/form-data; boundary=${B}`;
      const model = pick(MODELS);
      const path = pick([`/v1/jobs/${model}`, `/v1/generate/${model}`, "/v1/files"]);
      const headers = { ...key, "content-type": type };
      return [`POST ${path} ${body.toString("latin1")}`, await raw(emu.url, { method: "POST", path, headers, body })];
    }
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

describe("odd input (seeded)", () => {
  it("is answered, never 5xx; every 4xx in valid JSON, and no error logged", async () => {
    for (let i = 0; i < 400; i++) {
      const [what, res] = await randomRequest();
      const shown = what.slice(0, 300);
      expect(res.status, shown).toBeLessThan(500);
      if (res.status >= 400) {
        expect(res.headers["content-type"], shown).toMatch(/^application\/json/);
        expect(() => JSON.parse(UTF8.decode(res.body)), shown).not.toThrow();
      }
    }
    expect(errors).toEqual([]);
  });
});
