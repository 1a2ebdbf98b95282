import { models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { act, render, screen } from "@testing-library/react";
import { StrictMode, Suspense, startTransition, use, useState } from "react";
import { expect, it } from "vitest";
import { DecartProvider, type TokenFetcher, useGenerateVideo, type VideoGeneration } from "../src/index.js";
import { startFast, tokensOf, until } from "./helpers.js";

let emu: Emulator | undefined;

const model = models.video("lucy-pro-t2v");
const options = { logger: { warn: () => {}, debug: () => {} }, poll: { initialDelayMs: 10, intervalMs: 15 } };

/** Suspends for good once `on`: a transition that renders it never commits. */
const never = new Promise<never>(() => {});
function Slow({ on }: { on: boolean }) {
  if (on) use(never);
  return null;
}

/**
 * A page whose state gives the provider its token function and the hook its `download`; `page.set` changes them in a
 * transition that also shows `Slow`, which suspends: that render is never committed.
 */
function Page({ first, into }: { first: TokenFetcher; into: { video?: VideoGeneration; set?: (s: State) => void } }) {
  const [state, set] = useState<State>({ token: first, download: true, slow: false });
  into.set = set;
  return (
    <DecartProvider token={state.token} baseUrl={emu!.url} options={options}>
      <Video download={state.download} into={into} />
      <p>{state.download ? "download" : "status only"}</p>
      <Suspense fallback="…">
        <Slow on={state.slow} />
      </Suspense>
    </DecartProvider>
  );
}
type State = { token: TokenFetcher; download: boolean; slow: boolean };

function Video({ download, into }: { download: boolean; into: { video?: VideoGeneration } }) {
  into.video = useGenerateVideo({ download });
  return null;
}

it("a render that is never committed (a transition that suspends) changes neither the options nor the token function", async () => {
  emu = await startFast();
  const committed = tokensOf(emu);
  const discarded = tokensOf(emu);
  const into: { video?: VideoGeneration; set?: (s: State) => void } = {};
  render(
    <StrictMode>
      <Page first={committed} into={into} />
    </StrictMode>,
  );
  await act(async () => {
    startTransition(() => into.set!({ token: discarded, download: false, slow: true }));
  });
  expect(screen.getByText("download")).toBeDefined(); // the transition is pending: what is shown is the first render
  let jobId: string | undefined;
  await act(async () => {
    jobId = await into.video!.submit({ model, prompt: "submitted with the committed options" });
  });
  await until(() => into.video!.status === "completed");
  expect(into.video!.result).toBeInstanceOf(Blob); // downloaded, as the committed render asked
  expect(emu.job(jobId!)!.contentReads).toBe(1);
  expect(committed.calls).toBe(1);
  expect(discarded.calls).toBe(0);
});
