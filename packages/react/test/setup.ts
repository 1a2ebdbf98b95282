import page from "node:console";
import { cleanup } from "@testing-library/react";
import Fetch from "happy-dom/lib/fetch/Fetch.js";
import { afterEach, vi } from "vitest";
import { changed, forgetWaits } from "./until.js";

/** The part of happy-dom's window the cleanup uses. */
declare const happyDOM: { waitUntilComplete(): Promise<void> };

// happy-dom's fetch, aborted by its request's signal (`stop()`, an unmount, your `signal`), destroys its Node request
// before it is answered, and Node then emits that request's "socket hang up" (ECONNRESET), which happy-dom prints on
// stderr as a network failure, although its promise was already rejected with the abort's reason. A browser prints
// nothing for a fetch the page aborted: neither does the page here. Any other failure (a connection the emulator
// resets) is printed as before.
type Failing = { onError(error: Error): void; request: Request };
const fetches = Fetch.prototype as unknown as Failing;
const onError = fetches.onError;
fetches.onError = function (this: Failing, error) {
  if (!this.request.signal.aborted) onError.call(this, error);
};

// happy-dom's fetch prints each answer that is not ok ("POST http://127.0.0.1:…/v1/jobs/lucy-pro-t2v 503 (Service
// Unavailable)") on the page's console, Node's own (so with no test's name), as a browser's network log would; the
// tests make such answers on purpose and check what the client does with them. Those lines are dropped, and nothing
// else: as its fetch hands an answer over, the line it prints for it is expected, and only a call of exactly that line,
// printed then, is dropped.
type Answering = { request: Request; resolve(response: Response): Promise<void>; sendRequest(): Promise<Response> };
const answering = Fetch.prototype as unknown as Answering;
const sendRequest = answering.sendRequest;
let report: string | undefined;
answering.sendRequest = function (this: Answering) {
  const sent = sendRequest.call(this);
  const resolve = this.resolve;
  this.resolve = (response) => {
    const { method, url } = this.request;
    report = response.ok ? undefined : `${method} ${url} ${response.status} (${response.statusText})`;
    try {
      return resolve.call(this, response);
    } finally {
      report = undefined;
    }
  };
  return sent;
};
const print = page.error;
page.error = function (this: Console, ...args: unknown[]) {
  if (args.length !== 1 || args[0] !== report) print.apply(this, args);
};

// React tells each render it commits (the page's DOM changed) and each flush of the effects after it (where
// renderHook's `result.current` is set) through its devtools hook, the one refresh.ts set up before react-dom loaded:
// each checks again what `until` waits for.
type DevtoolsHook = { onCommitFiberRoot(...args: unknown[]): void; onPostCommitFiberRoot?(...args: unknown[]): void };
const hook = (globalThis as { __REACT_DEVTOOLS_GLOBAL_HOOK__?: DevtoolsHook }).__REACT_DEVTOOLS_GLOBAL_HOOK__!;
const { onCommitFiberRoot, onPostCommitFiberRoot } = hook;
hook.onCommitFiberRoot = function (this: DevtoolsHook, ...args) {
  onCommitFiberRoot.apply(this, args);
  changed();
};
hook.onPostCommitFiberRoot = function (this: DevtoolsHook, ...args) {
  onPostCommitFiberRoot?.apply(this, args);
  changed();
};

// Vitest runs without globals, so Testing Library does not unmount by itself: every test's trees are unmounted here,
// before the emulators the test started close (helpers.tsx's startFast closes them once the test has finished, after
// every afterEach), so no hook left mounted goes on watching a job on a closed port. Then the page's requests still
// open are waited for: happy-dom's fetch does not stop a request aborted before it is on the wire (during its CORS
// preflight) and sends it anyway, and an emulator closed under it makes its fetch print the connection's reset
// (ECONNRESET) on stderr, as a browser's console would. Last, the test's spies (`vi.spyOn`) and stubbed globals
// (`vi.stubGlobal`) are undone. First, the checks of the waits a test that timed out left are ended.
afterEach(async () => {
  forgetWaits();
  cleanup();
  await happyDOM.waitUntilComplete();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});
