import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AbortError, createDecartClient, InvalidInputError, InvalidResponseError, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { act, render, renderHook } from "@testing-library/react";
import { StrictMode, Suspense, use } from "react";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { DecartProvider, type ImageOptions, useGenerateImage, useResultUrl } from "../src/index.js";
import { activityWith, clientFor, collected, countingFetch, startFast, strictWith, until } from "./helpers.js";

let emu: Emulator | undefined;

const model = models.image("lucy-pro-t2i");

/**
 * The page's fetch, whose answers of the Process API wait, once they came (the image is made), until the test calls
 * `open()`, or the request is aborted (then the call rejects with the abort's reason, as fetch does).
 */
function gatedFetch() {
  const gate = { answered: 0, open: () => {} };
  const opened = new Promise<void>((resolve) => {
    gate.open = resolve;
  });
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const answer = await globalThis.fetch(input, init);
    if (!String(input instanceof Request ? input.url : input).includes("/v1/generate/")) return answer;
    gate.answered++;
    const signal = init?.signal;
    await new Promise<void>((resolve, reject) => {
      opened.then(resolve);
      if (signal?.aborted) reject(signal.reason);
      signal?.addEventListener("abort", () => reject(signal.reason));
    });
    return answer;
  };
  return {
    ...gate,
    fetch,
    get answered() {
      return gate.answered;
    },
  };
}

describe("useGenerateImage", () => {
  it("generates an image through the Process API, once, and reset() goes back to idle", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(clientFor(emu)) });
    expect(result.current).toMatchObject({ status: "idle", watching: false });
    let image: Blob | undefined;
    let submitted: Promise<Blob | undefined> | undefined;
    act(() => {
      submitted = result.current.submit({ model, prompt: "A lighthouse" });
    });
    expect(result.current).toMatchObject({ status: "submitting", watching: true });
    await act(async () => {
      image = await submitted;
    });
    expect(result.current).toMatchObject({ status: "completed", jobId: undefined, error: undefined, watching: false });
    expect(result.current.result).toBe(image);
    expect(image!.type).toBe("image/png");
    expect(emu.stats().requests.byRoute.process).toBe(1);
    act(() => result.current.reset());
    expect(result.current.status).toBe("idle");
    expect(result.current.result).toBeUndefined();
  });

  it("a request that fails ends in `error`", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "500" }] });
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(clientFor(emu)) });
    let image: Blob | undefined;
    await act(async () => {
      image = await result.current.submit({ model, prompt: "A lighthouse" });
    });
    expect(image).toBeUndefined();
    expect(result.current.status).toBe("error");
    expect(result.current.error?.name).toBe("ServerError");
  });

  it("unmounting lets a request sent run to its end: submit resolves with its image, with no state update after", async () => {
    emu = await startFast();
    const page = gatedFetch();
    const errors = vi.spyOn(console, "error");
    const { result, unmount } = renderHook(() => useGenerateImage(), {
      ...strictWith(clientFor(emu, { fetch: page.fetch })),
    });
    let pending: Promise<Blob | undefined> | undefined;
    act(() => {
      pending = result.current.submit({ model, prompt: "made, then the page moved on" });
    });
    await until(() => page.answered === 1); // the image is made (and paid for)
    unmount();
    page.open();
    const image = await pending;
    expect(image).toBeInstanceOf(Blob);
    expect(image!.type).toBe("image/png");
    expect(errors).not.toHaveBeenCalled();
    expect(emu.stats().requests.byRoute.process).toBe(1);
  });
});

