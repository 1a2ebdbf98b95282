import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models } from "../src/index.js";
import { saveResult } from "../src/node.js";
import { serve, silent } from "./helpers.js";

// The rules the other methods follow, held by the last few: createWatch checks `model` as wait and watch do,
// tokens.create refuses an argument past its options, and saveResult not sent for want of time says how far its
// deadline was. Nothing is sent for any of them.
let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  server = await serve((_req, res) => void res.writeHead(500).end());
});
afterAll(() => server.close());
const client = () => createDecartClient({ apiKey: "dct_test_key_000000000000", baseUrl: server.url, logger: silent });

describe("checked alike", () => {
  it.each([["lucy-nope"], [models.image("lucy-pro-t2i")], [5]])(
    "createWatch refuses model %o as queue.wait does, naming model",
    async (model) => {
      const c = client();
      const watching = (() => {
        try {
          c.queue.createWatch("job_abc", { model: model as never });
        } catch (e) {
          return e;
        }
      })() as InvalidInputError;
      const waiting = (await c.queue.wait("job_abc", { model: model as never }).catch((e) => e)) as InvalidInputError;
      expect(waiting).toBeInstanceOf(InvalidInputError);
      expect(watching).toBeInstanceOf(InvalidInputError);
      expect([watching.field, watching.message]).toEqual([waiting.field, waiting.message]);
      expect(watching.field).toBe("model");
    },
  );

  it("createWatch takes a video model or its name", () => {
    const c = client();
    for (const model of ["lucy-pro-t2v", models.video("lucy-pro-t2v")] as const)
      expect(c.queue.createWatch("job_abc", { model })).toBeTypeOf("object");
  });

  it("tokens.create refuses a second argument", async () => {
    const error = await client()
      .tokens.create({}, ...([{ signal: new AbortController().signal }] as unknown as []))
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe("second argument");
  });

  it("saveResult not sent for want of time: its deadline was N ms before the call", async () => {
    const c = client();
    const path = join(tmpdir(), "decart-deadline-passed.mp4");
    const error = await saveResult(c, "job_abc", path, { deadline: -1_000_000 }).catch((e) => e);
    expect(error.code).toBe("TIMEOUT");
    expect(error.message).toMatch(/not sent, no time left: its deadline was \d+ ms before the call$/);
    expect(server.arrived()).toBe(0);
  });
});
