import { retiredModels } from "@decart/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { blob, form, get, headers, multipart, post, raw, sampleMp4, samplePng, start } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

interface Issue {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

async function issues(res: Response): Promise<Issue[]> {
  expect(res.status).toBe(422);
  return ((await res.json()) as { detail: Issue[] }).detail;
}

const brief = (list: Issue[]) => list.map((i) => [i.loc.join("."), i.type]);

describe("422 validation, one entry per bad field", () => {
  it("reports every bad field of a text-to-video submit, in field order, then unknown fields", async () => {
    const kept = emu.stats().jobsKept;
    const res = await post(
      emu,
      "/v1/jobs/lucy-pro-t2v",
      form({ seed: "abc", resolution: "1080p", orientation: "sideways", colour: "blue" }),
    );
    const list = await issues(res);
    expect(brief(list)).toEqual([
      ["body.prompt", "missing"],
      ["body.seed", "int_parsing"],
      ["body.resolution", "enum"],
      ["body.orientation", "enum"],
      ["body.colour", "extra_forbidden"],
    ]);
    expect(list[0]!.msg).toBe("Field required");
    expect(list[2]!.msg).toBe("Input should be '720p' or '480p'");
    expect(list[2]!.input).toBe("1080p");
    expect(list[4]!.msg).toBe("Extra inputs are not permitted");
    expect(emu.stats().jobsKept).toBe(kept);
  });

  it("keeps the field order when a multipart form sends the fields in another order", async () => {
    const fd = new FormData();
    for (const [name, value] of [
      ["zzz", "1"],
      ["orientation", "x"],
      ["resolution", "y"],
      ["aaa", "2"],
      ["seed", "z"],
      ["prompt", ""],
    ]) {
      fd.append(name!, value!);
    }
    expect(brief(await issues(await post(emu, "/v1/jobs/lucy-pro-t2v", fd)))).toEqual([
      ["body.prompt", "missing"],
      ["body.seed", "int_parsing"],
      ["body.resolution", "enum"],
      ["body.orientation", "enum"],
      ["body.zzz", "extra_forbidden"],
      ["body.aaa", "extra_forbidden"],
    ]);
  });

  it("checks string lengths and number ranges from the catalogue", async () => {
    const long = await issues(await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "x".repeat(1001) })));
    expect(long).toMatchObject([{ type: "string_too_long", ctx: { max_length: 1000 } }]);
    // An empty prompt is no prompt (FastAPI reads a form's "" so): missing, before its length is checked.
    const empty = await issues(await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "" })));
    expect(empty).toMatchObject([{ type: "missing", loc: ["body", "prompt"] }]);
    const low = await issues(await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p", seed: "-1" })));
    expect(low).toMatchObject([{ loc: ["body", "seed"], type: "greater_than_equal", ctx: { ge: 0 } }]);
    const high = await issues(await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p", seed: "4294967296" })));
    expect(high).toMatchObject([{ type: "less_than_equal", ctx: { le: 4294967295 } }]);
    const float = await issues(await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p", seed: "1.5" })));
    expect(float).toMatchObject([{ type: "int_parsing" }]);
  });

  it("reads an integer beyond 2^53 exactly and echoes it as sent, as pydantic does", async () => {
    const seed = async (text: string) =>
      issues(await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p", seed: text })));
    expect(await seed("9007199254740993")).toEqual([
      {
        loc: ["body", "seed"],
        type: "less_than_equal",
        msg: "Input should be less than or equal to 4294967295",
        input: "9007199254740993",
        ctx: { le: 4294967295 },
      },
    ]);
    const huge = "9".repeat(400);
    expect(await seed(huge)).toMatchObject([{ type: "less_than_equal", ctx: { le: 4294967295 } }]);
    const negative = `-${"9".repeat(100)}`;
    expect(await seed(negative)).toMatchObject([{ type: "greater_than_equal", input: negative }]);
    expect(await seed("9".repeat(5000))).toMatchObject([{ type: "int_parsing_size" }]);
    // A number read from the text is echoed as the text that was sent.
    expect(await seed("-1")).toMatchObject([{ type: "greater_than_equal", input: "-1" }]);
  });

  // pydantic 2 reads an integer from text with `_` between digits and a fraction of zeros (`60.0`), trims the
  // whitespace Rust's trim() takes (U+0085 and U+3000, not U+FEFF), and trims nothing from a boolean: the emulator
  // refused `60.0` and `1_000`, and took ` true` and a seed after a byte order mark.
  it("reads integer and boolean text as pydantic 2 does: _ between digits, a .0 fraction, its whitespace", async () => {
    /** The issues of a submit with this seed: none when it is taken (200). */
    const seed = async (text: string) => {
      const res = await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p", seed: text }));
      return res.status === 200 ? [] : issues(res);
    };
    for (const text of [
      "60.0",
      "60.000",
      "+0060.0",
      "-0.0",
      "1_000",
      "6_0.0",
      "\u00a060",
      "\u008560\u3000",
      "\v60\u2029",
    ]) {
      expect(await seed(text), JSON.stringify(text)).toEqual([]);
    }
    for (const text of [
      "60.",
      "60.5",
      ".0",
      "60.0_0",
      "_60",
      "60_",
      "6__0",
      "1e2",
      "\ufeff60",
      "\u200b60",
      "\u001c60",
    ]) {
      expect(await seed(text), JSON.stringify(text)).toMatchObject([{ type: "int_parsing", input: text }]);
    }
    // Read past the underscores and the fraction, echoed as sent.
    expect(await seed("4_294_967_296.0")).toMatchObject([{ type: "less_than_equal", input: "4_294_967_296.0" }]);
    expect(await seed(`${"9".repeat(30)}.00`)).toMatchObject([{ type: "less_than_equal" }]);
    expect(await seed(`${"9".repeat(4301)}.0`)).toMatchObject([{ type: "int_parsing_size" }]);
    const flag = async (text: string) =>
      (await post(emu, "/v1/jobs/lucy-clip", form({ prompt: "p", data: await sampleMp4(), enhance_prompt: text })))
        .status;
    for (const text of ["TRUE", "yEs", "Off"]) expect(await flag(text), text).toBe(200);
    for (const text of [" true", "true ", "\ttrue", " 1", "1.0", "2"])
      expect(await flag(text), JSON.stringify(text)).toBe(422);
  });

  it("counts a prompt's length in characters, not UTF-16 units or bytes", async () => {
    const emoji = "😀".repeat(1000); // 1000 characters, 2000 UTF-16 units, 4000 bytes
    const res = await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: emoji }));
    expect(res.status).toBe(200);
  });

  it("lets an empty prompt through where the spec allows it (Lucy 2.x)", async () => {
    const res = await post(emu, "/v1/jobs/lucy-2.1", form({ prompt: "", data: await sampleMp4() }));
    expect(res.status).toBe(200);
  });

  it("reports a Lucy 2.x submit without data and prompt as the server's schema lists them: data, then prompt", async () => {
    // The server's body schema for the Lucy 2.x family is `required: ["data", "prompt"]`: its fields in that order.
    for (const model of ["lucy-2.1", "lucy-2.5", "lucy-vton-3", "lucy-latest"]) {
      const list = await issues(await post(emu, `/v1/jobs/${model}`, form({ seed: "7" })));
      expect(
        list.map((i) => i.loc),
        model,
      ).toEqual([
        ["body", "data"],
        ["body", "prompt"],
      ]);
      expect(
        list.map((i) => i.type),
        model,
      ).toEqual(["missing", "missing"]);
    }
  });

  it.each(["true", "false", "True", "False", "1", "0", "yes", "no", "on", "off"])(
    "parses the boolean %s as pydantic does",
    async (value) => {
      const res = await post(
        emu,
        "/v1/jobs/lucy-clip",
        form({ prompt: "p", data: await sampleMp4(), enhance_prompt: value }),
      );
      expect(res.status).toBe(200);
    },
  );

  it("rejects a boolean it cannot read (bool_parsing)", async () => {
    const res = await post(
      emu,
      "/v1/jobs/lucy-clip",
      form({ prompt: "p", data: await sampleMp4(), enhance_prompt: "maybe" }),
    );
    expect(await issues(res)).toMatchObject([
      { loc: ["body", "enhance_prompt"], type: "bool_parsing", input: "maybe" },
    ]);
  });

  it("rejects text where a file is required, and a file where text is required", async () => {
    const res = await post(emu, "/v1/jobs/lucy-clip", form({ prompt: samplePng(), data: "not a file" }));
    expect(brief(await issues(res))).toEqual([
      ["body.prompt", "string_type"],
      ["body.data", "value_error"],
    ]);
  });

  it("reads a field given twice by its last value, as FastAPI does", async () => {
    const fd = form({ prompt: "one", seed: "5", data: await sampleMp4() });
    fd.append("seed", "x");
    fd.append("prompt", "");
    expect(await issues(await post(emu, "/v1/jobs/lucy-clip", fd))).toMatchObject([
      { loc: ["body", "prompt"], type: "missing" },
      { loc: ["body", "seed"], type: "int_parsing", input: "x" },
    ]);
    const valid = form({ prompt: "one", seed: "x", data: await sampleMp4() });
    valid.append("seed", "5");
    expect((await post(emu, "/v1/jobs/lucy-clip", valid)).status).toBe(200);
  });

  it("validates JSON fields against their schema (lucy-motion trajectory)", async () => {
    const bad = await post(emu, "/v1/jobs/lucy-motion", form({ data: samplePng(), trajectory: "[{frame: 1}" }));
    expect(await issues(bad)).toMatchObject([{ loc: ["body", "trajectory"], type: "json_invalid" }]);
    const wrong = await post(
      emu,
      "/v1/jobs/lucy-motion",
      form({
        data: samplePng(),
        trajectory: JSON.stringify([
          { frame: 0, x: -1, y: 0 },
          { frame: 1, x: 1 },
        ]),
      }),
    );
    expect(brief(await issues(wrong))).toEqual([
      ["body.trajectory.0.x", "greater_than_equal"],
      ["body.trajectory.1.y", "missing"],
    ]);
    // A point's fields in the schema's order (frame, x, y), a missing one where it stands, whatever the order sent.
    const unordered = await post(
      emu,
      "/v1/jobs/lucy-motion",
      form({ data: samplePng(), trajectory: '[{"y": -1, "x": "a"}, {"y": 0, "extra": 1, "frame": -2, "x": 0}]' }),
    );
    expect(brief(await issues(unordered))).toEqual([
      ["body.trajectory.0.frame", "missing"],
      ["body.trajectory.0.x", "float_parsing"],
      ["body.trajectory.0.y", "greater_than_equal"],
      ["body.trajectory.1.frame", "greater_than_equal"],
    ]);
    const short = await post(emu, "/v1/jobs/lucy-motion", form({ data: samplePng(), trajectory: "[]" }));
    expect(await issues(short)).toMatchObject([{ type: "too_short" }]);
    // A list too short with a bad item: pydantic validates the items first and gives their issues alone; too_short
    // only once every item is valid. Too long: too_long alone, its items not looked at.
    const shortAndBad = await post(
      emu,
      "/v1/jobs/lucy-motion",
      form({ data: samplePng(), trajectory: '[{"frame": -1, "x": 0, "y": 0}]' }),
    );
    expect(brief(await issues(shortAndBad))).toEqual([["body.trajectory.0.frame", "greater_than_equal"]]);
    const shortOnly = await post(
      emu,
      "/v1/jobs/lucy-motion",
      form({ data: samplePng(), trajectory: '[{"frame": 1, "x": 0, "y": 0}]' }),
    );
    expect(await issues(shortOnly)).toEqual([
      {
        type: "too_short",
        loc: ["body", "trajectory"],
        msg: "List should have at least 2 items after validation, not 1",
        input: [{ frame: 1, x: 0, y: 0 }],
        ctx: { field_type: "List", min_length: 2, actual_length: 1 },
      },
    ]);
    const longAndBad = await post(
      emu,
      "/v1/jobs/lucy-motion",
      form({ data: samplePng(), trajectory: JSON.stringify(Array.from({ length: 1001 }, () => ({ frame: -1 }))) }),
    );
    expect(brief(await issues(longAndBad))).toEqual([["body.trajectory", "too_long"]]);
    const ok = await post(
      emu,
      "/v1/jobs/lucy-motion",
      form({
        data: samplePng(),
        trajectory: JSON.stringify([
          { frame: 0, x: 0, y: 0 },
          { frame: 5, x: 1.5, y: 2 },
        ]),
      }),
    );
    expect(ok.status).toBe(200);
  });

  // The server reads the field's text with Python's json.loads (as pyjson.ts does), not as JavaScript's JSON.parse.
  it("reads a JSON field's text as Python's json.loads does: NaN and infinities, exact integers, Python's errors", async () => {
    const motion = async (trajectory: string) => {
      const r = await raw(emu.url, {
        method: "POST",
        path: "/v1/jobs/lucy-motion",
        headers: { "x-api-key": emu.apiKey, "content-type": "multipart/form-data; boundary=BnD" },
        body: multipart("BnD", [
          { name: "data", value: Buffer.from(samplePng()), filename: "a.png", type: "image/png" },
          { name: "trajectory", value: trajectory },
        ]),
      });
      // Whatever it says, it says it in JSON in UTF-8.
      const text = new TextDecoder("utf-8", { fatal: true }).decode(r.body);
      return { status: r.status, text, detail: (JSON.parse(text) as { detail: Issue[] }).detail };
    };
    const point = (x: string) => `[{"frame": 0, "x": ${x}, "y": 0}, {"frame": 1, "x": 1, "y": 1}]`;
    // An infinity is a number (at least 0), a NaN is one that no bound holds (echoed as Python's encoder writes it).
    expect((await motion(point("Infinity"))).status).toBe(200);
    const nan = await motion(point("NaN"));
    expect(nan.detail).toEqual([
      {
        type: "greater_than_equal",
        loc: ["body", "trajectory", 0, "x"],
        msg: "Input should be greater than or equal to 0",
        input: "NaN",
        ctx: { ge: 0 },
      },
    ]);
    // An integer is read exactly, and echoed digit for digit (JSON.parse made it -1.2345678901234568e+29).
    const big = "-123456789012345678901234567890";
    const exact = await motion(point(big));
    expect(exact.detail).toMatchObject([{ type: "greater_than_equal", loc: ["body", "trajectory", 0, "x"] }]);
    expect(exact.text).toContain(`"input":${big},`);
    // A repeated key keeps its last value.
    expect((await motion(point('-1, "x": 2'))).status).toBe(200);
    // Where json.loads gives no value, json_invalid says what Python's exception says: message, line, column, char.
    for (const [text, error] of [
      ["[{frame: 1}", "Expecting property name enclosed in double quotes: line 1 column 3 (char 2)"],
      ['[\n  {"frame": 0,}\n]', "Illegal trailing comma before end of object: line 2 column 14 (char 15)"],
      ['["\u00e9\u{1F600}", nan]', "Expecting value: line 1 column 8 (char 7)"],
      [`\ufeff${point("0")}`, "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)"],
      [
        point("1".repeat(4301)),
        "Exceeds the limit (4300 digits) for integer string conversion: value has 4301 digits; use " +
          "sys.set_int_max_str_digits() to increase the limit",
      ],
      ["[".repeat(1001), "maximum recursion depth exceeded while decoding a JSON array from a unicode string"],
    ] as const) {
      const r = await motion(text);
      expect(r.status, text).toBe(422);
      expect(r.detail, text).toEqual([
        {
          type: "json_invalid",
          loc: ["body", "trajectory"],
          msg: `Invalid JSON: ${error}`,
          ...(text.length <= 200 ? { input: text } : {}),
          ctx: { error },
        },
      ]);
    }
    // A lone surrogate escaped in a string is taken, as Python's json takes it, and echoed escaped (valid UTF-8 JSON;
    // FastAPI, whose encoder writes UTF-8, could not write it and would answer 500).
    const lone = await motion('[{"frame": "\\ud800", "x": 0, "y": 0}, {"frame": 1, "x": 1, "y": 1}]');
    expect(lone.detail).toMatchObject([
      { type: "int_parsing", loc: ["body", "trajectory", 0, "frame"], input: "\ud800" },
    ]);
    expect(lone.text).toContain('"input":"\\ud800"');
  });

  it("applies restyle's rules from the catalogue: exactly one of prompt / reference_image", async () => {
    const data = await sampleMp4();
    const neither = await issues(await post(emu, "/v1/jobs/lucy-restyle-2", form({ data })));
    expect(neither).toMatchObject([
      {
        loc: ["body"],
        type: "value_error",
        msg: "Value error, Must provide either 'prompt' or 'reference_image', but not both",
      },
    ]);
    const both = await issues(
      await post(emu, "/v1/jobs/lucy-restyle-2", form({ data, prompt: "p", reference_image: samplePng() })),
    );
    expect(both[0]!.msg).toContain("not both");
    const forbidden = await issues(
      await post(emu, "/v1/jobs/lucy-restyle-2", form({ data, reference_image: samplePng(), enhance_prompt: "true" })),
    );
    expect(forbidden[0]!.msg).toContain("'enhance_prompt' is only valid");
    expect((await post(emu, "/v1/jobs/lucy-restyle-2", form({ data, reference_image: samplePng() }))).status).toBe(200);
    expect(
      (await post(emu, "/v1/jobs/lucy-restyle-2", form({ data, prompt: "p", enhance_prompt: "false" }))).status,
    ).toBe(200);
  });

  describe("form text, read as the server reads it", () => {
    const urlencoded = (body: string) =>
      fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, {
        method: "POST",
        headers: { "x-api-key": emu.apiKey, "content-type": "application/x-www-form-urlencoded" },
        body,
      });
    /** The text the emulator read for an unknown field, from its extra_forbidden issue. */
    const readBack = async (res: Response) =>
      (await issues(res)).filter((i) => i.type === "extra_forbidden").map((i) => [i.loc[1], i.input]);

    it("takes a valid prompt holding U+FFFD (the replacement character) in a multipart or urlencoded form", async () => {
      const prompt = "caf\uFFFD au lait";
      expect((await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt }))).status).toBe(200);
      expect((await urlencoded(new URLSearchParams({ prompt }).toString())).status).toBe(200);
      const extra = { cölour: "caf\uFFFD é 😀" };
      expect(await readBack(await post(emu, "/v1/jobs/lucy-pro-t2v", form(extra)))).toEqual([
        ["cölour", "caf\uFFFD é 😀"],
      ]);
      expect(await readBack(await urlencoded(new URLSearchParams(extra).toString()))).toEqual([
        ["cölour", "caf\uFFFD é 😀"],
      ]);
    });

    it("reads a urlencoded form as Starlette does: escapes as UTF-8 (U+FFFD for bad bytes), other bytes one character a byte", async () => {
      expect(await readBack(await urlencoded("prompt=ok&colour=f%FF%FEo&mood=caf%C3%A9+%E9"))).toEqual([
        ["colour", "f\uFFFD\uFFFDo"],
        ["mood", "café \uFFFD"],
      ]);
      // UTF-8 sent unescaped: its bytes one character a byte, as urllib keeps the characters it does not unquote.
      const raw = Buffer.concat([Buffer.from("prompt=ok&colour="), Buffer.from("café %C3%A9", "utf8")]);
      expect(await readBack(await urlencoded(raw as unknown as string))).toEqual([["colour", "cafÃ© é"]]);
      // A name too.
      expect(await readBack(await urlencoded("prompt=ok&c%C3%B6lour=x"))).toEqual([["cölour", "x"]]);
    });

    it("measures a urlencoded value once unquoted: 1 MiB of escapes is read, one byte more is cut", async () => {
      const msgOf = async (n: number) =>
        (await issues(await urlencoded(`prompt=${"%41".repeat(n)}`))).map((i) => [i.type, i.ctx?.max_length]);
      expect(await msgOf(1024 * 1024)).toEqual([["string_too_long", 1000]]);
      expect(await msgOf(1024 * 1024 + 1)).toEqual([["string_too_long", 1024 * 1024]]);
    });

    it("reads a urlencoded form the same whatever charset it names, a charset nobody knows too", async () => {
      for (const charset of ["latin1", "utf-16", "bogus-9"]) {
        const res = await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, {
          method: "POST",
          headers: { "x-api-key": emu.apiKey, "content-type": `application/x-www-form-urlencoded; charset=${charset}` },
          body: "prompt=ok&colour=caf%C3%A9+%E9",
        });
        expect(await readBack(res)).toEqual([["colour", "café \uFFFD"]]);
      }
    });

    it("keeps a % that starts no escape in a urlencoded form as it is, as the server's unquote does", async () => {
      // `50% off`, `%zz`, a `%` at the end: text as sent (busboy alone refuses the whole body).
      expect((await urlencoded("prompt=50%+off+%zz+100%")).status).toBe(200);
      expect(await readBack(await urlencoded("prompt=ok&colour=9%2x%&%zz%=%%41%"))).toEqual([
        ["colour", "9%2x%"],
        ["%zz%", "%A%"],
      ]);
      // A stray % beside escapes and bytes over 0x7F.
      const mixed = Buffer.concat([Buffer.from("prompt=ok&colour=%"), Buffer.from([0xe9]), Buffer.from("%41%4")]);
      expect(await readBack(await urlencoded(mixed as unknown as string))).toEqual([["colour", "%éA%4"]]);
    });

    it("reads every part in the body's charset (UTF-8), whatever charset a part names, bytes that are not UTF-8 one character a byte", async () => {
      const B = "cs-boundary";
      // mood: private-use characters, read as sent.
      const mood = "\uF7C3\uF7A9";
      const body = multipart(B, [
        { name: "prompt", value: Buffer.from("café", "utf8"), type: "text/plain; charset=utf-8" },
        { name: "colour", value: Buffer.from("café", "latin1"), type: "text/plain; charset=iso-8859-1" },
        { name: "mood", value: Buffer.from(mood, "utf8"), type: "text/plain; charset=utf-8" },
      ]);
      const res = await raw(emu.url, {
        method: "POST",
        path: "/v1/jobs/lucy-pro-t2v",
        headers: { "x-api-key": emu.apiKey, "content-type": `multipart/form-data; boundary=${B}` },
        body,
      });
      const list = JSON.parse(res.body.toString()).detail as Issue[];
      expect(list.map((i) => [i.loc[1], i.type, i.input])).toEqual([
        ["colour", "extra_forbidden", "café"],
        ["mood", "extra_forbidden", mood],
      ]);
    });
  });

  it("accepts urlencoded forms for models without files", async () => {
    const res = await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, {
      method: "POST",
      headers: { "x-api-key": emu.apiKey, "content-type": "application/x-www-form-urlencoded" },
      body: "prompt=hello%20world&seed=5&resolution=480p",
    });
    expect(res.status).toBe(200);
  });

  it("treats a JSON body on a form route as an empty form (FastAPI): required fields are missing", async () => {
    const res = await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, {
      method: "POST",
      headers: { "x-api-key": emu.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "hello" }),
    });
    expect(brief(await issues(res))).toEqual([["body.prompt", "missing"]]);
  });
});

