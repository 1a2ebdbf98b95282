import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { catalogue, requestSchemas } from "@decart/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models, sentLength } from "../src/index.js";
import { callOptions, checkSchema, clientOptions, type Schema } from "../src/validate.js";
import { chainText, clientFor, closedPort, startFast, useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

const png = () => new Blob([new Uint8Array(8)], { type: "image/png" });
const mp4 = () => new Blob([new Uint8Array(8)], { type: "video/mp4" });
const t2v = { model: models.video("lucy-pro-t2v"), prompt: "x" };
const point = (frame: number) => ({ frame, x: 0.5, y: 0.5 });
// Calls with runtime-wrong inputs: the casts stand for JavaScript callers or `any`-typed data.
const submit = (options: Record<string, unknown>) => env.client.queue.submit(options as never);
const processImage = (options: Record<string, unknown>) => env.client.process(options as never);

type Case = [name: string, field: string, run: () => unknown];

const cases: Case[] = [
  ["an unknown video model", "model", () => models.video("lucy-nope" as never)],
  ["an image model asked for as video", "model", () => models.video("lucy-pro-t2i" as never)],
  ["a video model asked for as image", "model", () => models.image("lucy-pro-t2v" as never)],
  ["a model given as a plain string", "model", () => submit({ model: "lucy-pro-t2v", prompt: "x" })],
  ["an image model on the queue", "model", () => submit({ model: models.image("lucy-pro-t2i"), prompt: "x" })],
  ["a video model on process", "model", () => processImage({ model: models.video("lucy-pro-t2v"), prompt: "x" })],
  ["a missing required prompt", "prompt", () => submit({ model: models.video("lucy-pro-t2v") })],
  ["a prompt that is not text", "prompt", () => submit({ model: models.video("lucy-pro-t2v"), prompt: 42 })],
  [
    "an empty prompt where one is required",
    "prompt",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "" }),
  ],
  [
    "a prompt over 1000 characters",
    "prompt",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "a".repeat(1001) }),
  ],
  [
    "an orientation outside the enum",
    "orientation",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", orientation: "diagonal" }),
  ],
  [
    "a resolution outside the enum",
    "resolution",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", resolution: "1080p" }),
  ],
  [
    "a seed that is not an integer",
    "seed",
    () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", seed: 1.5 }),
  ],
  ["a negative seed", "seed", () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", seed: -1 })],
  ["a seed given as text", "seed", () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", seed: "42" })],
  ["an unknown field", "foo", () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", foo: 1 })],
  [
    "a boolean given as text",
    "enhance_prompt",
    () => submit({ model: models.video("lucy-clip"), prompt: "x", data: mp4(), enhance_prompt: "yes" }),
  ],
  ["a missing required file", "data", () => submit({ model: models.video("lucy-clip"), prompt: "x" })],
  [
    "text where a file is expected",
    "data",
    () => submit({ model: models.video("lucy-clip"), prompt: "x", data: "not a url" }),
  ],
  [
    "a non-http URL for a file",
    "data",
    () => submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: "ftp://example.org/a.png" }),
  ],
  [
    "a file of the wrong media type",
    "data",
    () => submit({ model: models.video("lucy-clip"), prompt: "x", data: new Blob(["x"], { type: "text/plain" }) }),
  ],
  ["an empty file", "data", () => submit({ model: models.video("lucy-clip"), prompt: "x", data: new Blob([]) })],
  [
    "empty bytes for a file",
    "reference_image",
    () => submit({ model: models.video("lucy-restyle-2"), data: mp4(), reference_image: new Uint8Array(0) }),
  ],
  [
    "a number where a file is expected",
    "data",
    () => submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: 7 }),
  ],
  [
    "restyle with both prompt and reference_image",
    "prompt|reference_image",
    () => submit({ model: models.video("lucy-restyle-2"), data: mp4(), prompt: "x", reference_image: png() }),
  ],
  [
    "restyle with neither prompt nor reference_image",
    "prompt|reference_image",
    () => submit({ model: models.video("lucy-restyle-2"), data: mp4() }),
  ],
  [
    "enhance_prompt with reference_image",
    "enhance_prompt",
    () => submit({ model: models.video("lucy-restyle-2"), data: mp4(), reference_image: png(), enhance_prompt: true }),
  ],
  [
    "a trajectory with too few points",
    "trajectory",
    () => submit({ model: models.video("lucy-motion"), data: png(), trajectory: [point(0)] }),
  ],
  [
    "a trajectory point without x",
    "trajectory[1].x",
    () => submit({ model: models.video("lucy-motion"), data: png(), trajectory: [point(0), { frame: 1, y: 0 }] }),
  ],
  [
    "a trajectory that is not JSON",
    "trajectory",
    () => submit({ model: models.video("lucy-motion"), data: png(), trajectory: "[{" }),
  ],
  [
    "a negative trajectory frame",
    "trajectory[0].frame",
    () => submit({ model: models.video("lucy-motion"), data: png(), trajectory: [point(-1), point(2)] }),
  ],
  ...["__proto__", "constructor", "valueOf", "toString", "hasOwnProperty"].map(
    (name): Case => [
      `a field named ${name} (not the prototype's)`,
      name,
      () => submit({ model: models.video("lucy-pro-t2v"), prompt: "x", ...JSON.parse(`{"${name}": "x"}`) }),
    ],
  ),
  ["a signal that is not an AbortSignal", "signal", () => submit({ ...t2v, signal: "stop" })],
  ["a negative timeout", "timeoutMs", () => env.client.queue.submitAndPoll({ ...t2v, timeoutMs: -1 })],
  ["a timeout given as text", "timeoutMs", () => env.client.queue.submitAndPoll({ ...t2v, timeoutMs: "abc" as never })],
  [
    "a timeout past what timers hold",
    "timeoutMs",
    () => env.client.queue.submitAndPoll({ ...t2v, timeoutMs: 2 ** 31 }),
  ],
  ["a timeout of NaN", "timeoutMs", () => env.client.queue.submitAndPoll({ ...t2v, timeoutMs: Number.NaN })],
  [
    "a download flag given as text",
    "download",
    () => env.client.queue.submitAndPoll({ ...t2v, download: "no" as never }),
  ],
  [
    "a negative poll interval",
    "poll.intervalMs",
    () => env.client.queue.submitAndPoll({ ...t2v, poll: { intervalMs: -5 } }),
  ],
  [
    "an unknown poll option",
    "poll.every",
    () => env.client.queue.submitAndPoll({ ...t2v, poll: { every: 5 } as never }),
  ],
  [
    "an upload progress callback that is not a function",
    "onUploadProgress",
    () => submit({ ...t2v, onUploadProgress: 1 }),
  ],
  ["call options that are not an object", "options", () => submit("lucy-pro-t2v" as never)],
  ["a status read with a bad signal", "signal", () => env.client.queue.status("job_x", { signal: "stop" as never })],
  ["a status read with an unknown option", "timeout", () => env.client.queue.status("job_x", { timeout: 5 } as never)],
  [
    "a result download with a bad progress callback",
    "onProgress",
    () => env.client.queue.result("job_x", { onProgress: 5 as never }),
  ],
  ["a wait with a negative timeout", "timeoutMs", () => env.client.queue.wait("job_x", { timeoutMs: -1 })],
  ["a wait with a bad signal", "signal", () => env.client.queue.wait("job_x", { signal: {} as never })],
  ["a file read with a bad signal", "signal", () => env.client.files.get("file_x", { signal: "stop" as never })],
  ["a token lifetime of 0 s", "expiresIn", () => env.client.tokens.create({ expiresIn: 0 })],
  ["a token lifetime over an hour", "expiresIn", () => env.client.tokens.create({ expiresIn: 3601 })],
  ["a token lifetime given as text", "expiresIn", () => env.client.tokens.create({ expiresIn: "60" as never })],
  ["an unknown token option", "expires", () => env.client.tokens.create({ expires: 60 } as never)],
  [
    "allowed models given as one string",
    "allowedModels",
    () => env.client.tokens.create({ allowedModels: "lucy" as never }),
  ],
  [
    "more than 20 allowed origins",
    "allowedOrigins",
    () => env.client.tokens.create({ allowedOrigins: Array(21).fill("https://example.org") }),
  ],
  ["a token request with a bad signal", "signal", () => env.client.tokens.create({ signal: "stop" as never })],
  [
    "an upload TTL given as other text",
    "ttlSeconds",
    () => env.client.files.upload(png(), { ttlSeconds: "forever" as never }),
  ],
  ["an unknown upload option", "ttl", () => env.client.files.upload(png(), { ttl: 60 } as never)],
  ["an upload with a bad signal", "signal", () => env.client.files.upload(png(), { signal: "stop" as never })],
  ["a negative client timeout", "timeoutMs", () => createDecartClient({ apiKey: "k", timeoutMs: -1 })],
  [
    "an upload timeout of NaN",
    "uploadTimeoutMs",
    () => createDecartClient({ apiKey: "k", uploadTimeoutMs: Number.NaN }),
  ],
  ["retries given as text", "maxRetries", () => createDecartClient({ apiKey: "k", maxRetries: "x" as never })],
  ["a fractional retry count", "maxRetries", () => createDecartClient({ apiKey: "k", maxRetries: 1.5 })],
  ["a fetch that is not a function", "fetch", () => createDecartClient({ apiKey: "k", fetch: "fetch" as never })],
  ["an unknown client option", "timeout", () => createDecartClient({ apiKey: "k", timeout: 5 } as never)],
  [
    "a client poll interval of Infinity",
    "poll.intervalMs",
    () => createDecartClient({ apiKey: "k", poll: { intervalMs: Infinity } }),
  ],
  ["an empty job id", "jobId", () => env.client.queue.status("")],
  ["a job id that is not text", "jobId", () => env.client.queue.result(5 as never)],
  ["an upload TTL under 60 s", "ttlSeconds", () => env.client.files.upload(png(), { ttlSeconds: 10 })],
  ["an upload that is not a file", "file", () => env.client.files.upload({} as never)],
  ["an empty file id", "fileId", () => env.client.files.get("")],
  ["no API key at all", "apiKey", () => withoutEnvKey(() => createDecartClient({ baseUrl: env.emu.url }))],
  ["a blank API key", "apiKey", () => withoutEnvKey(() => createDecartClient({ apiKey: "  " }))],
  ["a base URL that is not a URL", "baseUrl", () => createDecartClient({ apiKey: "k", baseUrl: "not a url" })],
  // Each passed the check of its form, and every request then failed as a retryable connection error.
  ...["http://api.decart .ai", "http://127.0.0.1:80:80", "https://[::1"].map(
    (baseUrl): Case => [
      `a base URL no URL parser takes (${baseUrl})`,
      "baseUrl",
      () => createDecartClient({ apiKey: "k", baseUrl }),
    ],
  ),
  ["a proxy URL no URL parser takes", "proxy", () => createDecartClient({ proxy: "https://proxy .test" })],
  ["both a proxy and a key", "proxy", () => createDecartClient({ apiKey: "k", proxy: "/api/decart" } as never)],
  [
    "a model definition whose path would name another host",
    "model",
    () => submit({ ...t2v, model: { ...t2v.model, path: ".evil.example/v1/jobs/lucy-pro-t2v" } }),
  ],
  ["a model definition without fields", "model", () => submit({ ...t2v, model: { ...t2v.model, fields: "prompt" } })],
  [
    "an input whose getter throws",
    "prompt",
    () =>
      submit({
        ...t2v,
        get prompt(): string {
          throw new Error("no");
        },
      }),
  ],
  [
    "an option whose getter throws",
    "signal",
    () =>
      submit({
        ...t2v,
        get signal(): never {
          throw new Error("no");
        },
      }),
  ],
  [
    "options as a Proxy that cannot list its keys",
    "options",
    () =>
      submit(
        new Proxy(t2v, {
          ownKeys: () => {
            throw new Error("no");
          },
        }),
      ),
  ],
  [
    "options as a Proxy whose fields cannot be read",
    "model",
    () =>
      env.client.queue.submitAndPoll(
        new Proxy(t2v, {
          get: () => {
            throw new Error("no");
          },
        }),
      ),
  ],
  [
    "a model whose getter throws",
    "model",
    () =>
      submit({
        ...t2v,
        model: {
          ...t2v.model,
          get path(): string {
            throw new Error("no");
          },
        },
      }),
  ],
  [
    "a model as a Proxy whose fields cannot be read",
    "model",
    () =>
      env.client.queue.submitAndPoll({
        ...t2v,
        model: new Proxy(t2v.model, {
          get: () => {
            throw new Error("no");
          },
        }),
      }),
  ],
  [
    "a model as a Proxy that cannot list its keys, on process",
    "model",
    () =>
      processImage({
        prompt: "x",
        model: new Proxy(models.image("lucy-pro-t2i"), {
          ownKeys: () => {
            throw new Error("no");
          },
        }),
      }),
  ],
  [
    "a wait's model as a Proxy whose fields cannot be read",
    "model",
    () =>
      env.client.queue.wait("job_x", {
        model: new Proxy(t2v.model, {
          get: () => {
            throw new Error("no");
          },
        }),
      }),
  ],
  [
    "status options whose getter throws",
    "signal",
    () =>
      env.client.queue.status("job_x", {
        get signal(): never {
          throw new Error("no");
        },
      }),
  ],
  [
    "client options whose getter throws",
    "timeoutMs",
    () =>
      createDecartClient({
        apiKey: "k",
        get timeoutMs(): number {
          throw new Error("no");
        },
      }),
  ],
];

