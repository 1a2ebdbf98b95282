/**
 * Inputs that cannot be read or sent as given (a value JSON cannot write, a revoked Proxy, a getter that throws, a text
 * with a lone surrogate) are an `InvalidInputError` naming the field, before anything is sent or downloaded: never a
 * raw TypeError, never a text the server gets changed. The API here is a small `node:http` server on loopback that
 * counts what reaches it; a second one stands for a file URL's server.
 */
import { createReadStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, type DecartClientOptions, InvalidInputError, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { json, serve, silent, until } from "./helpers.js";

let api: Awaited<ReturnType<typeof serve>>;
let files: Awaited<ReturnType<typeof serve>>;
const bodies: string[] = [];
beforeAll(async () => {
  api = await serve((req, res, body) => {
    bodies.push(body.toString("utf8"));
    json(
      res,
      200,
      req.url === "/v1/files"
        ? {
            id: "file_1",
            filename: "blob",
            mime_type: "image/png",
            size_bytes: 1,
            created_at: new Date(0).toISOString(),
            expires_at: null,
          }
        : { job_id: "j1", status: "pending" },
    );
  });
  files = await serve((_req, res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.end("png");
  });
});
afterAll(async () => {
  await api.close();
  await files.close();
});

const client = (options: DecartClientOptions = {}) =>
  createDecartClient({
    apiKey: "k",
    baseUrl: api.url,
    logger: silent,
    maxRetries: 0,
    ...options,
  } as DecartClientOptions);
/** The client as checked (the default), without its checks, and with an upload function. */
const clients = () => [client(), client({ validateInputs: false }), client({ upload: nodeUpload() })];
const png = () => new Blob([new Uint8Array(8)], { type: "image/png" });
const point = (frame: number, more = {}) => ({ frame, x: 0.5, y: 0.5, ...more });
const refused = async (call: () => Promise<unknown>, field: string) => {
  const error: any = await call().catch((e) => e);
  expect(error, String(error?.stack)).toBeInstanceOf(InvalidInputError);
  expect(error).toMatchObject({ field, retryable: false });
  return error as InvalidInputError;
};

describe("a JSON field (lucy-motion's trajectory)", () => {
  const boom = () => {
    throw new Error("boom");
  };
  const trajectories: [name: string, make: () => unknown, reason: RegExp][] = [
    ["a point with an extra BigInt", () => [point(0, { z: 1n }), point(1)], /BigInt/],
    ["a point whose toJSON throws", () => [point(0, { toJSON: boom }), point(1)], /boom/],
    [
      "a list whose toJSON getter throws",
      () => Object.defineProperty([point(0), point(1)], "toJSON", { get: boom }),
      /boom/,
    ],
  ];

  it("that JSON cannot write is refused naming the field, before its file URL is downloaded or anything sent", async () => {
    const [sent, asked] = [api.arrived(), files.arrived()];
    for (const c of clients())
      for (const [name, make, reason] of trajectories) {
        const data = `${files.url}/a.png`;
        const error = await refused(
          () => c.queue.submit({ model: models.video("lucy-motion"), data, trajectory: make() as never }),
          "trajectory",
        );
        expect(error.message, name).toMatch(
          /^Invalid input for lucy-motion: "trajectory" must be a value that can be sent \(/,
        );
        expect(error.message, name).toMatch(reason);
      }
    expect([api.arrived(), files.arrived()]).toEqual([sent, asked]);
  });

  it("a point's getter that throws is named by the check, and refused without it", async () => {
    const [sent, asked] = [api.arrived(), files.arrived()];
    const boomy = () => [Object.defineProperty(point(0), "z", { get: boom, enumerable: true }), point(1)];
    const [checked, unchecked] = clients();
    for (const [c, field] of [
      [checked!, "trajectory[0].z"],
      [unchecked!, "trajectory"],
    ] as const) {
      const data = `${files.url}/a.png`;
      await refused(
        () => c.queue.submit({ model: models.video("lucy-motion"), data, trajectory: boomy() as never }),
        field,
      );
    }
    expect([api.arrived(), files.arrived()]).toEqual([sent, asked]);
  });

  it("a point's extra key that JSON can write is sent as given (the spec allows it)", async () => {
    await client().queue.submit({
      model: models.video("lucy-motion"),
      data: png(),
      trajectory: [point(0, { z: 1 }), point(1)] as never,
    });
    expect(bodies.at(-1)).toContain('[{"frame":0,"x":0.5,"y":0.5,"z":1},{"frame":1,"x":0.5,"y":0.5}]');
  });
});

describe("a file value that cannot be read (a revoked Proxy, a getter that throws)", () => {
  const boom = () => {
    throw new Error("boom");
  };
  const values: [name: string, make: () => unknown][] = [
    [
      "a revoked Proxy",
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    ],
    [
      "an object whose Symbol.asyncIterator getter throws",
      () => ({
        get [Symbol.asyncIterator]() {
          return boom();
        },
      }),
    ],
    [
      "a Blob whose size getter throws",
      () =>
        new (class extends Blob {
          override get size(): number {
            return boom();
          }
        })(["x"], { type: "image/png" }),
    ],
    [
      "a Blob whose type getter throws",
      () =>
        new (class extends Blob {
          override get type(): string {
            return boom();
          }
        })(["x"]),
    ],
  ];

  it("is refused naming the field, nothing sent: in submit and files.upload, with or without an upload function", async () => {
    const sent = api.arrived();
    for (const c of [client(), client({ upload: nodeUpload() })])
      for (const [name, make] of values) {
        const i2v = { model: models.video("lucy-pro-i2v"), prompt: "x", data: make() as never };
        const error = await refused(() => c.queue.submit(i2v), "data");
        expect(error.message, name).toBe('Invalid input for lucy-pro-i2v: "data" must be a value that can be read');
        const upload = await refused(() => c.files.upload(make() as never), "file");
        expect(upload.message, name).toBe('Invalid upload: "file" must be a value that can be read');
      }
    expect(api.arrived()).toBe(sent);
  });

  it("without the client's checks too (validateInputs: false), before any file is read", async () => {
    const sent = api.arrived();
    for (const upload of [undefined, nodeUpload()])
      for (const [name, make] of values) {
        const error = await refused(
          () =>
            client({ validateInputs: false, upload }).queue.submit({
              model: models.video("lucy-pro-i2v"),
              prompt: "x",
              data: make() as never,
            }),
          "data",
        );
        // (Found when the inputs are written, before any file is read, or as the Blob is read.)
        expect(error.message, name).toMatch(
          /^(Invalid input for lucy-pro-i2v: "data" must be a value that can be sent \(|Could not read the input "data": boom; nothing was sent$)/,
        );
      }
    expect(api.arrived()).toBe(sent);
  });
});

describe("a text with a lone surrogate (half an emoji), which UTF-8 cannot carry", () => {
  const half = "🎬 A lake".slice(1);

  it("is refused naming the field before anything is sent: FormData would send U+FFFD in its place", async () => {
    const [sent, asked] = [api.arrived(), files.arrived()];
    const calls: [field: string, options: Record<string, unknown>][] = [
      ["prompt", { model: models.video("lucy-pro-t2v"), prompt: half }],
      ["prompt", { model: models.video("lucy-pro-t2v"), prompt: `A lake ${"🎬".slice(0, 1)}` }],
      [
        "trajectory",
        {
          model: models.video("lucy-motion"),
          data: png(),
          trajectory: `[{"frame":0,"x":0,"y":0,"note":"${"\udfff"}"},{"frame":1,"x":0,"y":0}]`,
        },
      ],
      ["data", { model: models.video("lucy-pro-i2v"), prompt: "x", data: `${files.url}/${"\ud83c"}.png` }],
    ];
    const unchecked = client({ validateInputs: false });
    for (const [c, [field, options]] of [
      ...clients().flatMap((c) => calls.map((call) => [c, call] as const)),
      // An enum's value too, once the client's checks are off (they refuse it as no value of the enum).
      [unchecked, ["resolution", { model: models.video("lucy-pro-t2v"), prompt: "x", resolution: "720p\ud800" }]],
    ] as const) {
      const error = await refused(() => c.queue.submit(options as never), field);
      expect(error.message).toMatch(
        new RegExp(
          `^Invalid input for lucy-[a-z0-9-]+: "${field}" must be text without a lone surrogate \\(U\\+D800-U\\+DFFF alone\\)$`,
        ),
      );
    }
    expect(files.arrived()).toBe(asked);
    expect(api.arrived()).toBe(sent);
  });

  it("a text of whole surrogate pairs (an emoji) is sent as given", async () => {
    await client().queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "🎬 A lake" });
    expect(bodies.at(-1)).toContain("\r\n\r\n🎬 A lake\r\n");
  });
});

describe("bytes that cannot be read (a detached ArrayBuffer, as one transferred to a worker leaves it)", () => {
  /** Bytes whose buffer was transferred. */
  const detached = <T extends ArrayBuffer | Uint8Array>(bytes: T) => {
    structuredClone(bytes, { transfer: [bytes instanceof ArrayBuffer ? bytes : bytes.buffer] });
    return bytes;
  };

  it("are refused naming the field, nothing sent: files.upload (any size is stored) and a submit without checks", async () => {
    const sent = api.arrived();
    for (const make of [() => detached(new ArrayBuffer(8)), () => detached(new Uint8Array(8))]) {
      for (const c of [client(), client({ upload: nodeUpload() })]) {
        const error = await refused(() => c.files.upload(make() as never), "file");
        expect(error.message).toMatch(/^Could not read the input "file": .*detached.*; nothing was sent$/);
      }
      const error = await refused(
        () =>
          client({ validateInputs: false }).queue.submit({
            model: models.video("lucy-pro-i2v"),
            prompt: "x",
            data: make() as never,
          }),
        "data",
      );
      expect(error.message).toMatch(/^Could not read the input "data": .*detached.*; nothing was sent$/);
      // With the checks, a file of a model is refused as empty: it has no bytes.
      await refused(
        () => client().queue.submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data: make() as never }),
        "data",
      );
    }
    expect(api.arrived()).toBe(sent);
  });
});

