import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AuthenticationError, createDecartClient, models } from "@decart/core";
import { createTokenRoute } from "@decart/core/server";
import type { Emulator } from "@decart/emulator";
import { act, render, renderHook, screen } from "@testing-library/react";
import { type ReactNode, StrictMode } from "react";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DecartProvider, type DecartProviderProps, useDecartClient, useGenerateVideo, useJob } from "../src/index.js";
import { clientFor, countingFetch, startFast, tokensOf, until } from "./helpers.js";

let emu: Emulator | undefined;
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

const model = models.video("lucy-pro-t2v");
const poll = { initialDelayMs: 10, intervalMs: 15 };
const silent = { warn: () => {}, debug: () => {} };

/** A `<StrictMode>` wrapper around a provider made from `props`. */
const strictProvider =
  (props: Omit<DecartProviderProps, "children">) =>
  ({ children }: { children: ReactNode }) => (
    <StrictMode>
      <DecartProvider {...(props as DecartProviderProps)}>{children}</DecartProvider>
    </StrictMode>
  );

const Probe = () => <p>{typeof useDecartClient()}</p>;
const Page = ({ jobId }: { jobId: string }) => <p>{useJob(jobId).status}</p>;

describe("keys stay on servers", () => {
  it("a dct_ key in a browser window throws, pointing to the token route and naming the opt-out", async () => {
    emu = await startFast();
    expect(typeof window).toBe("object"); // happy-dom's page
    const error = (() => {
      try {
        createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url });
      } catch (e) {
        return e as Error & { field?: string };
      }
    })();
    expect(error?.name).toBe("InvalidInputError");
    expect(error?.field).toBe("apiKey");
    expect(error?.message).toContain("createTokenRoute of @decart/core/server");
    expect(error?.message).toContain("dangerouslyAllowBrowser: true");
    expect(error?.message).not.toContain(emu.apiKey);

    // Through the provider too, with React's own error for the render.
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() =>
      render(
        <StrictMode>
          <DecartProvider options={{ apiKey: emu!.apiKey, baseUrl: emu!.url }}>
            <Probe />
          </DecartProvider>
        </StrictMode>,
      ),
    ).toThrow(/createTokenRoute/);
  });

  it("the opt-out lets a local tool use its dct_ key; a client token needs none", async () => {
    emu = await startFast();
    const local = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, dangerouslyAllowBrowser: true, poll });
    const done = await local.queue.submitAndPoll({ model, prompt: "local tool", download: false });
    expect(done.status).toBe("completed");
    const { apiKey } = await tokensOf(emu)();
    const page = createDecartClient({ apiKey, baseUrl: emu.url, poll });
    expect((await page.queue.status(done.job_id)).status).toBe("completed");
  });

  it("a token source that answers the dct_ key (a function, a token route) is refused in the page; the key never sent", async () => {
    emu = await startFast();
    const { job_id } = await clientFor(emu).queue.submit({ model, prompt: "watched by the page" });
    const leaked = { apiKey: emu.apiKey, expiresAt: new Date(Date.now() + 600_000).toISOString() };
    // A token route set up wrong: it answers the long-lived key.
    server = createServer((_req, res) => {
      res.writeHead(200, { "access-control-allow-origin": "*", "content-type": "application/json" });
      res.end(JSON.stringify(leaked));
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const route = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/decart-token`;
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    for (const token of [async () => leaked, route]) {
      const { result, unmount } = renderHook(() => useJob(job_id, { poll }), {
        wrapper: strictProvider({ token, baseUrl: emu.url, options: { logger: silent } }),
      });
      await until(() => ["completed", "error", "failed"].includes(result.current.status));
      const error = result.current.error as (Error & { field?: string; retryable?: boolean }) | undefined;
      expect(error?.name).toBe("InvalidInputError");
      expect(error?.field).toBe("apiKey");
      expect(error?.retryable).toBe(false);
      expect(error?.message).toContain("createTokenRoute of @decart/core/server");
      expect(error?.message).not.toContain(emu.apiKey);
      unmount();
    }
    // Nothing went to the API: the route was asked, the key sent nowhere.
    const calls = fetchSpy.mock.calls.map(([input]) => String(input instanceof Request ? input.url : input));
    expect(calls.filter((url) => url.startsWith(emu!.url))).toEqual([]);
    expect(calls.filter((url) => url === route).length).toBeGreaterThan(0);
  });

  it("the provider takes the URL of a token route and the page never holds the dct_ key", async () => {
    emu = await startFast();
    // The app's server: the token route behind node:http (another origin than the test page's: CORS allowed).
    // Its own fetch: the spy below sees the page's requests only.
    const serverFetch = globalThis.fetch;
    const route = createTokenRoute({
      authorize: () => true,
      apiKey: emu.apiKey,
      baseUrl: emu.url,
      models: ["lucy-pro-t2v"],
      fetch: serverFetch,
    });
    let minted = 0;
    server = createServer(async (req, res) => {
      const cors = { "access-control-allow-origin": "*", "access-control-allow-methods": "POST" };
      if (req.method === "OPTIONS") return void res.writeHead(204, cors).end();
      const answer = await route(new Request(`http://127.0.0.1${req.url}`, { method: req.method }));
      if (answer.ok) minted++;
      res.writeHead(answer.status, { ...Object.fromEntries(answer.headers), ...cors }).end(await answer.text());
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/decart-token`;
    const sent: string[] = [];
    const { result } = renderHook(
      () => {
        const generation = useGenerateVideo({ poll });
        return { generation, client: useDecartClient() };
      },
      { wrapper: strictProvider({ token: url, baseUrl: emu.url, options: { logger: silent } }) },
    );
    expect(minted).toBe(0); // rendering fetches no token
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    await act(async () => {
      await result.current.generation.submit({ model, prompt: "through the route" });
    });
    await until(() => ["completed", "error", "failed"].includes(result.current.generation.status));
    expect(result.current.generation.error).toBeUndefined();
    for (const [, init] of fetchSpy.mock.calls)
      sent.push(JSON.stringify(Object.fromEntries(new Headers(init?.headers))));
    expect(sent.join("\n")).not.toContain(emu.apiKey);
    expect(sent.join("\n")).toContain("ek_");
    expect(minted).toBe(1);
  });

  it("a token that expires mid-job is replaced, and the job completes (StrictMode)", async () => {
    // Tokens live 1 s; the job takes longer than that from its submit on.
    emu = await startFast({ timing: { pendingMs: 400, processingMs: 1_600 } });
    const fetcher = tokensOf(emu, { expiresIn: 1 });
    const { result } = renderHook(() => useGenerateVideo({ poll }), {
      wrapper: strictProvider({ token: fetcher, baseUrl: emu.url, options: { logger: silent } }),
    });
    await act(async () => {
      await result.current.submit({ model, prompt: "outlive the token" });
    });
    await until(() => result.current.status === "completed" || result.current.status === "error");
    expect(result.current.error).toBeUndefined();
    expect(result.current.status).toBe("completed");
    expect(fetcher.keys.length).toBeGreaterThanOrEqual(2);
    // The first token really expired on the server: it is refused now.
    const stale = createDecartClient({ apiKey: fetcher.keys[0]!, baseUrl: emu.url, maxRetries: 0 });
    await expect(stale.queue.status(result.current.jobId!)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("a server render with a token fetcher fetches no token", async () => {
    emu = await startFast();
    const { job_id } = await clientFor(emu).queue.submit({ model, prompt: "on it [hold]" });
    // Both providers' clients read a job at once when they watch it (a first read after 0 ms): had the server render
    // started a watch, its token would be asked for before the page's, on an earlier timer of the same length.
    const options = { logger: silent, poll: { initialDelayMs: 0, intervalMs: 15 } };
    const server = { token: tokensOf(emu), fetch: countingFetch() };
    const html = renderToString(
      <DecartProvider token={server.token} baseUrl={emu.url} options={{ ...options, fetch: server.fetch }}>
        <Page jobId={job_id} />
      </DecartProvider>,
    );
    expect(html).toBe("<p>idle</p>");
    const page = tokensOf(emu);
    render(
      <DecartProvider token={page} baseUrl={emu.url} options={options}>
        <Page jobId={job_id} />
      </DecartProvider>,
    );
    await until(() => screen.queryByText(/^(pending|processing)$/) !== null); // the page's first read
    expect(page.calls).toBe(1);
    expect(server.token.calls).toBe(0);
    expect(server.fetch.sent.length).toBe(0);
  });
});