describe("an empty form value is no value, as FastAPI reads a form", () => {
  it("gives an optional field its default: seed, resolution, orientation, enhance_prompt, a file, ttl_seconds", async () => {
    const empty = { seed: "", resolution: "", enhance_prompt: "" };
    const t2v = await post(
      emu,
      "/v1/jobs/lucy-pro-t2v",
      form({ prompt: "p", seed: "", resolution: "", orientation: "" }),
    );
    expect(t2v.status).toBe(200);
    const urlencoded = await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, {
      method: "POST",
      headers: { "x-api-key": emu.apiKey, "content-type": "application/x-www-form-urlencoded" },
      body: "prompt=p&seed=&resolution=&orientation=",
    });
    expect(urlencoded.status).toBe(200);
    // A file field sent as empty text (no file part): not given.
    const data = await sampleMp4();
    const clip = await post(emu, "/v1/jobs/lucy-clip", form({ prompt: "p", data, reference_image: "", ...empty }));
    expect(clip.status).toBe(200);
    const image = await post(emu, "/v1/generate/lucy-pro-i2i", form({ prompt: "p", data: samplePng(), ...empty }));
    expect(image.status).toBe(200);
    const file = await post(emu, "/v1/files", form({ file: samplePng(), ttl_seconds: "" }));
    expect(file.status).toBe(200);
    const ref = (await file.json()) as { created_at: string; expires_at: string };
    expect(Date.parse(ref.expires_at) - Date.parse(ref.created_at)).toBe(86_400_000);
  });

  it("renders what the defaults render: an empty seed and resolution are seed 0 and 720p", async () => {
    const clock = { now: Date.parse("2030-01-01T00:00:00.000Z") };
    const e = await start({ now: () => clock.now });
    try {
      const post1 = (fields: Record<string, string | undefined>) => post(e, "/v1/jobs/lucy-pro-t2v", form(fields));
      const ids: string[] = [];
      for (const fields of [
        { prompt: "same", seed: "", resolution: "", orientation: "" },
        { prompt: "same" },
        { prompt: "same", resolution: "480p" },
      ]) {
        const res = await post1(fields);
        expect(res.status, JSON.stringify(fields)).toBe(200);
        ids.push(((await res.json()) as { job_id: string }).job_id);
      }
      clock.now += 3_600_000;
      for (const id of ids) await (await get(e, `/v1/jobs/${id}`)).json();
      const [emptied, bare, other] = ids.map((id) => e.job(id)?.resultSha256);
      expect(emptied).toMatch(/^[0-9a-f]{64}$/);
      expect(emptied).toBe(bare);
      expect(other).not.toBe(bare);
    } finally {
      await e.close();
    }
  });

  it("answers a required field sent empty as missing (input null): a prompt, a file, a JSON field", async () => {
    const prompt = await issues(await post(emu, "/v1/jobs/lucy-pro-t2v", form({ prompt: "", seed: "" })));
    expect(prompt).toEqual([{ type: "missing", loc: ["body", "prompt"], msg: "Field required", input: null }]);
    const file = await issues(await post(emu, "/v1/jobs/lucy-clip", form({ prompt: "p", data: "" })));
    expect(file).toEqual([{ type: "missing", loc: ["body", "data"], msg: "Field required", input: null }]);
    const motion = await issues(await post(emu, "/v1/jobs/lucy-motion", form({ data: samplePng(), trajectory: "" })));
    expect(brief(motion)).toEqual([["body.trajectory", "missing"]]);
  });

  it("takes an empty prompt where the spec's schema takes one (Lucy 2.x: 'Send an empty string')", async () => {
    expect((await post(emu, "/v1/jobs/lucy-2.1", form({ prompt: "", data: await sampleMp4() }))).status).toBe(200);
    expect(brief(await issues(await post(emu, "/v1/jobs/lucy-2.1", form({ prompt: "", data: "" }))))).toEqual([
      ["body.data", "missing"],
    ]);
  });

  it("counts an empty optional field as not sent for restyle's rules", async () => {
    const data = await sampleMp4();
    const image = samplePng();
    // An empty prompt beside a reference image is no prompt: the image alone, as the rule wants.
    const withImage = await post(emu, "/v1/jobs/lucy-restyle-2", form({ data, prompt: "", reference_image: image }));
    expect(withImage.status).toBe(200);
    const alone = await issues(await post(emu, "/v1/jobs/lucy-restyle-2", form({ data, prompt: "" })));
    expect(alone).toMatchObject([{ loc: ["body"], type: "value_error" }]);
    expect(alone[0]!.msg).toContain("Must provide either");
  });
});

