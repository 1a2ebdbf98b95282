import { inspect } from "node:util";
import { expect, it } from "vitest";
import { createDecartClient, models, ValidationError } from "../src/index.js";
import { serve, silent } from "./helpers.js";

// A 422 of FastAPI (pydantic v2) echoes the refused value in each issue (`input`): a whole prompt, maybe private. The
// error keeps of each issue only `loc`, `msg`, `type` and `ctx`, so that a log of it (`JSON.stringify`, `util.inspect`)
// does not carry the prompt.
it("a 422 whose issues echo the input: the issues keep loc, msg, type and ctx, not the input", async () => {
  const prompt = "PRIVATE-WORDS ".repeat(800);
  const issue = {
    type: "string_too_long",
    loc: ["body", "prompt"],
    msg: "String should have at most 1000 characters",
    input: prompt,
    ctx: { max_length: 1000 },
    url: "https://errors.pydantic.dev/2/v/string_too_long",
  };
  const server = await serve((_req, res) => {
    res.writeHead(422, { "content-type": "application/json", "x-request-id": "req_422" });
    res.end(
      JSON.stringify({
        detail: [issue, { loc: ["body", "seed"], msg: "Input should be a valid integer", input: prompt }],
      }),
    );
  });
  try {
    const error = await createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, validateInputs: false })
      .queue.submit({ model: models.video("lucy-pro-t2v"), prompt })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues).toStrictEqual([
      { loc: ["body", "prompt"], msg: issue.msg, type: "string_too_long", ctx: { max_length: 1000 } },
      { loc: ["body", "seed"], msg: "Input should be a valid integer" },
    ]);
    expect(error.message).toBe(
      "prompt: String should have at most 1000 characters; seed: Input should be a valid integer (HTTP 422, request req_422)",
    );
    for (const text of [JSON.stringify(error), inspect(error, { depth: 5 }), inspect(error)])
      expect(text).not.toContain("PRIVATE-WORDS");
  } finally {
    await server.close();
  }
});
