// `useGenerator`'s effects run in the order a React version runs them, by a stand-in for `react` that records each
// effect and lets the test run their setups and cleanups: React 18.3.1 (a declared peer, not installed here) removes a
// subtree a `<Suspense>` fallback hides without running its insertion effects' cleanups (its `commitDeletionEffectsOnFiber`
// skips them for a hidden subtree), only its passive effects'; React 19 runs both, and runs the passive ones' (not the
// insertion ones') when an `<Activity>` hides a component, which is no removal.
import { DecartError } from "@decart/core";
import { afterEach, describe, expect, it, vi } from "vitest";

type Effect = { setup: () => undefined | (() => void); cleanup?: (() => void) | undefined };
type Kind = "insertion" | "layout" | "passive";

/** `useGenerator` of `orphan.ts` loaded against a `react` of `version`, its effects in `effects` by kind. */
async function load(version: string) {
  const effects: Record<Kind, Effect[]> = { insertion: [], layout: [], passive: [] };
  const add = (kind: Kind) => (setup: Effect["setup"]) => void effects[kind].push({ setup });
  vi.resetModules();
  vi.doMock("react", () => ({
    version,
    useInsertionEffect: add("insertion"),
    useLayoutEffect: add("layout"),
    useEffect: add("passive"),
    useSyncExternalStore: () => undefined,
  }));
  const { Generator, useGenerator: render } = await import("../src/orphan.js");
  const told: string[] = [];
  class Test extends Generator<{ onOrphan: (error: DecartError) => void }> {
    readonly store = {
      subscribe: () => () => {},
      getSnapshot: () => undefined,
      getServerSnapshot: () => undefined,
    } as never;
  }
  const generator = new Test(undefined as never);
  render(generator, { onOrphan: (error) => told.push(error.code) });
  const run = (kind: Kind) => {
    for (const e of effects[kind]) e.cleanup = e.setup() ?? undefined;
  };
  const clean = (kind: Kind) => {
    for (const e of effects[kind]) e.cleanup?.();
  };
  // Mounted: React runs the insertion effects, then the layout ones, then the passive ones.
  run("insertion");
  run("layout");
  run("passive");
  const failUnseen = () => generator.orphan(new DecartError("outcome unknown", { code: "SUBMIT_OUTCOME_UNKNOWN" }), {});
  return { clean, run, told, failUnseen, effects };
}

/** Lets the microtasks queued by the cleanups and by `orphan` run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.doUnmock("react");
  vi.resetModules();
});

describe("which React is before 19 (the effect order of React 18)", () => {
  it("is told by the major number, not by comparing strings", async () => {
    const { before19 } = await import("../src/orphan.js");
    const versions = ["18.3.1", "19.0.0", "9.0.0", "100.0.0", "19.0.0-rc-123"];
    expect(versions.filter(before19)).toEqual(["18.3.1", "9.0.0"]);
  });
});

describe("useGenerator tells onOrphan of an error nobody saw, in the effect order of each React", () => {
  it("React 18: hidden by a <Suspense> fallback, the error set, then the subtree removed (only passive cleanups run): told once", async () => {
    const { clean, told, failUnseen } = await load("18.3.1");
    clean("layout"); // the fallback shown
    failUnseen();
    await settle();
    expect(told).toEqual([]);
    clean("passive"); // removed, hidden: React 18.3.1 runs no insertion cleanup there
    await settle();
    expect(told).toEqual(["SUBMIT_OUTCOME_UNKNOWN"]);
  });

  it("React 18: StrictMode's second run of the effects is no removal", async () => {
    const { clean, run, told, failUnseen } = await load("18.3.1");
    clean("layout");
    clean("passive");
    run("layout");
    run("passive");
    clean("layout");
    failUnseen();
    await settle();
    expect(told).toEqual([]);
  });

  it("React 19: hidden by an <Activity> (layout and passive cleanups, no insertion one), the error is not told; removed, it is", async () => {
    const { clean, told, failUnseen } = await load("19.3.1");
    clean("layout");
    clean("passive");
    failUnseen();
    await settle();
    expect(told).toEqual([]);
    clean("insertion");
    await settle();
    expect(told).toEqual(["SUBMIT_OUTCOME_UNKNOWN"]);
  });

  it("React 18 without a document: on React Native the shown effect is a layout one (a fallback disconnects it), on a server a passive one", async () => {
    vi.stubGlobal("document", undefined);
    vi.stubGlobal("navigator", { product: "ReactNative" });
    const native = await load("18.3.1");
    expect([native.effects.layout.length, native.effects.passive.length]).toEqual([1, 1]);
    vi.stubGlobal("navigator", undefined);
    const server = await load("18.3.1");
    expect([server.effects.layout.length, server.effects.passive.length]).toEqual([0, 2]);
  });
});