describe("file types are read from the bytes, not the declared type", () => {
  it("rejects a video where an image is required even when declared image/png (400 Invalid file type)", async () => {
    const fd = new FormData();
    fd.append("prompt", "p");
    fd.append("data", blob(await sampleMp4(), "image/png"), "photo.png");
    const res = await post(emu, "/v1/generate/lucy-image-2", fd);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/^Invalid file type for 'data'/);
  });

  it("accepts a real PNG declared as application/octet-stream (as the Python SDK sends it)", async () => {
    const body = multipart("b0undary", [
      { name: "prompt", value: "p" },
      { name: "data", value: Buffer.from(samplePng()), filename: "x.bin", type: "application/octet-stream" },
    ]);
    const res = await raw(emu.url, {
      method: "POST",
      path: "/v1/generate/lucy-image-2",
      headers: { "x-api-key": emu.apiKey, "content-type": "multipart/form-data; boundary=b0undary" },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
  });

  it("rejects an empty file and random bytes", async () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(1000).fill(7)]) {
      const res = await post(emu, "/v1/jobs/lucy-clip", form({ prompt: "p", data: bytes }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toContain("Invalid file type");
    }
  });
});

describe("model routes", () => {
  it("answers an unknown model as the server's router does (405 on /v1/jobs/, 404 on /v1/generate/), 410 for each retired model", async () => {
    // The server routes each model's POST on a path of its own; `POST /v1/jobs/{name}` of no model falls on the
    // job-status path `GET /v1/jobs/{job_id}`: 405 Method Not Allowed, before the key is read.
    for (const extra of [{}, { "x-api-key": "" }] as Record<string, string>[]) {
      const res = await fetch(`${emu.url}/v1/jobs/lucy-nope`, {
        method: "POST",
        headers: { ...headers(emu), ...extra },
        body: form({ prompt: "p" }),
      });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
      expect(await res.json()).toEqual({ detail: "Method Not Allowed" });
    }
    const generate = await post(emu, "/v1/generate/lucy-nope", form({ prompt: "p" }));
    expect(generate.status).toBe(404);
    expect(((await generate.json()) as { detail: string }).detail).toContain("lucy-nope");
    for (const { name } of retiredModels) {
      for (const prefix of ["/v1/jobs/", "/v1/generate/"]) {
        const r = await post(emu, `${prefix}${name}`, form({ prompt: "p" }));
        expect(r.status).toBe(410);
        expect(await r.json()).toEqual({ detail: "This model has been retired.", model: name });
      }
    }
  });

  it("points an image model on the jobs route to its real route (404)", async () => {
    const res = await post(emu, "/v1/jobs/lucy-image-2", form({ prompt: "p" }));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toContain("/v1/generate/lucy-image-2");
  });
});

