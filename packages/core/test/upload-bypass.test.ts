import { globalAgent } from "node:http";
import { describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError } from "../src/index.js";
import { nodeUpload } from "../src/node.js";

// nodeUpload() without an agent sends over Node's own agents: a `fetch` given for a proxy, a dispatcher or a gateway's
// header would never see the uploads. Given both, the client refuses them at once, naming the fix.
describe("a client given a fetch and nodeUpload()", () => {
  const fetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init);

  it("without an agent is refused, naming upload, fetch and the agent to give", () => {
    const error = (() => {
      try {
        createDecartClient({ apiKey: "k", fetch, upload: nodeUpload() });
      } catch (e) {
        return e;
      }
    })() as InvalidInputError;
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe("upload");
    expect(error.message).toBe(
      'Invalid options: "upload" must be nodeUpload({ agent }) when `fetch` is given (it does not go through fetch): your proxy\'s agent, or https.globalAgent',
    );
  });

  it("with an agent, or without a fetch, is taken", () => {
    expect(() => createDecartClient({ apiKey: "k", fetch, upload: nodeUpload({ agent: globalAgent }) })).not.toThrow();
    expect(() => createDecartClient({ apiKey: "k", upload: nodeUpload() })).not.toThrow();
  });
});
