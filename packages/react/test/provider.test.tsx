import { models } from "@decart/core";
import { act, renderHook } from "@testing-library/react";
import { type ReactNode, StrictMode } from "react";
import { describe, expect, it } from "vitest";
import { DecartProvider, type TokenFetcher, useGenerateVideo } from "../src/index.js";
import { startFast, tokensOf, until } from "./helpers.js";

const model = models.video("lucy-pro-t2v");
const options = { logger: { warn: () => {}, debug: () => {} }, poll: { initialDelayMs: 10, intervalMs: 15 } };

/** A page whose provider takes its props from `page` at each render (as an app's state would give them). */
function pageOf(initial: { token: string | TokenFetcher; baseUrl: string }) {
  const page = { ...initial };
  const wrapper = ({ children }: { children: ReactNode }) => (
    // A new options object and whatever token function the page has, at each render.
    <StrictMode>
      <DecartProvider token={page.token} baseUrl={page.baseUrl} options={{ ...options }}>
        {children}
      </DecartProvider>
    </StrictMode>
  );
  return { page, wrapper };
}

describe("DecartProvider's props after the first render", () => {
  it("a new baseUrl (e.g. from a config fetched after the first render) makes the client the hooks use", async () => {
    const first = await startFast();
    const second = await startFast();
    const { page, wrapper } = pageOf({ token: tokensOf(first), baseUrl: first.url });
    const { result, rerender } = renderHook(() => useGenerateVideo({ download: false }), { wrapper });
    page.token = tokensOf(second);
    page.baseUrl = second.url;
    rerender();
    await act(async () => {
      await result.current.submit({ model, prompt: "on the API the page was told about last" });
    });
    await until(() => result.current.status === "completed" || result.current.status === "error");
    expect(result.current.error).toBeUndefined();
    expect(second.stats().jobsCreated).toBe(1);
    expect(first.stats().requests.total).toBe(0);
  });

  it("a token function is called as the latest render gave it; the client, and the job it follows, stay", async () => {
    const emu = await startFast();
    const before = tokensOf(emu, { expiresIn: 1 }); // the client asks for the next token before 1 s is out
    const { page, wrapper } = pageOf({ token: before, baseUrl: emu.url });
    const { result, rerender } = renderHook(() => useGenerateVideo({ download: false }), { wrapper });
    await act(async () => {
      await result.current.submit({ model, prompt: "outlives its first token [hold]" });
    });
    await until(() => result.current.status === "processing");
    const { jobId } = result.current;
    // E.g. an inline arrow over the signed-in session: a new function at each render.
    const after = tokensOf(emu);
    page.token = after;
    rerender();
    rerender();
    expect(result.current).toMatchObject({ status: "processing", jobId }); // the same client goes on
    await until(() => after.keys.length > 0); // the next token, from the latest render's function
    expect(before.keys.length).toBe(1);
    expect(emu.release(jobId!)).toBe(true);
    await until(() => result.current.status === "completed");
    expect(result.current.jobId).toBe(jobId);
  });
});
