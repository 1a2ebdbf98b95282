/**
 * A client token's fetch that no request waits for any more (each one's wait aborted) is stopped: the fetcher's
 * `signal` aborts, and `fetchTokenFrom`'s request is aborted (its connection closed), not left to hold the process.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { AbortError, type ClientToken, createDecartClient, fetchTokenFrom, models } from "../src/index.js";
import { closedPort, silent, until } from "./helpers.js";

const model = models.video("lucy-pro-t2v");

describe("a token fetch nobody waits for", () => {
  it("a fetcher of yours is given a signal, aborted once the last request waiting for its token left", async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const token = (options?: { signal?: AbortSignal }) => {
      signals.push(options?.signal);
      return new Promise<ClientToken>(() => {});
    };
    const client = createDecartClient({ token, baseUrl: `http://127.0.0.1:${await closedPort()}`, logger: silent });
    const first = new AbortController();
    const second = new AbortController();
    const calls = [first, second].map((c) =>
      client.queue.status("job_abc123", { signal: c.signal }).catch((e: unknown) => e),
    );
    await until(() => signals.length === 1);
    first.abort();
    expect(await calls[0]).toBeInstanceOf(AbortError);
    // One request still waits for the token: its fetch goes on.
    expect(signals[0]!.aborted).toBe(false);
    second.abort();
    expect(await calls[1]).toBeInstanceOf(AbortError);
    expect(signals[0]!.aborted).toBe(true);
    expect(signals).toHaveLength(1);
  });

  it("fetchTokenFrom's request to a route that does not answer is aborted: the route sees its connection close", async () => {
    let arrived: IncomingMessage | undefined;
    let closed = false;
    const route = createServer((req) => {
      arrived = req;
      req.socket.on("close", () => {
        closed = true;
      });
    });
    await new Promise<void>((resolve) => route.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(route.address() as AddressInfo).port}/api/decart-token`;
      const client = createDecartClient({
        token: fetchTokenFrom(url),
        baseUrl: `http://127.0.0.1:${await closedPort()}`,
        logger: silent,
      });
      const controller = new AbortController();
      const call = client.queue.submit({ model, prompt: "a lake", signal: controller.signal }).catch((e: unknown) => e);
      await until(() => arrived !== undefined);
      controller.abort();
      expect(await call).toBeInstanceOf(AbortError);
      await until(() => closed);
      expect(closed).toBe(true);
    } finally {
      route.closeAllConnections();
      await new Promise((resolve) => route.close(resolve));
    }
  });
});
