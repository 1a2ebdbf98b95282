/**
 * A model scope no request could match is named by its index and what was given, as an origin is
 * (`allowedOrigins[i]`), by `tokens.create` and `createTokenRoute` alike, before any request (the client's base URL is
 * a port where nothing listens).
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError, models } from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import { closedPort, silent } from "./helpers.js";

const expected = "must be models of the catalogue, or definitions with a name";

describe("a bad model scope is named by its index, with what was given", () => {
  it.each([
    [["lucy-pro-t2v", "Lucy-Pro-T2V"], 1, '(got "Lucy-Pro-T2V")'],
    [["lucy-pro-t2v", null], 1, "(got null)"],
    [[7], 0, "(got 7)"],
    [[models.video("lucy-pro-t2v"), { name: 3 }], 1, "(got 3)"],
    [[{}], 0, "(got an object)"],
  ])("%j: item %i, %s", async (list, i, got) => {
    const client = createDecartClient({
      apiKey: "k",
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      logger: silent,
    });
    const error = await client.tokens.create({ allowedModels: list as never }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe(`allowedModels[${i}]`);
    expect(error.message).toContain(`"allowedModels[${i}]" ${expected} ${got}`);
    expect(() =>
      createTokenRoute({ authorize: () => true, apiKey: "dct_abcdefgh12345678", models: list as never }),
    ).toThrow(`"models[${i}]" ${expected} ${got}`);
  });
});
