/**
 * DecartProvider's props are checked as it renders: a client that is none (a promise of one, its options) and a
 * client's option given as a prop (`apiKey`) are refused with an InvalidInputError naming the prop and the fix, before
 * anything is sent; a hook below never runs with them.
 */
import { InvalidInputError } from "@decart/core";
import { render } from "@testing-library/react";
import { StrictMode } from "react";
import { expect, it, vi } from "vitest";
import { DecartProvider, type DecartProviderProps, useGenerateVideo } from "../src/index.js";
import { clientFor, startFast, tokensOf } from "./helpers.js";

let rendered = 0;
/** A hook below the provider, counting its renders. */
function Hook() {
  useGenerateVideo();
  rendered++;
  return null;
}

it("a client that is none, or a client's option given as a prop, is refused naming it and the fix", async () => {
  const emu = await startFast();
  const options = { apiKey: emu.apiKey, baseUrl: emu.url };
  rendered = 0;
  vi.spyOn(console, "error").mockImplementation(() => {}); // React's report of the error thrown while rendering
  const cases: [object, string, string][] = [
    [{ client: Promise.resolve(clientFor(emu)) }, "client", "a client of createDecartClient (awaited"],
    [{ client: options }, "client", "a client of createDecartClient (awaited"],
    [options, "apiKey", "a known name (client, options, token, baseUrl): a client's options go in options"],
    [{ options, timeoutMs: 5000 }, "timeoutMs", "a known name"],
  ];
  for (const [props, field, expected] of cases) {
    let error: any;
    try {
      render(
        <StrictMode>
          <DecartProvider {...(props as DecartProviderProps)}>
            <Hook />
          </DecartProvider>
        </StrictMode>,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field });
    expect(error.message).toContain(`DecartProvider: "${field}" must be ${expected}`);
  }
  expect(rendered).toBe(0);
  expect(emu.stats().requests.total).toBe(0);
  // A key given as undefined is none.
  render(
    <DecartProvider {...({ token: tokensOf(emu), baseUrl: emu.url, apiKey: undefined } as DecartProviderProps)}>
      <Hook />
    </DecartProvider>,
  );
  expect(rendered).toBeGreaterThan(0);
});