describe("useGenerateImage, stopped or hidden mid-request", () => {
  it("stop() aborts the request in flight and the state goes back to idle (nothing is on its way)", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "slow", delayMs: 60_000 }] });
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(clientFor(emu)) });
    let pending: Promise<Blob | undefined> | undefined;
    act(() => {
      pending = result.current.submit({ model, prompt: "slow" });
    });
    await until(() => (emu!.stats().requests.byRoute.process ?? 0) === 1);
    expect(result.current.status).toBe("submitting");
    act(() => result.current.stop());
    expect(await pending).toBeUndefined();
    expect(result.current.status).toBe("idle");
  });

  it("a request whose component an <Activity> hid runs to its end: shown again, the component shows its image", async () => {
    emu = await startFast();
    const page = gatedFetch();
    const tab = activityWith(clientFor(emu, { fetch: page.fetch }));
    const { result, rerender } = renderHook(() => useGenerateImage(), { wrapper: tab.wrapper, reactStrictMode: true });
    let pending: Promise<Blob | undefined> | undefined;
    act(() => {
      pending = result.current.submit({ model, prompt: "made while the tab was away" });
    });
    await until(() => page.answered === 1);
    tab.show(false);
    rerender(); // hidden: its effects are gone
    page.open();
    const image = await pending;
    expect(image).toBeInstanceOf(Blob);
    tab.show(true);
    rerender();
    expect(result.current).toMatchObject({ status: "completed", watching: false, result: image });
    expect(emu.stats().requests.byRoute.process).toBe(1);
  });
});

describe("useGenerateImage and your signal", () => {
  it("an aborted signal sends nothing: the state is `error` with the core's AbortError, and retry() sends nothing", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(clientFor(emu)) });
    let image: Blob | undefined | "unset" = "unset";
    await act(async () => {
      image = await result.current.submit({ model, prompt: "given up on", signal: AbortSignal.abort() });
    });
    expect(image).toBeUndefined();
    expect(result.current).toMatchObject({ status: "error", watching: false, result: undefined, canRetry: false });
    expect(result.current.error).toBeInstanceOf(AbortError);
    expect(result.current.error).toMatchObject({ code: "ABORT" });
    const before = result.current;
    await act(async () => {
      image = await result.current.retry();
    });
    expect(image).toBeUndefined();
    expect(result.current).toEqual(before);
    expect(emu.stats().requests.total).toBe(0); // no image, no token either
  });

  it("a `signal` that is no AbortSignal is the core's InvalidInputError, as in a call of the client's: nothing is sent", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(clientFor(emu)) });
    let image: Blob | undefined | "unset" = "unset";
    await act(async () => {
      image = await result.current.submit({ model, prompt: "not a signal", signal: { aborted: true } as never });
    });
    expect(image).toBeUndefined();
    expect(result.current).toMatchObject({ status: "error", watching: false, error: { field: "signal" } });
    expect(result.current.error).toBeInstanceOf(InvalidInputError);
    expect(emu.stats().requests.total).toBe(0);
  });

  it("an input whose `signal` getter throws ends in `error`: an InvalidInputError naming it, the throw its cause", async () => {
    emu = await startFast();
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(clientFor(emu)) });
    const thrown = new Error("this signal cannot be read");
    const input = {
      model,
      prompt: "a signal that throws",
      get signal(): AbortSignal {
        throw thrown;
      },
    };
    let image: Blob | undefined | "unset" = "unset";
    await act(async () => {
      image = await result.current.submit(input);
    });
    expect(image).toBeUndefined();
    expect(result.current).toMatchObject({ status: "error", watching: false, error: { field: "signal" } });
    expect(result.current.error).toBeInstanceOf(InvalidInputError);
    expect(result.current.error!.cause).toBe(thrown);
    expect(emu.stats().requests.total).toBe(0); // nothing sent
    // Not stuck: the next submit runs.
    await act(async () => {
      image = await result.current.submit({ model, prompt: "a lighthouse" });
    });
    expect(result.current).toMatchObject({ status: "completed", error: undefined, result: image });
    expect(emu.stats().requests.byRoute.process).toBe(1);
  });

  it("your signal aborts the request in flight (`error`, AbortError); stop() still goes back to idle", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "slow", delayMs: 60_000 }] });
    const page = countingFetch();
    const { result } = renderHook(() => useGenerateImage(), {
      ...strictWith(clientFor(emu, { fetch: page })),
    });
    const sent = () => emu!.stats().requests.byRoute.process ?? 0;
    const yours = new AbortController();
    let pending: Promise<Blob | undefined> | undefined;
    act(() => {
      pending = result.current.submit({ model, prompt: "slow, then given up on", signal: yours.signal });
    });
    await until(() => sent() === 1);
    act(() => yours.abort());
    expect(page.open()).toBe(0); // the request is aborted at once, not left running
    expect(await pending).toBeUndefined();
    expect(result.current).toMatchObject({
      status: "error",
      watching: false,
      error: { code: "ABORT" },
      canRetry: false,
    });
    expect(result.current.error).toBeInstanceOf(AbortError);
    // With a signal of yours that does not abort, the hook's own stop() aborts: `idle`, as without one, and your
    // signal aborted later changes nothing.
    const later = new AbortController();
    act(() => {
      pending = result.current.submit({ model, prompt: "slow, then stopped", signal: later.signal });
    });
    await until(() => sent() === 2);
    act(() => result.current.stop());
    expect(await pending).toBeUndefined();
    expect(result.current.status).toBe("idle");
    expect(page.open()).toBe(0);
    act(() => later.abort());
    expect(result.current).toMatchObject({ status: "idle", error: undefined });
  });
});