describe("a stream input that is none", () => {
  it("an async iterable whose iterator method gives no iterator is refused, not sent as an empty file", async () => {
    const sent = api.arrived();
    const noIterator = () => ({ [Symbol.asyncIterator]: () => undefined });
    for (const c of clients()) {
      const i2v = { model: models.video("lucy-pro-i2v"), prompt: "x", data: noIterator() as never };
      const error = await refused(() => c.queue.submit(i2v), "data");
      expect(error.message).toMatch(/^Could not read the input "data": .+; nothing was sent$/);
      await refused(() => c.files.upload(noIterator() as never), "file");
    }
    expect(api.arrived()).toBe(sent);
  });
});

describe("a value that poses as a Blob", () => {
  it("a Proxy or an object that only says it is a Blob is refused naming the field, nothing sent", async () => {
    const sent = api.arrived();
    const posers: [name: string, make: () => unknown][] = [
      [
        "a Proxy with Blob's prototype",
        () =>
          new Proxy(
            {},
            {
              getPrototypeOf: () => Blob.prototype,
              get: (_, key) => ({ type: "image/png", size: 5 })[key as never],
            },
          ),
      ],
      ["an object made from Blob's prototype", () => Object.create(Blob.prototype)],
    ];
    for (const c of [...clients(), client({ upload: nodeUpload(), validateInputs: false })])
      for (const [name, make] of posers) {
        const i2v = { model: models.video("lucy-pro-i2v"), prompt: "x", data: make() as never };
        const error = await refused(() => c.queue.submit(i2v), "data");
        // (Refused by the check when a getter of Blob's throws for it, else as it is read.)
        expect(error.message, name).toMatch(
          /^(Invalid input for lucy-pro-i2v: "data" must be a value that can be read|Could not read the input "data": .+; nothing was sent)$/,
        );
        await refused(() => c.files.upload(make() as never), "file");
      }
    expect(api.arrived()).toBe(sent);
  });
});

