import type { ClientToken } from "@decart/core";
import { renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { DecartProvider, useDecartClient } from "../src/index.js";
import { until } from "./helpers.js";

// The client hands a token function a `signal` that aborts when no request waits for the token any more: the
// provider passes it on to yours, so that its fetch is given up too.
describe("a token function given to the provider", () => {
  it("gets the client's signal, which aborts when the call that waits for the token is aborted", async () => {
    const asked: ({ signal?: AbortSignal | undefined } | undefined)[] = [];
    const token = (options?: { signal?: AbortSignal | undefined }) => {
      asked.push(options);
      return new Promise<ClientToken>(() => {});
    };
    const wrapper = ({ children }: { children: ReactNode }) => (
      // (Nothing listens there: no request is sent without a token.)
      <DecartProvider token={token} baseUrl="http://127.0.0.1:4820">
        {children}
      </DecartProvider>
    );
    const client = renderHook(useDecartClient, { wrapper }).result.current;
    const stop = new AbortController();
    const call = client.queue.status("job_abc", { signal: stop.signal }).catch((e) => e);
    await until(() => asked.length > 0);
    expect(asked[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(asked[0]!.signal!.aborted).toBe(false);
    stop.abort();
    expect((await call).code).toBe("ABORT");
    expect(asked[0]!.signal!.aborted).toBe(true);
  });
});