describe("useResultUrl", () => {
  it("creates an object URL in an effect and revokes that exact URL on change and on unmount", () => {
    const created: string[] = [];
    const revoked: string[] = [];
    const create = URL.createObjectURL.bind(URL);
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      const url = create(blob);
      created.push(url);
      return url;
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation((url) => {
      revoked.push(url);
    });
    const first = new Blob(["one"], { type: "video/mp4" });
    const second = new Blob(["two"], { type: "video/mp4" });
    const { result, rerender, unmount } = renderHook(({ blob }: { blob: Blob | undefined }) => useResultUrl(blob), {
      wrapper: StrictMode,
      initialProps: { blob: first as Blob | undefined },
    });
    // StrictMode ran the effect twice: the first URL is already revoked, the second is the one shown.
    expect(created.length).toBe(2);
    expect(revoked).toEqual([created[0]]);
    expect(result.current).toBe(created[1]);
    rerender({ blob: second });
    expect(revoked).toEqual([created[0], created[1]]);
    expect(result.current).toBe(created[2]);
    rerender({ blob: undefined });
    expect(revoked).toEqual(created);
    expect(result.current).toBeUndefined();
    rerender({ blob: first });
    expect(result.current).toBe(created[3]);
    unmount();
    expect(revoked).toEqual(created);
  });

  it("lets go of a blob it is no longer given: the page can free the video while the component stays", async () => {
    const page: { blob: Blob | undefined } = { blob: new Blob([new Uint8Array(1024)], { type: "video/mp4" }) };
    const blob = new WeakRef(page.blob!);
    const { result, rerender } = renderHook(() => useResultUrl(page.blob) !== undefined, { wrapper: StrictMode });
    expect(result.current).toBe(true);
    page.blob = undefined; // e.g. reset(): the state no longer has the video
    rerender();
    rerender(); // React keeps the previous render's values until the next one
    expect(result.current).toBe(false);
    expect(await collected(blob)).toBe(true);
  });
});

