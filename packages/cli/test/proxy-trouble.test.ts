/**
 * A failure of a proxy that Node's fetch met (a file input given as a URL) is named in the message of that URL's
 * download only: a URL sent directly (NO_PROXY names it) that fails with the same code is not said to be the proxy's.
 * (In a process of its own: the proxies become Node's fetch's global dispatcher, as in the CLI.)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, it } from "vitest";
import { proxyAgent } from "../src/proxied.js";
import { fetchTroubleOf, proxiesOf } from "../src/proxy.js";

/** A port nothing listens on: the one a server just left. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** The code of the error a download of `url` by Node's fetch fails with. */
const failure = (url: string) =>
  fetch(url).then(
    () => "answered",
    (e: { cause?: { code?: string } }) => e.cause?.code,
  );

it("a URL NO_PROXY names that fails as a proxied one did is not said to be the proxy's", async () => {
  const proxy = `http://127.0.0.1:${await closedPort()}`;
  proxyAgent(proxiesOf({ http_proxy: proxy, NO_PROXY: "127.0.0.1" }));
  const proxied = "http://decart.test:8080/in.mp4";
  expect(await failure(proxied)).toBe("ECONNREFUSED");
  expect(fetchTroubleOf(`Could not download "data" from ${proxied}: fetch failed (ECONNREFUSED)`)).toMatch(
    new RegExp(`^the proxy ${proxy} \\(http_proxy\\) could not be reached \\(ECONNREFUSED\\)`),
  );
  const direct = `http://127.0.0.1:${await closedPort()}/in.mp4`;
  expect(await failure(direct)).toBe("ECONNREFUSED");
  expect(fetchTroubleOf(`Could not download "data" from ${direct}: fetch failed (ECONNREFUSED)`)).toBeUndefined();
  // The proxied URL's failure is still its own.
  expect(fetchTroubleOf(`Could not download "data" from ${proxied}: fetch failed (ECONNREFUSED)`)).toBeDefined();
});
