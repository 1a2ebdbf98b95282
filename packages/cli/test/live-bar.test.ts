/**
 * A bar of cli-progress on a terminal (a stream that says it is one, its writes rendered by `render`): a line written
 * while it is drawn goes above it at once, even just before the bar stops, and the bar is drawn again below it.
 */
import { describe, expect, it } from "vitest";
import { Output } from "../src/output.js";
import { render } from "./screen.js";

const COLUMNS = 60;

/** A terminal of `COLUMNS` columns: what is written to it, kept. */
function terminal() {
  const written: string[] = [];
  const stream = {
    isTTY: true,
    columns: COLUMNS,
    write: (text: string) => written.push(text) > 0,
  } as unknown as NodeJS.WriteStream;
  return { stream, screen: () => render(written.join(""), COLUMNS) };
}

describe("a bar drawn by cli-progress", () => {
  it("has a line written just before it stops above it, and its last state below", async () => {
    const { stream, screen } = terminal();
    const output = new Output({}, stream, stream, {});
    const bar = (await output.liveBar({ format: "Batch {bar} {value}/{total} done", barsize: 10 }))!;
    bar.update(1, 2);
    output.warn("A warning");
    bar.stop();
    expect(screen().lines).toEqual(["A warning", `Batch ${"█".repeat(5)}${"░".repeat(5)} 1/2 done`]);
    expect(screen().cursorShown).toBe(true);
  });

  it("takes Node's listeners of warning over while it is drawn, and gives them back, first again, as it stops", async () => {
    // (Where a warning then goes, above the bar, is in bars.test.ts: on a terminal, Node's own console.)
    const printers = process.listeners("warning");
    expect(printers.length, "Node prints warnings (no --no-warnings)").toBeGreaterThan(0);
    const later = () => {};
    const { stream } = terminal();
    const output = new Output({}, stream, stream, {});
    const bar = (await output.liveBar({ format: "Batch {bar} {value}/{total} done", barsize: 10 }))!;
    bar.update(1, 2);
    const taken = process.listeners("warning");
    expect(taken).toHaveLength(1);
    expect(taken).not.toContain(printers[0]);
    // One added meanwhile stays, after Node's.
    process.on("warning", later);
    try {
      bar.stop();
      expect(process.listeners("warning")).toEqual([...printers, later]);
    } finally {
      process.removeListener("warning", later);
    }
    expect(process.listeners("warning")).toEqual(printers);
  });

  it("calls a once listener of warning once while it is drawn, and gives back one not yet called as once", async () => {
    const warned = () => new Promise<void>((done) => process.once("warning", () => setImmediate(done)));
    const calls = { spent: 0, unspent: 0 };
    process.once("warning", () => calls.spent++);
    const { stream } = terminal();
    const output = new Output({}, stream, stream, {});
    const first = (await output.liveBar({ format: "{bar}", barsize: 10 }))!;
    first.update(1, 2);
    for (const text of ["one", "two"]) {
      const heard = warned();
      process.emitWarning(text);
      await heard;
    }
    first.stop();
    expect(calls.spent).toBe(1);
    expect(process.rawListeners("warning")).toHaveLength(process.listeners("warning").length);

    // One not called while a bar was drawn is given back as it was registered: called once after, then gone.
    const unspent = () => calls.unspent++;
    process.once("warning", unspent);
    const second = (await output.liveBar({ format: "{bar}", barsize: 10 }))!;
    second.update(1, 2);
    second.stop();
    for (const text of ["three", "four"]) {
      const heard = warned();
      process.emitWarning(text);
      await heard;
    }
    expect(calls).toEqual({ spent: 1, unspent: 1 });
    expect(process.listeners("warning")).not.toContain(unspent);
  });

  it("calls a listener of warning that has a listener property of its own at every warning, and gives it back", async () => {
    const warned = () => new Promise<void>((done) => process.once("warning", () => setImmediate(done)));
    let calls = 0;
    // Not a once wrapper: a function of its own that happens to carry a `listener` property.
    const own = Object.assign(() => calls++, { listener: () => {} });
    process.on("warning", own);
    try {
      const { stream } = terminal();
      const output = new Output({}, stream, stream, {});
      const bar = (await output.liveBar({ format: "{bar}", barsize: 10 }))!;
      bar.update(1, 2);
      for (const text of ["one", "two"]) {
        const heard = warned();
        process.emitWarning(text);
        await heard;
      }
      bar.stop();
      expect(calls).toBe(2);
      expect(process.rawListeners("warning")).toContain(own);
    } finally {
      process.removeListener("warning", own);
    }
  });
});