describe("upload limits (413), detected while streaming", () => {
  it("accepts a file of exactly maxUploadBytes and rejects one byte more", async () => {
    const limit = 64 * 1024;
    const e = await start({ maxUploadBytes: limit });
    try {
      const head = Buffer.from(await sampleMp4());
      const exact = Buffer.concat([head, Buffer.alloc(limit - head.length)]);
      expect((await post(e, "/v1/jobs/lucy-clip", form({ prompt: "p", data: exact }))).status).toBe(200);
      const over = Buffer.concat([exact, Buffer.alloc(1)]);
      const res = await post(e, "/v1/jobs/lucy-clip", form({ prompt: "p", data: over }));
      expect(res.status).toBe(413);
      expect(((await res.json()) as { detail: string }).detail).toContain(String(limit));
      expect(e.stats().jobsCreated).toBe(1);
    } finally {
      await e.close();
    }
  });
});

describe("number fields of a form", () => {
  it("reads a long run of digits that is no number in linear time (the check cannot be made to backtrack)", async () => {
    const { fieldsFromObjectSchema } = await import("../src/validation.js");
    const [field] = fieldsFromObjectSchema({ type: "object", properties: { x: { type: "number" } } });
    const out: { type: string }[] = [];
    // 200 000 digits then a letter: a pattern such as \d+\.?\d* tries every split of the digits (about 2·10^10 steps,
    // far beyond the test's timeout); a linear one answers at once.
    expect(field?.parse(`${"1".repeat(200_000)}x`, ["body", "x"], out as never)).toBeUndefined();
    expect(out.map((i) => i.type)).toEqual(["float_parsing"]);
    expect(field?.parse("12.5e3", ["body", "x"], [])).toBe(12500);
    expect(field?.parse("12.", ["body", "x"], [])).toBe(12);
    expect(field?.parse(".5", ["body", "x"], [])).toBe(0.5);
  });
});