describe("a file whose size getter throws only once the server has answered", () => {
  it("the answer reaches the caller: a job's id, a file reference, an image; progress still reported", async () => {
    // Once a request arrived, the Blob's size can no longer be read (its own getter throws).
    let arrived = false;
    const server = await serve((req, res) => {
      arrived = true;
      if (req.url!.startsWith("/v1/generate/")) {
        res.writeHead(200, { "content-type": "image/png" });
        res.end("png");
      } else
        json(
          res,
          200,
          req.url === "/v1/files"
            ? {
                id: "file_2",
                filename: "blob",
                mime_type: "image/png",
                size_bytes: 8,
                created_at: new Date(0).toISOString(),
                expires_at: null,
              }
            : { job_id: "job_2", status: "pending" },
        );
    });
    class Fickle extends Blob {
      override get size() {
        if (arrived) throw new Error("size gone");
        return super.size;
      }
    }
    const image = () => {
      arrived = false;
      return new Fickle([new Uint8Array(8)], { type: "image/png" });
    };
    const events: unknown[] = [];
    const onUploadProgress = (progress: unknown) => events.push(progress);
    try {
      for (const options of [{}, { validateInputs: false }]) {
        const c = createDecartClient({
          apiKey: "k",
          baseUrl: server.url,
          logger: silent,
          maxRetries: 0,
          ...options,
        } as DecartClientOptions);
        const i2v = { model: models.video("lucy-pro-i2v"), prompt: "x", data: image(), onUploadProgress };
        expect(await c.queue.submit(i2v)).toMatchObject({ job_id: "job_2" });
        expect(await c.files.upload(image(), { onUploadProgress })).toMatchObject({ id: "file_2" });
        const edit = { model: models.image("lucy-image-2"), prompt: "x", data: image(), onUploadProgress };
        expect(await (await c.process(edit)).text()).toBe("png");
        expect(await c.queue.submit({ ...i2v, data: image(), onUploadProgress: undefined })).toMatchObject({
          job_id: "job_2",
        });
      }
      // One event per call that asked for them, once answered (the size that could not be read counted as none).
      expect(events).toHaveLength(6);
    } finally {
      await server.close();
    }
  });
});

