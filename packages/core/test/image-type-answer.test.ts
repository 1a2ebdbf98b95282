/**
 * An image from `process` that comes whole, in an image type the spec does not list for it (`image/webp`,
 * `image/avif`): made and billed, it is handed on with the error (`data`), whose message names the type and says that
 * upgrading is the remedy, not that an image may exist. A purpose-built server: the emulator answers the spec's types.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, InvalidResponseError, models, VERSION } from "../src/index.js";
import { json, serve, silent } from "./helpers.js";

// A whole WebP (its RIFF size the file's) and the start of an AVIF.
const webp = Buffer.concat([
  Buffer.from("RIFF"),
  Buffer.from([100, 0, 0, 0]),
  Buffer.from("WEBPVP8 "),
  Buffer.alloc(92, 3),
]);
const avif = Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), Buffer.from("ftypavif"), Buffer.alloc(100, 2)]);
const answers: Record<string, [string, Buffer]> = {
  webp: ["image/webp", webp],
  avif: ["image/avif; q=1", avif],
  html: ["text/html", Buffer.from("<html>Welcome</html>")],
  echo: ["image/avif", avif],
};

let api: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  api = await serve((req, res, body) => {
    const [type, bytes] = answers[/name="prompt"\r\n\r\n(\w+)/.exec(body.toString("latin1"))![1]!]!;
    if (req.method !== "POST") return json(res, 404, {});
    // (A server that echoes the key in its request id, for "echo".)
    const id = body.includes("echo") ? `req_${req.headers["x-api-key"]}` : "req_img";
    res.writeHead(200, { "content-type": type, "x-request-id": id });
    res.end(bytes);
  });
});
afterAll(() => api.close());

const call = (prompt: string) =>
  createDecartClient({ apiKey: "dct_image_types_0123456789", baseUrl: api.url, logger: silent, retrySubmit: true })
    .process({ model: models.image("lucy-pro-t2i"), prompt })
    .catch((e) => e);

describe("an image from process in a type the spec does not list", () => {
  it.each([
    ["webp", "image/webp", webp],
    ["avif", "image/avif", avif],
  ] as const)(
    "%s: INVALID_RESPONSE naming the type and the upgrade, the whole image on it (data), sent once",
    async (prompt, type, bytes) => {
      const before = api.seen.length;
      const error = await call(prompt);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toMatchObject({ code: "INVALID_RESPONSE", retryable: false, status: 200, requestId: "req_img" });
      expect(error.message).toBe(
        `POST ${api.url}/v1/generate/lucy-pro-t2i: an image of type ${type}, which @decart/core ${VERSION} does not take (upgrade it) (HTTP 200, request req_img); it came whole: the error's data`,
      );
      expect(error.data).toBeInstanceOf(Blob);
      expect(Buffer.from(await error.data.arrayBuffer())).toEqual(bytes);
      expect(api.seen.length).toBe(before + 1);
    },
  );

  it("its request id echoing the key: redacted, on the error and in its message", async () => {
    const error = await call("echo");
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", requestId: "req_[redacted]" });
    expect(error.message).toMatch(/does not take \(upgrade it\) \(HTTP 200, request req_\[redacted\]\); it came whole/);
    expect(JSON.stringify(error)).not.toContain("0123456789");
  });

  it("a page that is no image stays an outcome unknown (an image may have been made)", async () => {
    const error = await call("html");
    expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN" });
    expect(error.data).toBeUndefined();
    expect(error.message).toMatch(/a result of type text\/html, not image\/png or image\/jpeg/);
  });
});
