/**
 * A failure of a proxy that Node's fetch met (a file input given as a URL) is named in the message of that download
 * only, as the work that made it (a command, a batch's line: `answersApart`) keeps it: a URL sent directly (NO_PROXY
 * names it) that fails with the same code is not said to be the proxy's, nor another work's download, nor a later one
 * of the same origin and status; a redirect to another host that the proxy answered there is.
 * (In a process of its own: the proxies become Node's fetch's global dispatcher, as in the CLI.)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, it } from "vitest";
import { proxyAgent } from "../src/proxied.js";
import { answersApart, fetchTroubleOf, proxiesOf } from "../src/proxy.js";

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
  await answersApart(async () => {
    expect(await failure(proxied)).toBe("ECONNREFUSED");
    expect(fetchTroubleOf(`Could not download "data" from ${proxied}: fetch failed (ECONNREFUSED)`)).toMatch(
      new RegExp(`^the proxy ${proxy} \\(http_proxy\\) could not be reached \\(ECONNREFUSED\\)`),
    );
    // Another work's (a batch's other line) download, sent directly, that fails so.
    await answersApart(async () => {
      const direct = `http://127.0.0.1:${await closedPort()}/in.mp4`;
      expect(await failure(direct)).toBe("ECONNREFUSED");
      expect(fetchTroubleOf(`Could not download "data" from ${direct}: fetch failed (ECONNREFUSED)`)).toBeUndefined();
    });
    // The proxied URL's failure is still its own work's.
    expect(fetchTroubleOf(`Could not download "data" from ${proxied}: fetch failed (ECONNREFUSED)`)).toBeDefined();
  });
});

/** A server on 127.0.0.1 answering each request by `answer` (given its URL as the proxy is given it: whole). */
async function listening(answer: (url: string) => [number, Record<string, string>, string]): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    const [status, headers, body] = answer(req.url!);
    res.writeHead(status, headers).end(body);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return server;
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;
const close = (server: Server) => new Promise((done) => server.close(done));

it("a download redirected to another host, answered 403 there through the proxy: said to be maybe the proxy's", async () => {
  // The proxy answers files.test with a redirect to cdn.test, and cdn.test itself with a 403 of text.
  const proxy = await listening((url) =>
    url.startsWith("http://files.test/")
      ? [302, { location: "http://cdn.test/in.png" }, ""]
      : [403, { "content-type": "text/plain" }, "Blocked\n"],
  );
  try {
    const origin = `http://127.0.0.1:${portOf(proxy)}`;
    proxyAgent(proxiesOf({ http_proxy: origin, NO_PROXY: "127.0.0.1" }));
    await answersApart(async () => {
      const input = "http://files.test/in.png";
      expect((await fetch(input)).status).toBe(403);
      // (Kept by the origin of the URL answered, cdn.test, the note was not found for the URL given.)
      expect(fetchTroubleOf(`Could not download "data" from ${input}: HTTP 403`)).toBe(
        `an answer through the proxy ${origin} (http_proxy), which may be the proxy's own (or a gateway's on the ` +
          "way) rather than that server's: check that the proxy lets cdn.test:80 through, or name that host in " +
          "no_proxy (or NO_PROXY) if it is reached directly",
      );
    });
  } finally {
    await close(proxy);
  }
});

it("a later download of the same origin and status that no proxy answered is not said to be the proxy's", async () => {
  // A server reached directly (NO_PROXY) that answers 403 of its own; the proxy answers files.test/a with 403, and
  // files.test/b with a redirect to that server.
  const direct = await listening(() => [403, { "content-type": "text/plain" }, "Forbidden\n"]);
  const proxy = await listening((url) =>
    url === "http://files.test/a.png"
      ? [403, { "content-type": "text/plain" }, "Blocked\n"]
      : [302, { location: `http://127.0.0.1:${portOf(direct)}/b.png` }, ""],
  );
  try {
    proxyAgent(proxiesOf({ http_proxy: `http://127.0.0.1:${portOf(proxy)}`, NO_PROXY: "127.0.0.1" }));
    const said = (url: string) => fetchTroubleOf(`Could not download "data" from ${url}: HTTP 403`);
    await answersApart(async () => {
      expect((await fetch("http://files.test/a.png")).status).toBe(403);
      expect(said("http://files.test/a.png")).toBeDefined();
      // A batch's other line: nothing of its own noted.
      await answersApart(async () => expect(said("http://files.test/a.png")).toBeUndefined());
      // The same work's next download, of the same origin, answered 403 by the server reached directly.
      expect((await fetch("http://files.test/b.png")).status).toBe(403);
      expect(said("http://files.test/b.png")).toBeUndefined();
    });
  } finally {
    await close(proxy);
    await close(direct);
  }
});