function withoutEnvKey<T>(run: () => T): T {
  const saved = process.env.DECART_API_KEY;
  delete process.env.DECART_API_KEY;
  try {
    return run();
  } finally {
    if (saved !== undefined) process.env.DECART_API_KEY = saved;
  }
}

describe("client-side validation", () => {
  it(`rejects ${cases.length} kinds of bad input`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)("rejects %s with a typed InvalidInputError and sends nothing", async (_name, field, run) => {
    const before = env.emu.stats().requests.total;
    const error = await (async () => run())().then(
      () => undefined,
      (e) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe(field);
    expect(error.expected).toEqual(expect.any(String));
    expect(error.message.length).toBeGreaterThan(10);
    expect(env.emu.stats().requests.total).toBe(before);
  });

  it("names the field and what was expected in the message", async () => {
    const error = await submit({ model: models.video("lucy-pro-t2v"), prompt: "x", orientation: "diagonal" }).catch(
      (e) => e,
    );
    expect(error.message).toBe(
      'Invalid input for lucy-pro-t2v: "orientation" must be one of "landscape", "portrait" (got "diagonal")',
    );
  });

  it("an input of a name the model does not know names the known ones and the way past the check (validateInputs: false)", async () => {
    const emu = await startFast();
    try {
      const error = await clientFor(emu)
        .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x", promt: "y" } as never)
        .catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toBe(
        'Invalid input for lucy-pro-t2v: "promt" must be a known name (one of prompt, seed, resolution, orientation), or any with validateInputs: false',
      );
      expect(emu.stats().requests.total).toBe(0);
    } finally {
      await emu.close();
    }
  });

  it("names the catalogue's models of an unknown name's family (its name before the version), of the kind asked", () => {
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        return e as InvalidInputError;
      }
    };
    // A name of the official SDK 0.1.20 that the catalogue lacks (reverted upstream): the names to write instead.
    expect(refusal(() => models.video("lucy-vton-3.5" as never))).toMatchObject({
      field: "model",
      message: `Invalid input: "model" must be one of the catalogue's video models (of its family: lucy-vton-2, lucy-vton-3), or a definition of your own (got "lucy-vton-3.5")`,
    });
    // A version of its own, or none; a family of the other kind names none of it; a name of no family, nothing.
    expect(refusal(() => models.video("lucy-2.6" as never))?.expected).toBe(
      "one of the catalogue's video models (of its family: lucy-2.1, lucy-2.5), or a definition of your own",
    );
    expect(refusal(() => models.video("lucy-restyle" as never))?.expected).toBe(
      "one of the catalogue's video models (of its family: lucy-restyle-2), or a definition of your own",
    );
    expect(refusal(() => models.image("lucy-image-3" as never))?.expected).toBe(
      "one of the catalogue's image models (of its family: lucy-image-2), or a definition of your own",
    );
    expect(refusal(() => models.video("lucy-image-3" as never))?.expected).toBe(
      "one of the catalogue's video models, or a definition of your own",
    );
    expect(refusal(() => models.video("lucy-nope" as never))?.expected).toBe(
      "one of the catalogue's video models, or a definition of your own",
    );
    expect(refusal(() => models.video(Symbol("lucy-vton-3") as never))?.expected).toBe(
      "one of the catalogue's video models, or a definition of your own",
    );
  });

  it("writes a BigInt as in code (1n), not as the number it looks like", async () => {
    const before = env.emu.stats().requests.total;
    const error = await submit({ ...t2v, seed: 1n }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('Invalid input for lucy-pro-t2v: "seed" must be an integer (got 1n)');
    expect(env.emu.stats().requests.total).toBe(before);
  });

  it("tells Infinity the range the option takes, as 0 and 2^31 are told; NaN is no number; -0 is 0", async () => {
    const refusal = async (run: () => unknown) => {
      try {
        await run();
      } catch (e) {
        return (e as InvalidInputError).message;
      }
    };
    const made = (options: Record<string, unknown>) => () => createDecartClient({ apiKey: "k", ...options });
    const before = env.emu.stats().requests.total;
    for (const [value, got] of [
      [Infinity, "Infinity"],
      [-Infinity, "-Infinity"],
      [0, "0"],
      [-0, "0"],
      [2 ** 31, "2147483648"],
    ] as const) {
      for (const key of ["timeoutMs", "uploadTimeoutMs"]) {
        expect(await refusal(made({ [key]: value }))).toBe(
          `Invalid options: "${key}" must be within 1..2147483647 (got ${got})`,
        );
      }
      expect(await refusal(() => env.client.queue.submitAndPoll({ ...t2v, timeoutMs: value }))).toBe(
        `Invalid input: "timeoutMs" must be within 1..2147483647 (got ${got})`,
      );
      expect(await refusal(() => env.client.queue.wait("job_x", { timeoutMs: value }))).toBe(
        `Invalid options: "timeoutMs" must be within 1..2147483647 (got ${got})`,
      );
    }
    for (const key of ["initialDelayMs", "intervalMs", "maxIntervalMs"]) {
      // (A cap takes 50 ms or more: the adaptive schedule's shortest wait.)
      const least = key === "maxIntervalMs" ? 50 : 0;
      for (const value of [Infinity, -Infinity]) {
        expect(await refusal(made({ poll: { [key]: value } }))).toBe(
          `Invalid options: "poll.${key}" must be within ${least}..2147483647 (got ${value})`,
        );
        expect(await refusal(() => env.client.queue.submitAndPoll({ ...t2v, poll: { [key]: value } }))).toBe(
          `Invalid input: "poll.${key}" must be within ${least}..2147483647 (got ${value})`,
        );
      }
      expect(await refusal(made({ poll: { [key]: Number.NaN } }))).toBe(
        `Invalid options: "poll.${key}" must be a number (got NaN)`,
      );
      // -0 is a delay of 0, which a delay may be (not a cap).
      if (!least) expect(await refusal(made({ poll: { [key]: -0 } }))).toBeUndefined();
    }
    expect(await refusal(made({ timeoutMs: Number.NaN }))).toBe(
      'Invalid options: "timeoutMs" must be a number (got NaN)',
    );
    // No range above, so Infinity is told what it is not: an integer (retries end with the call's time budget anyway).
    expect(await refusal(made({ maxRetries: Infinity }))).toBe(
      'Invalid options: "maxRetries" must be an integer (got Infinity)',
    );
    // A range open above is told by its bound and what to give, not "within 0..Infinity".
    for (const value of [-Infinity, -1]) {
      expect(await refusal(made({ maxRetries: value }))).toBe(
        `Invalid options: "maxRetries" must be 0 or more (got ${value})`,
      );
      expect(
        await refusal(() =>
          submit({
            model: models.video("lucy-motion"),
            data: png(),
            trajectory: [{ ...point(0), x: value }, point(2)],
          }),
        ),
      ).toBe(`Invalid input for lucy-motion: "trajectory[0].x" must be 0 or more (got ${value})`);
    }
    expect(await refusal(made({ maxRetries: Number.NaN }))).toBe(
      'Invalid options: "maxRetries" must be an integer (got NaN)',
    );
    expect(await refusal(made({ maxRetries: -0 }))).toBeUndefined();
    // A model's number with no upper bound (a trajectory point's x) takes no Infinity: JSON has none.
    expect(
      await refusal(() =>
        submit({
          model: models.video("lucy-motion"),
          data: png(),
          trajectory: [{ ...point(0), x: Infinity }, point(2)],
        }),
      ),
    ).toBe('Invalid input for lucy-motion: "trajectory[0].x" must be a number (got Infinity)');
    expect(env.emu.stats().requests.total).toBe(before);
  });

  it("tells every ranged number of the catalogue, the spec's requests, the options and a definition of one's own a range without Infinity", async () => {
    // A definition of one's own may set a `maximum` alone (a range open below) or a `minimum` alone.
    const mine = {
      name: "my-model",
      kind: "video",
      canonical: "my-model",
      path: "/v1/jobs/my-model",
      typicalJobSeconds: 5,
      rules: [],
      fields: [
        { name: "strength", type: "integer", required: false, maximum: 10 },
        { name: "offset", type: "number", required: false, minimum: -5 },
      ],
    } as const;
    const before = env.emu.stats().requests.total;
    for (const [input, expected] of [
      [{ strength: 11 }, '"strength" must be 10 or less (got 11)'],
      [{ strength: Infinity }, '"strength" must be 10 or less (got Infinity)'],
      [{ offset: -6 }, '"offset" must be -5 or more (got -6)'],
    ] as const) {
      const error = await submit({ model: mine, ...input }).catch((e) => e);
      expect(error.message).toBe(`Invalid input for my-model: ${expected}`);
    }
    expect(env.emu.stats().requests.total).toBe(before);
    const ranged: Schema[] = [];
    const walk = (node: unknown): void => {
      if (!node || typeof node !== "object") return;
      if ("minimum" in node || "maximum" in node) ranged.push(node as Schema);
      for (const value of Object.values(node)) walk(value);
    };
    walk([catalogue, requestSchemas, clientOptions, callOptions, mine]);
    expect(ranged.length).toBeGreaterThan(5);
    expect(ranged).toContain(mine.fields[0]);
    for (const schema of ranged) {
      for (const value of [-Infinity, Infinity, -1e300, 1e300]) {
        try {
          checkSchema(schema, value, "n", "w");
        } catch (e) {
          expect((e as InvalidInputError).expected).not.toMatch(/Infinity|NaN|-0\b/);
        }
      }
    }
  });

  it("shows a function given where text is expected as a function, not its source", () => {
    const error = (() => {
      try {
        createDecartClient({
          apiKey: "k",
          proxy: function secret() {
            return "SECRET";
          } as never,
        });
      } catch (e) {
        return e as InvalidInputError;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error!.message).toBe('Invalid options: "proxy" must be a string (got a function)');
  });

  it("takes an option of undefined or null as not given, as every check does", async () => {
    // A proxy of null is none: the key is still needed, and one given with it is no conflict.
    expect(() => withoutEnvKey(() => createDecartClient({ baseUrl: env.emu.url, proxy: null as never }))).toThrow(
      expect.objectContaining({ name: "InvalidInputError", field: "apiKey" }),
    );
    // Defaults stand for options of null (a timeout of null would end every request at once).
    const nulls = createDecartClient({
      apiKey: env.emu.apiKey,
      baseUrl: env.emu.url,
      proxy: null as never,
      timeoutMs: null as never,
      maxRetries: null as never,
      poll: { delay: null as never },
    });
    const job = await nulls.queue.submit({ ...t2v, timeoutMs: null, signal: null } as never);
    expect(job.status).toBe("pending");
    expect((await nulls.queue.status(job.job_id)).job_id).toBe(job.job_id);
  });

  it("reads each field of a call once, and uses what it checked; odd but valid objects work", async () => {
    let reads = 0;
    const counted = {
      model: models.video("lucy-pro-t2v"),
      get prompt() {
        reads++;
        return reads === 1 ? "a lake" : "";
      },
    };
    const frozen = Object.freeze({ ...t2v, [Symbol("tag")]: 1 });
    const bare = Object.assign(Object.create(null), t2v);
    for (const options of [counted, frozen, bare]) {
      expect((await env.client.queue.submit(options)).status).toBe("pending");
    }
    expect(reads).toBe(1);
  });

  it("accepts valid inputs of every field kind (the server agrees)", async () => {
    const png = await env.client.process({
      model: models.image("lucy-pro-t2i"),
      prompt: "a frame",
      orientation: "portrait",
    });
    const job = await env.client.queue.submit({
      model: models.video("lucy-motion"),
      data: png,
      trajectory: [point(0), point(10)],
      seed: 4294967295,
      resolution: "720p",
    });
    expect(job.status).toBe("pending");
    const asText = await env.client.queue.submit({
      model: models.video("lucy-motion"),
      data: png,
      trajectory: JSON.stringify([point(0), point(10)]),
    });
    expect(asText.status).toBe("pending");
  });
});

describe("the schema checker's oneOf at the top level", () => {
  // No schema of the client has one today (a call's options are an object), so the checker is called as it is.
  const either = { oneOf: [{ type: "object", properties: { n: { type: "number" } } }, { type: "function" }] };
  const refusal = (value: unknown) => {
    try {
      checkSchema(either, value, "", "Invalid options");
    } catch (e) {
      return e as InvalidInputError;
    }
  };

  it("names each branch's kind when none fits, as it does for a field (the top is named options)", () => {
    expect(refusal("x")).toMatchObject({ field: "options", expected: "an object, or a function" });
    expect(refusal("x")?.message).toBe('Invalid options: "options" must be an object, or a function (got "x")');
  });

  it("names the field inside the value when a branch failed there", () => {
    expect(refusal({ n: "1" })).toMatchObject({ field: "n", expected: "a number" });
    expect(refusal({ n: 1 })).toBeUndefined();
    expect(refusal(() => {})).toBeUndefined();
  });
});

describe("a base URL that no URL parser takes", () => {
  // Each was refused as "an http(s) URL without @, ? or #", which it is: the fix it named was none.
  const parses = "an http(s) URL that parses (https://host:port)";
  it.each([
    "http://h:1:2",
    "http://127.0.0.1:80:80",
    "http://h:99999",
    "http://h:port",
    "https://[::1",
    "http://api.decart .ai",
  ])("%s: the field, and that it must parse", (baseUrl) => {
    expect(() => createDecartClient({ apiKey: "k", baseUrl })).toThrow(
      expect.objectContaining({
        name: "InvalidInputError",
        field: "baseUrl",
        expected: parses,
        message: `Invalid options: "baseUrl" must be ${parses}`,
      }),
    );
    expect(() => createDecartClient({ proxy: baseUrl })).toThrow(`"proxy" must be ${parses}`);
  });

  it.each(["http://user@h", "http://h/?x", "http://h/#x", "ftp://h", "h:1"])(
    "%s: an http(s) URL without @, ? or #, as before",
    (baseUrl) => {
      expect(() => createDecartClient({ apiKey: "k", baseUrl })).toThrow(
        'Invalid options: "baseUrl" must be an http(s) URL without @, ? or #',
      );
    },
  );
});

describe("a proxy given as a path", () => {
  it("is refused where there is no page to resolve it against (Node): proxy must be an http(s) URL; nothing is sent", () => {
    expect("location" in globalThis).toBe(false);
    const sent = env.emu.stats().requests.total;
    expect(() => createDecartClient({ proxy: "/api/decart" })).toThrow(
      expect.objectContaining({
        name: "InvalidInputError",
        field: "proxy",
        message: 'Invalid options: "proxy" must be an http(s) URL without @, ? or #',
      }),
    );
    expect(env.emu.stats().requests.total).toBe(sent);
  });

  it("is taken on a page, against its location: requests go to the path on the page's origin, with no key", async () => {
    const seen: { url?: string; key?: string } = {};
    const page = createServer((req, res) => {
      seen.url = req.url;
      seen.key = req.headers["x-api-key"] as string | undefined;
      res.writeHead(404, { "content-type": "application/json" }).end('{"detail":"no such job"}');
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    Object.defineProperty(globalThis, "location", { value: { href: `${origin}/app/` }, configurable: true });
    try {
      const proxied = createDecartClient({ proxy: "/api/decart" });
      await expect(proxied.queue.status("job_x")).rejects.toMatchObject({ name: "NotFoundError", status: 404 });
      expect(seen).toEqual({ url: "/api/decart/v1/jobs/job_x", key: undefined });
    } finally {
      delete (globalThis as { location?: unknown }).location;
      page.close();
    }
  });
});

describe("lengths as sent: a form sends each lone CR or LF as CRLF", () => {
  const prompt = (text: string) => ({ model: models.video("lucy-pro-t2v"), prompt: text });

  it("counts a lone line break as the two characters the server sees, naming the field and the limit; nothing is sent", async () => {
    for (const [text, got] of [
      [`${"a".repeat(999)}\n`, 1001],
      ["\n".repeat(501), 1002],
      ["\r".repeat(600), 1200],
    ] as const) {
      const before = env.emu.stats().requests.total;
      const error = await env.client.queue.submit(prompt(text)).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.field).toBe("prompt");
      expect(error.message).toBe(
        `Invalid input for lucy-pro-t2v: "prompt" must be 1 to 1000 characters long, line breaks sent as CRLF (got ${got})`,
      );
      expect(env.emu.stats().requests.total).toBe(before);
    }
    const image = await env.client
      .process({ model: models.image("lucy-pro-t2i"), prompt: "\r".repeat(600) })
      .catch((e) => e);
    expect(image).toMatchObject({ name: "InvalidInputError", field: "prompt" });
  });

  it("sentLength (exported) is the count the check goes by: code points, each line break 2; the server takes 1000", async () => {
    expect([
      sentLength("a\nb"),
      sentLength("a\r\nb"),
      sentLength("a\rb"),
      sentLength("🎬"),
      sentLength(["a", "b"]),
    ]).toEqual([4, 4, 4, 1, 2]);
    for (const text of ["🎬".repeat(1000), "🎬".repeat(1001), `${"a".repeat(998)}\n`, `${"a".repeat(998)}\nb`]) {
      const answer = await env.client.queue.submit(prompt(text)).catch((e) => e);
      if (sentLength(text) <= 1000) expect(answer.status).toBe("pending");
      else expect(answer.message).toMatch(new RegExp(`characters long.* \\(got ${sentLength(text)}\\)$`));
    }
    expect(["🎬".repeat(1001), `${"a".repeat(998)}\nb`].map(sentLength)).toEqual([1001, 1001]);
  });

  it("agrees with the emulator: what it passes the server takes, what it refuses the server refuses (422)", async () => {
    const unchecked = clientFor(env.emu, { validateInputs: false });
    for (const text of [`${"a".repeat(998)}\n`, "\r\n".repeat(500), `${"a".repeat(999)}\r\n`.slice(1)]) {
      expect((await env.client.queue.submit(prompt(text))).status).toBe("pending");
    }
    const refused = await unchecked.queue.submit(prompt(`${"a".repeat(999)}\n`)).catch((e) => e);
    expect(refused).toMatchObject({ name: "ValidationError", status: 422 });
    expect(refused.issues.map((i: { loc: string[]; type: string }) => `${i.loc.join(".")}:${i.type}`)).toEqual([
      "body.prompt:string_too_long",
    ]);
  });
});

describe("a file given as a URL", () => {
  let origin = "";
  let pngBytes: Uint8Array;
  const served = new Map<string, [type: string, body: Uint8Array | string]>();
  // Files by path; a query (a signed URL's signature) is not looked at.
  const files = createServer((req, res) => {
    const path = req.url!.replace(/\?.*/, "");
    // A connection reset before any answer.
    if (path === "/reset") return void req.socket.destroy();
    const [type, body] = served.get(path) ?? ["text/plain", "no such file"];
    const status = /^\/status\/(\d{3})$/.exec(path)?.[1];
    res.writeHead(status ? Number(status) : served.has(path) ? 200 : 404, { "content-type": type }).end(body);
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    pngBytes = new Uint8Array(
      await (await env.client.process({ model: models.image("lucy-pro-t2i"), prompt: "x" })).arrayBuffer(),
    );
    served.set("/login", ["text/html; charset=utf-8", "<html><title>Sign in</title></html>"]);
    served.set("/anim.gif", ["image/gif", "GIF89a"]);
    served.set("/empty.png", ["image/png", new Uint8Array(0)]);
    served.set("/frame.png", ["image/png", pngBytes]);
  });
  afterAll(() => files.close());

  it("is held, once downloaded, to the rule a Blob is held to: named field, the URL and what it served; nothing is sent", async () => {
    const i2v = (path: string) => ({ model: models.video("lucy-pro-i2v"), prompt: "x", data: `${origin}${path}` });
    const cases: [options: Record<string, unknown>, expected: string][] = [
      [i2v("/login"), 'must be of type image/png, image/jpeg, image/webp (got "text/html")'],
      [i2v("/anim.gif"), 'must be of type image/png, image/jpeg, image/webp (got "image/gif")'],
      [i2v("/empty.png"), 'must be a non-empty file (got "0 bytes")'],
      [
        { model: models.video("lucy-clip"), prompt: "x", data: new URL(`${origin}/frame.png`) },
        'must be of type video/mp4, video/webm, video/quicktime (got "image/png")',
      ],
    ];
    for (const [options, expected] of cases) {
      const before = env.emu.stats().requests.total;
      const error = await submit(options).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.field).toBe("data");
      expect(error.message).toBe(
        `Invalid input for ${(options.model as { name: string }).name}, downloaded from ${options.data}: "data" ${expected}`,
      );
      expect(env.emu.stats().requests.total).toBe(before);
    }
  });

  it("is named in errors without its query, fragment and credentials (a signed URL's signature stays out of logs)", async () => {
    const signed = (path: string, userinfo = "") =>
      `${origin.replace("//", `//${userinfo}`)}${path}?X-Amz-Signature=SECRET&X-Amz-Credential=SECRET#SECRET`;
    const i2v = (data: unknown) => ({ model: models.video("lucy-pro-i2v"), prompt: "x", data });
    const cases: [data: unknown, message: string][] = [
      // Not there: the download's status.
      [signed("/gone.png"), `Could not download "data" from ${origin}/gone.png: HTTP 404`],
      // Downloaded, and not what the field takes.
      [
        signed("/anim.gif"),
        `Invalid input for lucy-pro-i2v, downloaded from ${origin}/anim.gif: "data" must be of type image/png, image/jpeg, image/webp (got "image/gif")`,
      ],
      // With credentials, which fetch refuses in a message that quotes the URL: shown without them there too.
      [
        signed("/frame.png", "user:SECRET@"),
        `Could not download "data" from ${origin}/frame.png: TypeError: Request cannot be constructed from a URL that includes credentials: ${origin}/frame.png`,
      ],
      [
        new URL(signed("/frame.png", "SECRET@")),
        `Could not download "data" from ${origin}/frame.png: TypeError: Request cannot be constructed from a URL that includes credentials: ${origin}/frame.png`,
      ],
    ];
    for (const [data, message] of cases) {
      const before = env.emu.stats().requests.total;
      const error = await submit(i2v(data)).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.field).toBe("data");
      expect(error.message).toBe(message);
      expect(chainText(error)).not.toContain("SECRET");
      expect(env.emu.stats().requests.total).toBe(before);
    }
  });

  it("of another scheme, or text that is no URL, is refused by its length alone, naming the field and the forms", async () => {
    const forms = "a file, a stream, bytes or an http(s) URL";
    for (const data of [
      "data:image/png;base64,SECRETSECRETSECRETSECRETSECRETSECRETSECRET",
      "ftp://user:SECRET@files.example/a.png",
      "SECRET/frame.png",
    ]) {
      const before = env.emu.stats().requests.total;
      const error = await submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data }).catch((e) => e);
      expect(error).toMatchObject({ name: "InvalidInputError", field: "data", expected: forms });
      expect(error.message).toBe(
        `Invalid input for lucy-pro-i2v: "data" must be ${forms} (got ${data.length} characters)`,
      );
      expect(env.emu.stats().requests.total).toBe(before);
    }
    const upload = await env.client.files.upload("SECRET.png" as never).catch((e) => e);
    expect(upload.message).toBe(`Invalid upload: "file" must be ${forms} (got 10 characters)`);
  });

  it("that cannot be reached, or cannot be read as a URL, leaves fetch's error out: no SECRET in any cause", async () => {
    const port = await closedPort();
    const cases: [data: string, message: string][] = [
      [
        `http://user:SECRET@127.0.0.1:${port}/frame.png?sig=SECRET`,
        `Could not download "data" from http://127.0.0.1:${port}/frame.png: TypeError: Request cannot be constructed from a URL that includes credentials: http://127.0.0.1:${port}/frame.png`,
      ],
      [
        `http://127.0.0.1:${port}/frame.png?sig=SECRET#SECRET`,
        `Could not download "data" from http://127.0.0.1:${port}/frame.png: TypeError: fetch failed (ECONNREFUSED)`,
      ],
      [
        "http://[::1/frame.png?sig=SECRET",
        'Could not download "data" from http://[::1/frame.png: TypeError: Failed to parse URL from http://[::1/frame.png (ERR_INVALID_URL)',
      ],
    ];
    for (const [data, message] of cases) {
      const error = await submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data }).catch((e) => e);
      expect(error).toMatchObject({ name: "InvalidInputError", field: "data" });
      expect(error.cause).toBeUndefined();
      expect(error.message).toBe(message);
      expect(chainText(error)).not.toContain("SECRET");
    }
  });

  it("is retryable when the network or that server failed (408, 429, 5xx, a refused connection), not when the URL did", async () => {
    const port = await closedPort();
    const cases: [data: string, retryable: boolean][] = [
      [`${origin}/status/500`, true],
      [`${origin}/status/503`, true],
      [`${origin}/status/408`, true],
      [`${origin}/status/429`, true],
      [`http://127.0.0.1:${port}/frame.png`, true],
      [`${origin}/status/404`, false],
      [`${origin}/status/403`, false],
      [`http://user:pw@127.0.0.1:${port}/frame.png`, false],
      // A URL fetch cannot parse, and a port it refuses, fail alike each time, though fetch's error has a cause.
      ["http://[::1/frame.png", false],
      ["http://127.0.0.1:1/frame.png", false],
    ];
    for (const [data, retryable] of cases) {
      const error = await submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data }).catch((e) => e);
      expect(error, data).toMatchObject({ name: "InvalidInputError", expected: "a reachable http(s) URL", retryable });
    }
  });

  it("says the code of fetch's error's cause (ECONNREFUSED, UND_ERR_SOCKET, ERR_INVALID_URL …) when it has one", async () => {
    const port = await closedPort();
    const cases: [data: string, ending: string][] = [
      [`http://127.0.0.1:${port}/frame.png`, "TypeError: fetch failed (ECONNREFUSED)"],
      [`${origin}/reset`, "TypeError: fetch failed (UND_ERR_SOCKET)"],
      [`${origin}/status/503`, "HTTP 503"],
      ["http://[::1/frame.png", "TypeError: Failed to parse URL from http://[::1/frame.png (ERR_INVALID_URL)"],
      ["http://127.0.0.1:1/frame.png", "TypeError: fetch failed"],
    ];
    for (const [data, ending] of cases) {
      const error = await submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data }).catch((e) => e);
      expect(error).toMatchObject({ name: "InvalidInputError", field: "data" });
      expect(error.message).toBe(`Could not download "data" from ${data}: ${ending}`);
    }
  });

  it("is retryable when fetch fails on the network without saying why, as in a browser (`Failed to fetch`, no cause)", async () => {
    // Node's fetch, its real failures written as a browser's: a TypeError without a cause.
    const asked: string[] = [];
    const browserLike = clientFor(env.emu, {
      fetch: (input, init) => {
        asked.push(String(input));
        return fetch(input, init).catch(() => {
          throw new TypeError("Failed to fetch");
        });
      },
    });
    const port = await closedPort();
    const cases: [data: string, retryable: boolean][] = [
      [`http://127.0.0.1:${port}/frame.png`, true],
      [`${origin}/reset`, true],
      [`http://127.0.0.1:1/frame.png`, true], // a port fetch refuses: in a browser, told from the network by nothing
      // URLs fetch refuses itself: not retryable, whatever its error says.
      [`http://user:pw@127.0.0.1:${port}/frame.png`, false],
      ["http://[::1/frame.png", false],
    ];
    for (const [data, retryable] of cases) {
      const error = await browserLike.queue
        .submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data })
        .catch((e) => e);
      expect(error, data).toMatchObject({ name: "InvalidInputError", expected: "a reachable http(s) URL", retryable });
    }
    // Each URL was given to the client's fetch (one of yours may take what the runtime's refuses).
    expect(asked).toEqual(cases.map(([data]) => data));
    const failed = await browserLike.queue
      .submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: `${origin}/reset` })
      .catch((e) => e);
    expect(failed.message).toBe(`Could not download "data" from ${origin}/reset: TypeError: Failed to fetch`);
    // A fetch of the caller's whose own signal aborted (a timeout of its own) is no failure of the network either.
    const ownTimeout = clientFor(env.emu, {
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.abort() }),
    });
    const aborted = await ownTimeout.queue
      .submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: `${origin}/frame.png` })
      .catch((e) => e);
    expect(aborted).toMatchObject({ name: "InvalidInputError", field: "data", retryable: false });
  });

  it("labelled binary/octet-stream (S3's default: none known), image/jpg or image/x-png (image/jpeg's and image/png's other names) is sent, as a Blob so labelled is (the server agrees)", async () => {
    for (const type of ["binary/octet-stream", "image/jpg", "image/x-png"]) {
      served.set(`/labelled/${type}`, [type, pngBytes]);
      for (const data of [`${origin}/labelled/${type}`, new Blob([pngBytes as BlobPart], { type })]) {
        const before = env.emu.stats().requests.byRoute.process!;
        const image = await env.client.process({ model: models.image("lucy-image-2"), prompt: "x", data });
        expect([type, image.size > 0]).toEqual([type, true]);
        expect(env.emu.stats().requests.byRoute.process).toBe(before + 1);
      }
    }
    // A label that names no accepted type is still refused: `binary/` of another kind, a prototype's key.
    for (const type of ["binary/png", "constructor"]) {
      const data = new Blob([pngBytes as BlobPart], { type });
      const refused = await env.client
        .process({ model: models.image("lucy-image-2"), prompt: "x", data })
        .catch((e) => e);
      expect(refused).toMatchObject({
        name: "InvalidInputError",
        field: "data",
        message: expect.stringContaining(type),
      });
    }
  });

  it("a list of your own that names an alias itself (image/jpg) takes a file so labelled; one that does not name its type refuses it", async () => {
    const base = models.image("lucy-image-2");
    const own = (accept: string[]) =>
      ({
        ...base,
        fields: base.fields.map((f) => (f.name === "data" ? { ...f, accept } : f)),
      }) as unknown as typeof base;
    const data = new Blob([pngBytes as BlobPart], { type: "image/jpg" });
    const before = env.emu.stats().requests.byRoute.process!;
    const image = await env.client.process({ model: own(["image/jpg"]), prompt: "x", data });
    expect(image.size).toBeGreaterThan(0);
    expect(env.emu.stats().requests.byRoute.process).toBe(before + 1);
    const refused = await env.client.process({ model: own(["image/png"]), prompt: "x", data }).catch((e) => e);
    expect(refused).toMatchObject({
      name: "InvalidInputError",
      field: "data",
      message: /image\/png \(got "image\/jpg"\)/,
    });
    expect(env.emu.stats().requests.byRoute.process).toBe(before + 1);
  });

  it("that serves what the field takes is sent (the server agrees); with validateInputs: false it is not checked", async () => {
    const job = await env.client.queue.submit({
      model: models.video("lucy-pro-i2v"),
      prompt: "x",
      data: `${origin}/frame.png`,
    });
    expect(job.status).toBe("pending");
    const unchecked = clientFor(env.emu, { validateInputs: false });
    const refused = await unchecked.queue
      .submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: `${origin}/anim.gif` })
      .catch((e) => e);
    expect(refused).toMatchObject({ name: "BadRequestError", status: 400 });
  });
});

