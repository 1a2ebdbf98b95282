// The hooks loaded where no `document` exists at load time (a renderer that is not react-dom: React Native, ink, a
// react-three-fiber canvas), then rendered: the effect that says the state is shown must be one a `<Suspense>` fallback
// disconnects (a layout effect), or an error set behind the fallback, then the component removed, is never told.
import { models } from "@decart/core";
import { act, render } from "@testing-library/react";
import { StrictMode, Suspense, use } from "react";
import { expect, it, vi } from "vitest";
import { clientFor, startFast } from "./helpers.js";

const aTask = () => new Promise((resolve) => setTimeout(resolve, 0));
const never = new Promise<never>(() => {});
/** A sibling that suspends for good when told to: its `<Suspense>` shows the fallback and hides the others. */
function Suspending({ suspends }: { suspends: boolean }) {
  if (suspends) use(never);
  return null;
}

type Out = { current?: { status: string; submit: (input: any) => Promise<unknown> } };
/** Renders the hook `use` gives (of the module loaded in the test) into `out`. */
function Generator({ out, use }: { out: Out; use: () => NonNullable<Out["current"]> }) {
  out.current = use();
  return <p>{out.current.status}</p>;
}

it("loaded without a document: an image request failed behind a <Suspense> fallback, then the component removed, goes to onOrphan once", async () => {
  vi.stubGlobal("document", undefined);
  vi.resetModules();
  const hooks = await import("../src/index.js");
  vi.unstubAllGlobals();
  const emu = await startFast({ faults: [{ route: "process", kind: "500" }] });
  const client = clientFor(emu, { maxRetries: 0 });
  const onOrphan = vi.fn();
  const out: Out = {};
  const tree = (suspends: boolean) => (
    <StrictMode>
      <hooks.DecartProvider client={client}>
        <Suspense fallback={<i>loading</i>}>
          <Generator out={out} use={() => hooks.useGenerateImage({ onOrphan })} />
          <Suspending suspends={suspends} />
        </Suspense>
      </hooks.DecartProvider>
    </StrictMode>
  );
  const view = render(tree(false));
  let sent: Promise<unknown> | undefined;
  act(() => {
    sent = out.current!.submit({
      model: models.image("lucy-pro-t2i"),
      prompt: "behind a fallback, no document at load",
    });
  });
  // The fallback shown before the answer comes (awaited: the sibling suspends in it).
  await act(async () => {
    view.rerender(tree(true));
  });
  await act(async () => {
    await sent;
  });
  await act(aTask);
  expect(view.container.querySelector("i")).not.toBeNull();
  expect(onOrphan).not.toHaveBeenCalled();
  view.unmount();
  await act(aTask);
  expect(onOrphan).toHaveBeenCalledTimes(1);
  expect(onOrphan).toHaveBeenCalledWith(expect.objectContaining({ code: "SUBMIT_OUTCOME_UNKNOWN" }), expect.anything());
});
