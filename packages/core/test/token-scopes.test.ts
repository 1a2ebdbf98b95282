import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, ModelRetiredError, models } from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

/** Scopes no request could ever match: a token minted with one is refused on every request of the page. */
const never: [field: "allowedModels" | "allowedOrigins", value: string[]][] = [
  ["allowedOrigins", ["https://app.example/"]],
  ["allowedOrigins", ["https://App.Example"]],
  ["allowedOrigins", ["https://app.example:443"]],
  ["allowedOrigins", ["*"]],
  ["allowedOrigins", ["app.example"]],
  ["allowedOrigins", []],
  ["allowedModels", ["lucy-pro-t2v "]],
  ["allowedModels", ["Lucy-Pro-T2V"]],
  ["allowedModels", ["lucy-pro-tv2"]],
  ["allowedModels", ["lucy-2.1-vton"]],
  ["allowedModels", []],
];

describe("token scopes that can never match", () => {
  it.each(never)("tokens.create refuses %s %j before sending, as createTokenRoute does", async (field, value) => {
    emu.resetStats();
    const error = await clientFor(emu)
      .tokens.create({ [field]: value })
      .catch((e) => e);
    // A retired model is named with its replacement; any other scope by its field.
    const Class = value[0] === "lucy-2.1-vton" ? ModelRetiredError : InvalidInputError;
    expect(error).toBeInstanceOf(Class);
    if (Class === InvalidInputError) expect(error.field).toMatch(field);
    expect(emu.stats().requests.byRoute.tokens ?? 0).toBe(0);
    // The route refuses the same scope when it is made.
    const route = () =>
      createTokenRoute({
        authorize: () => true,
        apiKey: emu.apiKey,
        baseUrl: emu.url,
        [field === "allowedModels" ? "models" : field]: value,
      });
    expect(route).toThrow(Class);
  });

  it("mints a token with scopes a request can match", async () => {
    const token = await clientFor(emu).tokens.create({
      allowedModels: ["lucy-pro-t2v"],
      allowedOrigins: ["https://app.example", "http://localhost:3000"],
    });
    expect(token.apiKey).toMatch(/^ek_/);
    // A definition is sent by its name.
    const defined = await clientFor(emu).tokens.create({ allowedModels: [models.video("lucy-pro-t2v")] });
    expect(defined.permissions?.models).toEqual(["lucy-pro-t2v"]);
  });
});
