import { describe, expect, it } from "vitest";
import { colorsFor, Output, type OutputOptions } from "../src/output.js";

/** A stream as Output reads it: whether it is a terminal. */
const stream = (isTTY: boolean) => ({ isTTY }) as NodeJS.WriteStream;

describe("Output", () => {
  it("on a terminal, shows live progress exactly where stderr has colours: one rule for both", () => {
    const envs: NodeJS.ProcessEnv[] = [{}, { NO_COLOR: "1" }, { NO_COLOR: "" }, { TERM: "dumb" }, { TERM: "xterm" }];
    const seen = new Set<boolean>();
    for (const env of envs) {
      for (const force of [undefined, "1", "0"]) {
        for (const color of [undefined, false]) {
          const options: OutputOptions = { json: true, color };
          const output = new Output(options, stream(false), stream(true), { ...env, FORCE_COLOR: force });
          const what = JSON.stringify({ env, force, color });
          expect(output.live, what).toBe(output.err.isColorSupported);
          seen.add(output.live);
          expect(new Output({ ...options, quiet: true }, stream(false), stream(true), env).live, what).toBe(false);
        }
      }
    }
    expect([...seen].sort()).toEqual([false, true]);
  });

  it("off a terminal, shows no live progress, even where FORCE_COLOR turns colours on", () => {
    const output = new Output({ json: true }, stream(false), stream(false), { FORCE_COLOR: "1" });
    expect(output.err.isColorSupported).toBe(true);
    expect(output.live).toBe(false);
  });

  it("FORCE_COLOR=0 or false turns colours off, on a terminal too (as Node's hasColors() reads it); any other value on", () => {
    for (const isTTY of [true, false]) {
      for (const force of ["0", "false"]) {
        expect(colorsFor(stream(isTTY), {}, { FORCE_COLOR: force }).isColorSupported, `${force} ${isTTY}`).toBe(false);
        expect(new Output({}, stream(isTTY), stream(isTTY), { FORCE_COLOR: force }).live).toBe(false);
      }
      for (const force of ["1", "2", "true", ""]) {
        expect(colorsFor(stream(isTTY), {}, { FORCE_COLOR: force }).isColorSupported, `${force} ${isTTY}`).toBe(true);
      }
    }
    expect(colorsFor(stream(true), {}, {}).isColorSupported).toBe(true);
  });
});