describe("useGenerateImage().retry()", () => {
  it("after an answer that says no image was made (503): the same inputs again, the same image", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "503" }] });
    const client = clientFor(emu, { maxRetries: 0 });
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(client) });
    const input = { model, prompt: "A lighthouse, once the API is back", seed: 3 };
    await act(async () => {
      await result.current.submit(input);
    });
    expect(result.current).toMatchObject({ status: "error", error: { status: 503 }, canRetry: true });
    emu.setFaults([]);
    let image: Blob | undefined;
    await act(async () => {
      image = await result.current.retry();
    });
    expect(result.current).toMatchObject({ status: "completed", error: undefined, canRetry: false });
    expect(result.current.result).toBe(image);
    expect(emu.stats().requests.byRoute.process).toBe(2);
    // The same inputs: the image a request of them makes.
    const direct = await client.process(input);
    expect(Buffer.from(await image!.arrayBuffer()).equals(Buffer.from(await direct.arrayBuffer()))).toBe(true);
  });

  it("stop() after an error lets the inputs go: the error stays, canRetry turns false and retry() sends nothing", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "503" }] });
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(clientFor(emu, { maxRetries: 0 })) });
    await act(async () => {
      await result.current.submit({ model, prompt: "A lighthouse, given up on" });
    });
    const failed = result.current;
    expect(failed).toMatchObject({ status: "error", error: { status: 503 }, canRetry: true });
    act(() => result.current.stop());
    expect(result.current).toMatchObject({ status: "error", canRetry: false });
    expect(result.current.error).toBe(failed.error);
    emu.setFaults([]);
    let image: Blob | undefined | "unset" = "unset";
    await act(async () => {
      image = await result.current.retry();
    });
    expect(image).toBeUndefined();
    expect(result.current).toMatchObject({ status: "error", canRetry: false });
    expect(emu.stats().requests.byRoute.process).toBe(1);
  });

  it("after SUBMIT_OUTCOME_UNKNOWN (an image may have been made and paid for), and when idle or completed: nothing", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "500" }] });
    const { result } = renderHook(() => useGenerateImage(), { ...strictWith(clientFor(emu)) });
    const nothing = async () => {
      let got: Blob | undefined | "unset" = "unset";
      await act(async () => {
        got = await result.current.retry();
      });
      return got;
    };
    expect(result.current).toMatchObject({ status: "idle", canRetry: false });
    expect(await nothing()).toBeUndefined();
    expect(result.current.status).toBe("idle");
    await act(async () => {
      await result.current.submit({ model, prompt: "answered 500: was it made?" });
    });
    const failed = result.current;
    expect(failed).toMatchObject({ status: "error", error: { code: "SUBMIT_OUTCOME_UNKNOWN" }, canRetry: false });
    emu.setFaults([]);
    expect(await nothing()).toBeUndefined();
    expect(result.current.error).toBe(failed.error);
    expect(emu.stats().requests.byRoute.process).toBe(1);
    await act(async () => {
      await result.current.submit({ model, prompt: "made" });
    });
    const done = result.current;
    expect(done).toMatchObject({ status: "completed", canRetry: false });
    expect(await nothing()).toBeUndefined();
    expect(result.current.result).toBe(done.result);
    expect(emu.stats().requests.byRoute.process).toBe(2);
  });

  it("after an image the server made in a type this version does not take (WebP): nothing; the image is the error's data", async () => {
    // The API: every POST answered 200 with a whole 1×1 WebP labelled image/webp (made, and billed).
    const webp = Buffer.from("524946461a000000574542505650384c0d0000002f0000001007101111888808", "hex");
    let posts = 0;
    const server = createServer((req, res) => {
      const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "*" };
      if (req.method === "OPTIONS") return res.writeHead(204, { ...cors, "access-control-allow-methods": "*" }).end();
      posts++;
      req.resume();
      req.on("end", () => res.writeHead(200, { ...cors, "content-type": "image/webp" }).end(webp));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    const client = createDecartClient({
      apiKey: "ek_page_token_0123456789",
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      dangerouslyAllowBrowser: true,
      logger: { warn: () => {}, debug: () => {} },
    });
    const { result } = renderHook(() => useGenerateImage(), {
      wrapper: ({ children }) => <DecartProvider client={client}>{children}</DecartProvider>,
    });
    await act(async () => {
      await result.current.submit({ model, prompt: "A lighthouse, in WebP" });
    });
    const failed = result.current;
    expect(failed).toMatchObject({
      status: "error",
      error: { code: "INVALID_RESPONSE", status: 200 },
      canRetry: false,
    });
    const { error } = failed;
    expect(InvalidResponseError.isInstance(error) && Buffer.from(await error.data!.arrayBuffer()).equals(webp)).toBe(
      true,
    );
    let again: Blob | undefined | "unset" = "unset";
    await act(async () => {
      again = await result.current.retry();
    });
    expect(again).toBeUndefined();
    expect(result.current.error).toBe(error);
    expect(posts).toBe(1);
  });
});

const never = new Promise<never>(() => {});
/** Renders `useGenerateImage` into `out`: a component of the module (biome: no component defined in a function). */
function SuspenseGenerator({
  out,
  onOrphan,
}: {
  out: { current?: ReturnType<typeof useGenerateImage> };
  onOrphan: ImageOptions["onOrphan"];
}) {
  out.current = useGenerateImage({ onOrphan });
  return <p>{out.current.status}</p>;
}
/** A sibling that suspends for good when told to: its `<Suspense>` shows the fallback and hides the others. */
function Suspending({ suspends }: { suspends: boolean }) {
  if (suspends) use(never);
  return null;
}