describe("the server's 422", () => {
  it("reads as the rule's message when it is about the whole body, and as `field: message` for a field", async () => {
    const unchecked = clientFor(env.emu, { validateInputs: false });
    const video = (await env.client.queue.submitAndPoll({ ...t2v, prompt: "a lake" })) as { data: Blob };
    const frame = await env.client.process({ model: models.image("lucy-pro-t2i"), prompt: "x" });
    const rule = await unchecked.queue
      .submit({
        model: models.video("lucy-restyle-2"),
        data: video.data,
        reference_image: frame,
        enhance_prompt: false,
      })
      .catch((e) => e);
    expect(rule).toMatchObject({ name: "ValidationError", status: 422 });
    expect(rule.message).toMatch(
      /^'enhance_prompt' is only valid when using 'prompt', not 'reference_image' \(HTTP 422, request req_\w+\)$/,
    );
    const field = await unchecked.queue.submit({ ...t2v, prompt: "a".repeat(1001) }).catch((e) => e);
    expect(field.message).toMatch(/^prompt: String should have at most 1000 characters \(HTTP 422, request req_\w+\)$/);
  });
});

describe("files.upload", () => {
  it('names "persistent" when a ttlSeconds is neither a number of seconds in range nor it; nothing is sent', async () => {
    const before = env.emu.stats().requests.total;
    const error = await env.client.files.upload(new Blob(["x"]), { ttlSeconds: 59 }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe('Invalid upload: "ttlSeconds" must be within 60..2592000, or "persistent" (got 59)');
    expect(env.emu.stats().requests.total).toBe(before);
  });

  it("stores an empty file, as the spec allows (no minimum) and the server does", async () => {
    const stored = await env.client.files.upload(new Blob([]));
    expect(stored.size_bytes).toBe(0);
    expect((await env.client.files.get(stored.id)).size_bytes).toBe(0);
  });
});

describe("a model definition of your own that is not whole", () => {
  it("names what a definition needs (a path starting with /, fields and rules arrays); nothing is sent", async () => {
    const definition = {
      name: "lucy-next",
      kind: "video",
      canonical: "lucy-next",
      path: "/v1/jobs/lucy-next",
      typicalJobSeconds: 60,
      fields: [{ name: "prompt", type: "string" }],
      rules: [],
    };
    const { fields: _, ...withoutFields } = definition;
    const before = env.emu.stats().requests.total;
    for (const model of [{ ...definition, path: "v1/jobs/lucy-next" }, withoutFields]) {
      const error = await submit({ model, prompt: "p" }).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "model" });
      expect(error.message).toBe(
        'Invalid input: "model" must be from models.video() or a definition of kind video with a path ' +
          'starting with / and fields and rules arrays (got "lucy-next")',
      );
    }
    const image = await processImage({ model: { ...definition, kind: "image", rules: "none" }, prompt: "p" }).catch(
      (e) => e,
    );
    expect(image.message).toBe(
      'Invalid input: "model" must be from models.image() or a definition of kind image with a path ' +
        'starting with / and fields and rules arrays (got "lucy-next")',
    );
    expect(env.emu.stats().requests.total).toBe(before);
  });
});