describe("a Node stream that fails before it is read (a file that cannot be opened)", () => {
  it("while an earlier field's file URL is downloaded: refused naming the field, nothing sent, the process alive", async () => {
    // The file URL answers once the stream has failed (`fs.createReadStream` of a missing path fails at once; its error
    // is emitted right after): the error comes while the call waits for the download, before the stream's turn.
    let stream: ReturnType<typeof createReadStream> | undefined;
    const slow = await serve(async (_req, res) => {
      await until(() => !!stream!.errored);
      res.writeHead(200, { "content-type": "video/mp4" });
      res.end("mp4");
    });
    const uncaught: unknown[] = [];
    const heard = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", heard);
    const sent = api.arrived();
    try {
      for (const c of clients()) {
        stream = createReadStream(join(tmpdir(), "decart-missing", "r.png"));
        const clip = { model: models.video("lucy-clip"), prompt: "x", data: `${slow.url}/a.mp4` };
        const error = await refused(
          () => c.queue.submit({ ...clip, reference_image: stream as never }),
          "reference_image",
        );
        expect(error.message).toMatch(/^Could not read the input "reference_image": ENOENT: .*; nothing was sent$/);
        expect(error.cause).toMatchObject({ code: "ENOENT" });
      }
    } finally {
      process.off("uncaughtException", heard);
      await slow.close();
    }
    expect(uncaught).toEqual([]);
    expect(api.arrived()).toBe(sent);
  });
});

describe("a Blob or File whose size, type or name getter throws on one read only, whichever", () => {
  it("is refused naming the field, nothing sent, or sent and answered: never a raw error nor a broken connection", async () => {
    // (The form reads them, and fetch the File's; an upload function reads them as it sends.)
    for (const c of clients())
      for (const kind of [Blob, File])
        for (const key of ["size", "type", "name"] as const)
          for (let nth = 1; nth <= 6; nth++) {
            let reads = 0;
            const bytes = [new Uint8Array(8)];
            const data =
              kind === File ? new File(bytes, "a.png", { type: "image/png" }) : new Blob(bytes, { type: "image/png" });
            Object.defineProperty(data, key, {
              get: () => {
                if (++reads === nth) throw new Error(`${key} read ${nth}`);
                return Reflect.get(kind.prototype, key, data);
              },
            });
            const sent = api.arrived();
            const answer: any = await c.queue
              .submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data })
              .catch((e) => e);
            const what = `${kind.name} ${key} ${nth}: ${answer?.stack}`;
            if (answer?.job_id) continue;
            expect(answer, what).toBeInstanceOf(InvalidInputError);
            expect(answer, what).toMatchObject({ field: "data" });
            expect(api.arrived(), what).toBe(sent);
          }
  });
});