describe("useGenerateImage's options: onOrphan, and no other", () => {
  const aTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  type Hook = { result: { current: ReturnType<typeof useGenerateImage> } };
  // Submits `input`, calls `leave` before its answer comes, and answers what `submit` resolved with.
  const submitted = async (hook: Hook, input: { model: typeof model; prompt: string }, leave: () => void) => {
    let left: Promise<Blob | undefined> | undefined;
    act(() => {
      left = hook.result.current.submit(input);
    });
    leave();
    let got: Blob | undefined | "unset" = "unset";
    await act(async () => {
      got = await left;
    });
    await act(aTask);
    return got;
  };

  it("a request that fails after an unmount goes to onOrphan when an image may have been made (500), not when none was (503)", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "503" }] });
    const client = clientFor(emu, { maxRetries: 0 });
    const onOrphan = vi.fn();
    const none = renderHook(() => useGenerateImage({ onOrphan }), { ...strictWith(client) });
    expect(await submitted(none, { model, prompt: "unmounted, then answered 503" }, none.unmount)).toBeUndefined();
    expect(onOrphan).not.toHaveBeenCalled();
    emu.setFaults([{ route: "process", kind: "500" }]);
    const left = renderHook(() => useGenerateImage({ onOrphan }), { ...strictWith(client) });
    const input = { model, prompt: "unmounted, then answered 500" };
    expect(await submitted(left, input, left.unmount)).toBeUndefined();
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan).toHaveBeenCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), input);
    expect(emu.stats().requests.byRoute.process).toBe(2);
  });

  it("an error of a 2xx answer (an image in WebP, made and paid for) that comes after the unmount goes to onOrphan, the image its data", async () => {
    // The API: a POST answered 200 with a whole 1×1 WebP labelled image/webp, its head at once, its body when the test
    // says (after the unmount).
    const webp = Buffer.from("524946461a000000574542505650384c0d0000002f0000001007101111888808", "hex");
    const held: ServerResponse[] = [];
    const server = createServer((req, res) => {
      const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "*" };
      if (req.method === "OPTIONS") return res.writeHead(204, { ...cors, "access-control-allow-methods": "*" }).end();
      req.resume();
      req.on("end", () => held.push(res.writeHead(200, { ...cors, "content-type": "image/webp" })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    const client = createDecartClient({
      apiKey: "ek_page_token_0123456789",
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      dangerouslyAllowBrowser: true,
      logger: { warn: () => {}, debug: () => {} },
    });
    const onOrphan = vi.fn();
    const hook = renderHook(() => useGenerateImage({ onOrphan }), { ...strictWith(client) });
    const input = { model, prompt: "A lighthouse, in WebP, after the unmount" };
    let sent: Promise<Blob | undefined> | undefined;
    act(() => {
      sent = hook.result.current.submit(input);
    });
    await until(() => held.length === 1);
    hook.unmount();
    await act(aTask);
    expect(onOrphan).not.toHaveBeenCalled();
    held[0]!.end(webp);
    await act(async () => {
      await sent;
    });
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1);
    const [error, given] = onOrphan.mock.calls[0]!;
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", status: 200 });
    expect(given).toBe(input);
    expect(InvalidResponseError.isInstance(error) && Buffer.from(await error.data!.arrayBuffer()).equals(webp)).toBe(
      true,
    );
  });

  it("one that fails while an <Activity> hides the component is its state's (shown again); removed unseen, it goes to onOrphan once", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "500" }] });
    const client = clientFor(emu, { maxRetries: 0 });
    const onOrphan = vi.fn();
    const tab = activityWith(client);
    const shown = renderHook(() => useGenerateImage({ onOrphan }), { wrapper: tab.wrapper, reactStrictMode: true });
    const hide = (t: typeof tab, hook: { rerender(): void }) => () => {
      t.show(false);
      hook.rerender();
    };
    expect(await submitted(shown, { model, prompt: "hidden, answered 500" }, hide(tab, shown))).toBeUndefined();
    tab.show(true);
    shown.rerender();
    expect(shown.result.current).toMatchObject({ status: "error", error: { code: "SUBMIT_OUTCOME_UNKNOWN" } });
    shown.unmount();
    await act(aTask);
    expect(onOrphan).not.toHaveBeenCalled();
    const other = activityWith(client);
    const removed = renderHook(() => useGenerateImage({ onOrphan }), { wrapper: other.wrapper, reactStrictMode: true });
    const input = { model, prompt: "hidden, answered 500, then removed" };
    expect(await submitted(removed, input, hide(other, removed))).toBeUndefined();
    expect(onOrphan).not.toHaveBeenCalled(); // in the state, which may be shown again
    removed.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan).toHaveBeenCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), input);
  });

  it("a request that fails while a <Suspense> fallback hides the component (a sibling suspended) goes to onOrphan if it is removed before it is shown again, not after", async () => {
    emu = await startFast({ faults: [{ route: "process", kind: "500" }] });
    const client = clientFor(emu, { maxRetries: 0 });
    const onOrphan = vi.fn();
    const out: { current?: ReturnType<typeof useGenerateImage> } = {};
    // The sibling suspending shows the fallback: the component is hidden (display: none), its state still read.
    const tree = (suspends: boolean) => (
      <StrictMode>
        <DecartProvider client={client}>
          <Suspense fallback={<i>loading</i>}>
            <SuspenseGenerator out={out} onOrphan={onOrphan} />
            <Suspending suspends={suspends} />
          </Suspense>
        </DecartProvider>
      </StrictMode>
    );
    const failHidden = async (view: ReturnType<typeof render>, input: { model: typeof model; prompt: string }) => {
      let sent: Promise<unknown> | undefined;
      act(() => {
        sent = out.current!.submit(input);
      });
      // The fallback shown before the answer comes (awaited: the sibling suspends in it).
      await act(async () => {
        view.rerender(tree(true));
      });
      await act(async () => {
        await sent;
      });
      await act(aTask);
      expect(view.container.querySelector("i")).not.toBeNull(); // the fallback was shown all along
    };
    // Failed behind the fallback, then removed: nobody saw the error.
    const view = render(tree(false));
    const input = { model, prompt: "answered 500 behind a fallback, then removed" };
    await failHidden(view, input);
    expect(onOrphan).not.toHaveBeenCalled();
    view.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1);
    expect(onOrphan).toHaveBeenCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), input);
    // Failed behind the fallback, shown again (the sibling done), then removed: seen, not told.
    const again = render(tree(false));
    await failHidden(again, { model, prompt: "answered 500 behind a fallback, then shown" });
    again.rerender(tree(false));
    await act(aTask);
    expect(again.container.textContent).toBe("error");
    again.unmount();
    await act(aTask);
    expect(onOrphan).toHaveBeenCalledTimes(1);
  });

  it("a key it does not have (a typo, a request's timeoutMs, a watch's option) or an onOrphan that is no function is refused as it renders, naming it", async () => {
    emu = await startFast();
    const strict = strictWith(clientFor(emu));
    vi.spyOn(console, "error").mockImplementation(() => {}); // React's report of the error thrown while rendering
    const known = "a known name (onOrphan; a request's timeoutMs goes to submit)";
    const cases = [
      [{ timeout: 5000 }, "timeout", `must be ${known}`],
      [{ timeoutMs: 5000 }, "timeoutMs", `must be ${known}`],
      [{ poll: { intervalMs: 10 } }, "poll", `must be ${known}`],
      [{ onOrphan: 5 }, "onOrphan", "must be a function (got 5)"],
    ] as const;
    for (const [options, field, words] of cases) {
      let error: unknown;
      try {
        renderHook(() => useGenerateImage(options as never), strict);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field, message: `useGenerateImage: "${field}" ${words}` });
    }
    // Given as undefined: none given.
    const { result } = renderHook(() => useGenerateImage({ onOrphan: undefined }), strict);
    expect(result.current.status).toBe("idle");
    expect(emu.stats().requests.byRoute.process).toBe(0);
  });
});
