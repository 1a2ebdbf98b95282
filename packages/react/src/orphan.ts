import type { DecartClient, DecartError } from "@decart/core";
import { useEffect, useInsertionEffect, useLayoutEffect, useSyncExternalStore, version } from "react";
import type { GenerationState, Store } from "./store.js";

/**
 * Whether React `version` is before 19, by its major number (`"9.0.0"` is, `"100.0.0"` is not: no string comparison).
 */
export const before19 = (version: string) => Number.parseInt(version, 10) < 19;

/**
 * React 18, which, removing a subtree that a `<Suspense>` fallback hides, runs no insertion effect's cleanup there (React
 * 19 does), but runs its passive effects' (which React 19 also runs when an `<Activity>` hides it: no removal there).
 */
const old = before19(version);

/**
 * A layout effect; on React 18 with no `document` and not React Native (a server render, where none runs) a passive one,
 * of which React 18 does not warn (React 19 warns of neither). (A renderer without a `document` must have the layout
 * effect: a `<Suspense>` fallback disconnects it, not a passive one.)
 */
const useShown =
  old && typeof document === "undefined" && globalThis.navigator?.product !== "ReactNative"
    ? useEffect
    : useLayoutEffect;

/** Options with an `onOrphan`. */
type Orphaning = { onOrphan?: ((error: DecartError, input: any) => void) | undefined };

/**
 * What `useGenerateVideo` and `useGenerateImage` share: the state, the options of the latest committed render (their
 * `onOrphan`), and whether a component shows that state, which decides where a request's error that may have made
 * something (a job, an image) goes: the state, or `onOrphan` when nobody saw it (see `orphan`).
 */
export abstract class Generator<O extends Orphaning> {
  abstract readonly store: Store;
  /** The options of the latest committed render. */
  options = {} as O;
  /**
   * Whether its component unmounted (set by the cleanup of an insertion effect, which an unmount runs and an
   * `<Activity>` hiding it does not): its state is read by nothing any more.
   */
  declare gone: boolean | undefined;
  /**
   * Whether a component shows the state (set by a layout effect, whose cleanup runs when an `<Activity>` hides it and
   * when a `<Suspense>` shows its fallback in its place: the state may still be read then, but is not seen).
   */
  declare shown: boolean | undefined;
  /**
   * Tells `onOrphan` (once) of a request's error set in the state while the component was not `shown`: called if the
   * component is removed (or the state replaced: `reset()`, the next `submit`) before it is shown again, when nobody
   * saw that error.
   */
  declare unseen: (() => void) | undefined;
  /**
   * Called once its component committed another in its place (the provider's client changed: the hook starts afresh):
   * what it still follows goes to `onOrphan`.
   */
  drop?(): void;

  constructor(
    protected readonly client: DecartClient,
    /** The one it replaces, until its component commits it (`useGenerator` then drops that one). */
    public was?: Generator<O>,
  ) {}

  /** Its component maybe removed (an effect's cleanup): still `gone` once the commit is over, `unseen` is told. */
  leave = () => {
    this.gone = true;
    queueMicrotask(() => this.gone && this.unseen?.());
  };

  /**
   * Gives `error`, of the request of `input` that may have made something, to `onOrphan` (apart, in a microtask): at
   * once when the request was `left` (no state shows its error) or the component is `gone`; when the state is not
   * `shown`, later if nobody sees it (`unseen`); not when shown (the state shows it).
   */
  orphan(error: DecartError, input: unknown, left?: boolean): void {
    const tell = () => {
      // Its own only: a newer request's unseen error is still to be told.
      if (this.unseen === tell) this.unseen = undefined;
      queueMicrotask(() => this.options.onOrphan?.(error, input));
    };
    if (left || this.gone) tell();
    else if (!this.shown) this.unseen = tell;
  }
}

/**
 * A hook's state, read from `generator` (see `Generator`), whose `options` become `options` once rendered for good (a
 * render that is not committed, a transition that suspends, changes nothing).
 */
export function useGenerator<O extends Orphaning>(generator: Generator<O>, options: O): GenerationState {
  // Its cleanup runs before the next commit's, and at the unmount, not when an `<Activity>` hides the component (React
  // runs insertion effects' cleanups only on removal). Still gone once the commit is over (not set again by the next
  // render's), it was removed: an error nobody saw (`unseen`) goes to `onOrphan`. The one it replaced (a new client) is
  // dropped.
  useInsertionEffect(() => {
    generator.was?.drop?.();
    generator.was = undefined;
    generator.options = options;
    generator.gone = false;
    return generator.leave;
  });
  // React 18 tells the removal of a component a `<Suspense>` fallback hid by its passive effects' cleanup only (`old`).
  useEffect(() => {
    if (old) {
      generator.gone = false;
      return generator.leave;
    }
  }, [generator]);
  // Shown (mounted, or shown again after an `<Activity>` or a `<Suspense>` fallback hid it): an error set meanwhile is
  // seen now. Hidden so, its cleanup runs (layout effects are disconnected; a fallback keeps the store read).
  useShown(() => {
    generator.shown = true;
    generator.unseen = undefined;
    return () => {
      generator.shown = false;
    };
  }, [generator]);
  const { store } = generator;
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
}
