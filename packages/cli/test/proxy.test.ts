/**
 * Behind a proxy (`http_proxy`, `HTTPS_PROXY` or `https_proxy`, `NO_PROXY` or `no_proxy`, as curl reads them), every
 * request of the CLI goes through it: the submit, the status reads and the result's download (over node:http, by the
 * proxy's agent), and Node's fetch (a file input given as a URL) by its global dispatcher. The
 * API is at `decart.test`, a name that only the proxy here resolves (to 127.0.0.1): a request sent directly fails.
 * The proxy forwards a request given with its whole URL (an http one) and tunnels a CONNECT (an https one, to a TLS
 * front of the emulator whose certificate, made here by openssl, the CLI trusts by `NODE_EXTRA_CA_CERTS`).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttp, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { proxiesOf } from "../src/proxy.js";
import { events, fastRetries, inGroups, run, useEmulator } from "./helpers.js";

/** What a message of a key the API refused (401, 403) ends with. */
const KEY_WORDS = "; check the key given by --api-key or DECART_API_KEY";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({ allowedHosts: ["decart.test"] }, (f) => ({ emu, env, dir } = f));

/** What the proxy was asked, in order: `GET http://decart.test:…/v1/…` (forwarded), `CONNECT decart.test:…`. */
let seen: string[] = [];
/** The Proxy-Authorization of each request and CONNECT the proxy was given ("" for none), in order. */
let auths: string[] = [];
let proxy: Server;
/** The proxy's tunnels open now (its server no longer holds their sockets). */
const tunnels = new Set<Duplex>();
let proxyUrl: string;
/** The emulator's TLS front (a certificate for decart.test), its self-signed twin's, and the certificate's file. */
let front: Server;
let selfSigned: Server;
/** The proxy behind TLS of its own (an `https://` proxy URL), with the front's certificate. */
let tlsProxy: Server;
let certFile: string;
const port = (server: Server) => (server.address() as AddressInfo).port;
/** The one name the proxy resolves (to 127.0.0.1); any other as given. */
const resolve = (host: string) => (host === "decart.test" ? "127.0.0.1" : host);

/** The proxy's answer to a request given with its whole URL (an http one): forwarded, its answer passed on. */
function forward(req: IncomingMessage, res: ServerResponse): void {
  seen.push(`${req.method} ${req.url}`);
  auths.push(req.headers["proxy-authorization"] ?? "");
  const url = new URL(req.url!);
  const forwarded = request(
    { host: resolve(url.hostname), port: url.port, method: req.method, path: url.pathname + url.search },
    (answer) => {
      res.writeHead(answer.statusCode!, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  for (const [name, value] of Object.entries(req.headers)) if (!/^proxy-/.test(name)) forwarded.setHeader(name, value!);
  forwarded.on("error", () => res.destroy());
  req.pipe(forwarded);
}

/** The proxy's answer to a CONNECT: a tunnel to the host and port it names. */
function tunnel(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  seen.push(`CONNECT ${req.url}`);
  auths.push(req.headers["proxy-authorization"] ?? "");
  tunnels.add(socket);
  const [host, at] = req.url!.split(":");
  const upstream = connect(Number(at), resolve(host!), () => {
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
  });
  upstream.on("error", () => socket.destroy());
  socket.on("error", () => upstream.destroy());
  socket.on("close", () => {
    upstream.destroy();
    tunnels.delete(socket);
  });
}

beforeAll(async () => {
  proxy = createHttp(forward);
  proxy.on("connect", tunnel);
  await new Promise<void>((done) => proxy.listen(0, "127.0.0.1", done));
  proxyUrl = `http://127.0.0.1:${port(proxy)}`;

  const at = (name: string) => join(dir, name);
  certFile = at("cert.pem");
  execFileSync(
    "openssl",
    [
      ..."req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=decart.test".split(" "),
      ..."-addext subjectAltName=DNS:decart.test,IP:127.0.0.1 -addext basicConstraints=critical,CA:true".split(" "),
      "-keyout",
      at("key.pem"),
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  const tls = { key: readFileSync(at("key.pem")), cert: readFileSync(certFile) };
  // The emulator behind TLS: each request passed on as it came.
  front = createHttps(tls, (req, res) => {
    const passed = request(
      { host: "127.0.0.1", port: new URL(emu.url).port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    passed.on("error", () => res.destroy());
    req.pipe(passed);
  });
  selfSigned = createHttps(tls, (_req, res) => res.end());
  // The same proxy behind TLS (an https:// proxy URL), with the same certificate.
  tlsProxy = createHttps(tls, forward);
  tlsProxy.on("connect", tunnel);
  for (const server of [front, selfSigned, tlsProxy])
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
});
afterAll(async () => {
  for (const socket of tunnels) socket.destroy();
  for (const server of [proxy, front, selfSigned, tlsProxy]) {
    if (!server) continue;
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});
beforeEach(() => {
  seen = [];
  auths = [];
});

/** A server of the file input `/in.mp4` (the start of an MP4), until `use` ends; `use` gets its port. */
async function withInput(use: (port: number) => Promise<void>): Promise<void> {
  const mp4 = Buffer.concat([Buffer.from("\0\0\0\x18ftypmp42\0\0\0\0mp42isom", "latin1"), Buffer.alloc(4096)]);
  const inputs = createHttp((req, res) => {
    if (req.url !== "/in.mp4") return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "video/mp4", "content-length": mp4.length }).end(mp4);
  });
  await new Promise<void>((done) => inputs.listen(0, "127.0.0.1", done));
  try {
    await use(port(inputs));
  } finally {
    inputs.closeAllConnections();
    await new Promise((done) => inputs.close(done));
  }
}

/** A proxy's answer compressed by each coding the client decodes (`deflate raw`: sent as `deflate`, without zlib's wrap). */
const ENCODED = {
  gzip: gzipSync,
  deflate: deflateSync,
  "deflate raw": deflateRawSync,
  br: brotliCompressSync,
  // A list, in the order the codings were applied (`identity` and the case count for nothing).
  "GZIP, identity, br": (text: string) => brotliCompressSync(gzipSync(text)),
} satisfies Record<string, (text: string) => Buffer>;

/** The environment for the emulator at `decart.test` (over http, else https by the TLS front), with `extra`. */
const at = (scheme: "http" | "https", extra: Record<string, string> = {}) => ({
  ...env,
  DECART_BASE_URL:
    scheme === "http" ? `http://decart.test:${new URL(emu.url).port}` : `https://decart.test:${port(front)}`,
  ...extra,
});

describe("behind a proxy", () => {
  it("video and image go only through http_proxy for an http API: submit, status reads, download", async () => {
    const http = at("http");
    // Sent directly, nothing reaches the API (only the proxy resolves its name).
    const direct = await run(["image", "a cat", "-o", join(dir, "direct.png")], { env: http });
    expect(direct.code).toBe(1);
    expect(seen).toEqual([]);
    expect(emu.stats().requests.total).toBe(0);

    const video = join(dir, "proxied.mp4");
    const v = await run(["-v", "video", "a lake", "-o", video], { env: { ...http, http_proxy: proxyUrl } });
    expect(v.stderr).not.toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(v.code).toBe(0);
    expect(readFileSync(video).subarray(4, 8).toString()).toBe("ftyp");
    const base = http.DECART_BASE_URL;
    expect(seen[0]).toBe(`POST ${base}/v1/jobs/lucy-pro-t2v`);
    const job = /job_\w+/.exec(seen.find((s) => s.startsWith("GET"))!)![0];
    expect(seen).toContain(`GET ${base}/v1/jobs/${job}`);
    expect(seen.at(-1)).toBe(`GET ${base}/v1/jobs/${job}/content`);
    // --verbose names each request by its URL (a proxy's request carries it whole).
    expect(v.stderr).toContain(`→ GET ${base}/v1/jobs/${job}/content`);
    expect(v.stderr).not.toContain(`${base}${base}`);

    seen = [];
    const image = join(dir, "proxied.png");
    const i = await run(["image", "a cat", "-o", image], { env: { ...http, http_proxy: proxyUrl } });
    expect(i.code).toBe(0);
    expect(existsSync(image)).toBe(true);
    expect(seen).toEqual([`POST ${base}/v1/generate/lucy-pro-t2i`]);
  });

  it("video and image go through HTTPS_PROXY (or https_proxy) for an https API, by CONNECT tunnels", async () => {
    const https = at("https", { NODE_EXTRA_CA_CERTS: certFile });
    const tunnel = `CONNECT decart.test:${port(front)}`;
    const video = join(dir, "tunnelled.mp4");
    // The proxy's credentials go to the proxy, never into the output.
    const withCredentials = proxyUrl.replace("//", "//user:pr0xy-s3cret@");
    const v = await run(["-v", "video", "a lake", "-o", video], { env: { ...https, HTTPS_PROXY: withCredentials } });
    expect(v.code).toBe(0);
    expect(readFileSync(video).subarray(4, 8).toString()).toBe("ftyp");
    // The submit, the status reads and the download go through tunnels of the proxy, and nothing else.
    expect(seen.filter((s) => s === tunnel).length).toBeGreaterThanOrEqual(1);
    expect(seen.every((s) => s === tunnel)).toBe(true);
    expect(v.stderr).toContain(`→ POST https://decart.test:${port(front)}/v1/jobs/`);
    expect(v.stderr + v.stdout).not.toContain("pr0xy-s3cret");

    seen = [];
    const image = join(dir, "tunnelled.png");
    const i = await run(["image", "a cat", "-o", image], { env: { ...https, https_proxy: proxyUrl } });
    expect(i.code).toBe(0);
    expect(existsSync(image)).toBe(true);
    expect(seen).toEqual([tunnel]);
  });

  it("NO_PROXY (or no_proxy) sends a request to a host it names directly", async () => {
    // The emulator by its address, through the proxy unless NO_PROXY names it.
    const local = { ...env, http_proxy: proxyUrl };
    const through = await run(["image", "a cat", "-o", join(dir, "through.png")], { env: local });
    expect(through.code).toBe(0);
    expect(seen).toEqual([`POST ${emu.url}/v1/generate/lucy-pro-t2i`]);

    seen = [];
    const video = join(dir, "bypass.mp4");
    const v = await run(["video", "a lake", "-o", video], { env: { ...local, NO_PROXY: "localhost, 127.0.0.1" } });
    expect(v.code).toBe(0);
    expect(existsSync(video)).toBe(true);
    const i = await run(["image", "a cat", "-o", join(dir, "bypass.png")], { env: { ...local, no_proxy: "*" } });
    expect(i.code).toBe(0);
    expect(seen).toEqual([]);

    // `*.test` names no host (as for curl): decart.test through the proxy.
    const starred = await run(["image", "a cat", "-o", join(dir, "starred.png")], {
      env: at("http", { http_proxy: proxyUrl, NO_PROXY: "*.test" }),
    });
    expect(starred.code, starred.stderr).toBe(0);
    expect(seen).toEqual([`POST ${at("http").DECART_BASE_URL}/v1/generate/lucy-pro-t2i`]);
    seen = [];

    // A domain names the hosts under it: decart.test sent directly, which fails (only the proxy resolves it).
    const named = await run(["image", "a cat", "-o", join(dir, "named.png")], {
      // (Its tries wait no backoff: see fastRetries.)
      env: at("http", { http_proxy: proxyUrl, NO_PROXY: "test", ...fastRetries(dir) }),
    });
    expect(named.code).toBe(1);
    expect(seen).toEqual([]);
  });

  it("a file input given as a URL is fetched through http_proxy too (Node's fetch, by its global dispatcher)", async () => {
    // The input at decart.test (only the proxy resolves it), on a server of its own.
    await withInput(async (inputPort) => {
      const input = `http://decart.test:${inputPort}/in.mp4`;
      const video = join(dir, "from-url.mp4");
      const r = await run(["video", "Snow", "-m", "lucy-clip", `data=${input}`, "-o", video], {
        env: { ...env, http_proxy: proxyUrl, NO_PROXY: "127.0.0.1" },
      });
      expect(r.stderr).not.toMatch(/ENOTFOUND|EAI_AGAIN/);
      expect(r.code, r.stderr).toBe(0);
      expect(seen).toEqual([`GET ${input}`]);
      expect(existsSync(video)).toBe(true);
    });
  });

  it("a file input given as a URL answered 403 or 503 through http_proxy says the answer may be the proxy's", async () => {
    // The proxy answers every request itself: a page (403), then a line of text (503).
    const answers: [number, string, string][] = [
      [403, "text/html", "<html><title>Access denied (squid)</title></html>"],
      [503, "text/plain", "Proxy overloaded\n"],
    ];
    let answer = answers[0]!;
    const answering = createHttp((req, res) => {
      req.resume();
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(answer[0], { "content-type": answer[1], "retry-after": "0" }).end(answer[2]);
    });
    await new Promise<void>((done) => answering.listen(0, "127.0.0.1", done));
    const origin = `http://127.0.0.1:${port(answering)}`;
    const input = "http://files.test/in.png";
    const said = (status: number, check: string) =>
      `Could not download "data" from ${input}: HTTP ${status}: an answer through the proxy ${origin} (http_proxy), ` +
      `which may be the proxy's own (or a gateway's on the way) rather than that server's: ${check}, or name that ` +
      "host in no_proxy (or NO_PROXY) if it is reached directly; nothing was sent to the API";
    try {
      const results: [number | null, string][] = [];
      for (answer of answers) {
        const r = await run(
          ["--json", "image", "-m", "lucy-pro-i2i", "a lighthouse", `data=${input}`, "-o", join(dir, "p.png")],
          {
            env: { ...env, http_proxy: origin, NO_PROXY: "127.0.0.1" },
          },
        );
        const [error] = events(r.stdout).filter((e) => e.type === "error");
        results.push([r.code, String(error?.message)]);
      }
      expect(results).toEqual([
        [2, said(403, "check that the proxy lets files.test:80 through")],
        [
          1,
          said(
            503,
            "the proxy may not have reached files.test:80 or got its answer in time: check the proxy, or try again later",
          ),
        ],
      ]);
      expect(seen).toEqual([`GET ${input}`, `GET ${input}`]);
      expect(emu.stats().requests.total).toBe(0);
    } finally {
      answering.closeAllConnections();
      await new Promise((done) => answering.close(done));
    }
  });

  it("a proxy's credentials: never on stderr with DEBUG=*, and Proxy-Authorization alike from either transport, a user alone too", async () => {
    await withInput(async (inputPort) => {
      const input = `http://decart.test:${inputPort}/in.mp4`;
      const https = at("https", { NODE_EXTRA_CA_CERTS: certFile, DEBUG: "*" });
      for (const [credentials, pair] of [
        ["user:pr0xy-s3cret", "user:pr0xy-s3cret"],
        ["t0ken-only", "t0ken-only:"],
      ] as const) {
        seen = [];
        auths = [];
        const withCredentials = proxyUrl.replace("//", `//${credentials}@`);
        // The input by Node's fetch (undici's ProxyAgent) through http_proxy, the API by the agents through both.
        const r = await run(["video", "Snow", "-m", "lucy-clip", `data=${input}`, "-o", join(dir, "creds.mp4")], {
          env: { ...https, https_proxy: withCredentials, http_proxy: withCredentials },
        });
        expect(r.code, r.stderr).toBe(0);
        // The agents' own log (DEBUG=*) names the proxy without its credentials.
        expect(r.stderr).toContain("proxy-agent");
        expect(r.stderr + r.stdout).not.toContain(credentials.split(":").at(-1)!);
        expect(seen[0]).toBe(`GET ${input}`);
        expect(seen.slice(1).every((s) => s.startsWith("CONNECT "))).toBe(true);
        expect(new Set(auths)).toEqual(new Set([`Basic ${Buffer.from(pair).toString("base64")}`]));
      }
    });
  });

  it("an https:// proxy (TLS to the proxy itself), trusted by NODE_EXTRA_CA_CERTS: either transport, either scheme", async () => {
    const secureProxy = `https://127.0.0.1:${port(tlsProxy)}`;
    // The API over https: every request through a tunnel, over TLS to the proxy and TLS to the API within it.
    const https = at("https", { NODE_EXTRA_CA_CERTS: certFile, HTTPS_PROXY: secureProxy });
    const video = join(dir, "tls-proxy.mp4");
    const v = await run(["video", "a lake", "-o", video], { env: https });
    expect(v.code, v.stderr).toBe(0);
    expect(readFileSync(video).subarray(4, 8).toString()).toBe("ftyp");
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.every((s) => s === `CONNECT decart.test:${port(front)}`)).toBe(true);

    // The API over http: the request with its whole URL, over TLS to the proxy.
    seen = [];
    const http = at("http", { NODE_EXTRA_CA_CERTS: certFile, http_proxy: secureProxy });
    const i = await run(["image", "a cat", "-o", join(dir, "tls-proxy.png")], { env: http });
    expect(i.code, i.stderr).toBe(0);
    expect(seen).toEqual([`POST ${http.DECART_BASE_URL}/v1/generate/lucy-pro-t2i`]);

    // A file input given as a URL, by Node's fetch (undici's ProxyAgent tunnels through an https:// proxy).
    await withInput(async (inputPort) => {
      seen = [];
      const input = `http://decart.test:${inputPort}/in.mp4`;
      const r = await run(["video", "Snow", "-m", "lucy-clip", `data=${input}`, "-o", join(dir, "tls-input.mp4")], {
        env: { ...env, NODE_EXTRA_CA_CERTS: certFile, http_proxy: secureProxy, NO_PROXY: "127.0.0.1" },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(seen).toEqual([`CONNECT decart.test:${inputPort}`]);
      // (An IP address is not a TLS server name: Node warned of one given as such, DEP0123.)
      expect(r.stderr).not.toContain("Warning");
    });

    // Its certificate not trusted (no NODE_EXTRA_CA_CERTS): the error names the proxy and that variable.
    seen = [];
    const untrusted = await run(["jobs", "status", "job_x"], { env: { ...https, NODE_EXTRA_CA_CERTS: "" } });
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain(`the certificate of the proxy ${secureProxy} (HTTPS_PROXY) is not trusted`);
    expect(untrusted.stderr).toContain(
      "(DEPTH_ZERO_SELF_SIGNED_CERT): if a private CA issued it, set NODE_EXTRA_CA_CERTS to the path of that CA's certificate",
    );
    // So for a file input given as a URL (Node's fetch).
    await withInput(async (inputPort) => {
      const input = `http://decart.test:${inputPort}/in.mp4`;
      const r = await run(["video", "Snow", "-m", "lucy-clip", `data=${input}`, "-o", join(dir, "tls-untrusted.mp4")], {
        env: { ...env, http_proxy: secureProxy, NO_PROXY: "127.0.0.1" },
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        `the certificate of the proxy ${secureProxy} (http_proxy) is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): if a private CA`,
      );
    });
    expect(seen).toEqual([]);
  });

  it("a proxy that refuses the CONNECT (407, 403, 502) is named in the error with what to check, on either transport", async () => {
    // A proxy that answers every CONNECT (and every request) with `status`.
    let status = 407;
    const asked: string[] = [];
    const refusing = createHttp((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      res.writeHead(status).end();
    });
    refusing.on("connect", (req, socket: Duplex) => {
      asked.push(`CONNECT ${req.url}`);
      socket.end(`HTTP/1.1 ${status} No\r\nContent-Length: 0\r\n\r\n`);
    });
    await new Promise<void>((done) => refusing.listen(0, "127.0.0.1", done));
    const origin = `http://127.0.0.1:${port(refusing)}`;
    const target = `decart.test:${port(front)}`;
    try {
      // The upload (node:http): a 407 asks for the credentials in the variable's URL; not sent again.
      const https = at("https", { NODE_EXTRA_CA_CERTS: certFile });
      const image = await run(["--json", "image", "a cat", "-o", join(dir, "refused.png")], {
        env: { ...https, HTTPS_PROXY: origin.replace("//", "//user:pr0xy-s3cret@") },
      });
      expect(image.code).toBe(1);
      const [error] = events(image.stdout).filter((e) => e.type === "error");
      expect(error!.message).toContain(
        `the proxy ${origin} (HTTPS_PROXY) refused to connect to ${target} (407 Proxy Authentication Required, ` +
          "the proxy's own answer, not the server's): it asks for credentials; check the user and password in HTTPS_PROXY",
      );
      expect(error!.message).toContain("nothing was sent to the API, and it was not sent again");
      expect(image.stdout + image.stderr).not.toContain("pr0xy-s3cret");
      expect(asked).toEqual([`CONNECT ${target}`]);

      // A status read (node:http too, the upload function's fetch): a 403 is the proxy's rule, not the API's.
      status = 403;
      const read = await run(["jobs", "status", "job_x"], { env: { ...https, https_proxy: origin } });
      expect(read.code).toBe(1);
      expect(read.stderr).toContain(
        `the proxy ${origin} (https_proxy) refused to connect to ${target} (403 Forbidden, the proxy's own answer`,
      );
      expect(read.stderr).toContain("check that the proxy lets that host through");

      // A 502 of the proxy itself is its failure, which may pass: said so.
      status = 502;
      const failed = await run(["jobs", "status", "job_x"], { env: { ...https, HTTPS_PROXY: origin } });
      expect(failed.stderr).toContain(
        `the proxy ${origin} (HTTPS_PROXY) could not connect to ${target} (502 Bad Gateway`,
      );

      // A file input given as a URL (Node's fetch): a 407 without credentials says to give them.
      status = 407;
      await withInput(async (inputPort) => {
        const input = `https://decart.test:${inputPort}/in.mp4`;
        const r = await run(["video", "Snow", "-m", "lucy-clip", `data=${input}`, "-o", join(dir, "refused.mp4")], {
          env: { ...env, HTTPS_PROXY: origin, NO_PROXY: "127.0.0.1" },
        });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
          `the proxy ${origin} (HTTPS_PROXY) refused to connect to decart.test:${inputPort} (407 Proxy Authentication ` +
            "Required, the proxy's own answer, not the server's): it asks for credentials; HTTPS_PROXY holds none: " +
            "give them in its URL, http://user:password@host:port",
        );
      });
      expect(emu.stats().requests.total).toBe(0);
    } finally {
      refusing.closeAllConnections();
      await new Promise((done) => refusing.close(done));
    }
  });

  it("a 407 of http_proxy in front of an http API (the request sent to it whole, no CONNECT) names the proxy, not the API", async () => {
    const asked: string[] = [];
    const refusing = createHttp((req, res) => {
      asked.push(`${req.method} ${req.url}`);
      res.writeHead(407, { "Proxy-Authenticate": 'Basic realm="proxy"' }).end('{"error":"auth needed"}');
    });
    await new Promise<void>((done) => refusing.listen(0, "127.0.0.1", done));
    const origin = `http://127.0.0.1:${port(refusing)}`;
    const http = at("http");
    const target = new URL(http.DECART_BASE_URL).host;
    const said = (variable: string) =>
      `the proxy ${origin} (${variable}) refused to connect to ${target} (407 Proxy Authentication Required, ` +
      "the proxy's own answer, not the server's): it asks for credentials; ";
    try {
      // An image (the upload, a POST), its credentials in the variable: never shown.
      const image = await run(["--json", "image", "a cat", "-o", join(dir, "forward-refused.png")], {
        env: { ...http, http_proxy: origin.replace("//", "//user:pr0xy-s3cret@") },
      });
      expect(image.code, image.stderr).toBe(1);
      const [error] = events(image.stdout).filter((e) => e.type === "error");
      expect(error).toMatchObject({ code: "CONNECTION_ERROR" });
      expect(error!.message).toContain(
        `POST ${http.DECART_BASE_URL}/v1/generate/lucy-pro-t2i: ${said("http_proxy")}check the user and password in http_proxy`,
      );
      expect(error!.message).toContain("nothing was sent to the API, and it was not sent again");
      expect(error!.message).not.toContain("auth needed");
      expect(image.stdout + image.stderr).not.toContain("pr0xy-s3cret");
      expect(asked).toEqual([`POST ${http.DECART_BASE_URL}/v1/generate/lucy-pro-t2i`]);

      // A status read (a GET), without credentials: says to give them.
      const read = await run(["jobs", "status", "job_x"], { env: { ...http, http_proxy: origin } });
      expect(read.code).toBe(1);
      expect(read.stderr).toContain(`${said("http_proxy")}http_proxy holds none: give them in its URL`);
      expect(emu.stats().requests.total).toBe(0);
    } finally {
      refusing.closeAllConnections();
      await new Promise((done) => refusing.close(done));
    }
  });

  it("a 403, 502, 503 or 504 of http_proxy with a page of its own (no JSON error of the API's) names the proxy as its likely source", async () => {
    // What the proxy answers a status read is told by the job id read, `<status>-<kind>[-<coding>]`: the runs go at
    // once, a few at a time. Kinds: `page` (its own HTML page), `text` (its own text), `detail` or `error` (the API's
    // JSON error under that key, passed on); a coding, an index of ENCODED, compresses the proxy's own answer. An image
    // request (a POST, no id) gets the proxy's page of `posted`.
    const codings = Object.keys(ENCODED) as (keyof typeof ENCODED)[];
    let posted = 403;
    const answering = createHttp((req, res) => {
      req.resume();
      const [status, kind, index] =
        req.method === "POST" ? [posted, "page"] : decodeURIComponent(req.url!.split("/").at(-1)!).split("-");
      const code = Number(status);
      const coding = index === undefined ? undefined : codings[Number(index)]!;
      const text = kind === "text";
      // The proxy's own answer compressed whatever the request asked (the client asks for identity).
      if (coding)
        res
          .writeHead(code, {
            "content-type": text ? "text/plain" : "text/html",
            "content-encoding": coding === "deflate raw" ? "deflate" : coding,
          })
          .end(
            ENCODED[coding](
              text ? `Proxy overloaded (${coding})\n` : `<html><title>Blocked (${code}, ${coding})</title></html>`,
            ),
          );
      else if (kind === "detail" || kind === "error")
        res
          .writeHead(code, { "content-type": "application/json", "x-request-id": "req_api" })
          .end(JSON.stringify({ [kind]: "Upstream model unavailable" }));
      else if (text) res.writeHead(code, { "content-type": "text/plain" }).end("Proxy overloaded\n");
      else res.writeHead(code, { "content-type": "text/html" }).end(`<html><title>Blocked (${code})</title></html>`);
    });
    await new Promise<void>((done) => answering.listen(0, "127.0.0.1", done));
    const origin = `http://127.0.0.1:${port(answering)}`;
    const http = { ...at("http"), http_proxy: origin };
    const target = new URL(http.DECART_BASE_URL).host;
    const likely = `likely an answer of the proxy ${origin} (http_proxy) itself (or of a gateway on the way), not of the API: `;
    const direct = ", or name that host in no_proxy (or NO_PROXY) if the API is reached directly";
    // Each 5xx read is tried again after a backoff (up to 1.5 s of waits a run, some twenty runs): those waits pass at
    // once, the tries and what they end in the same.
    const failed = async (args: string[]) => {
      const r = await run(["--json", ...args], { env: { ...http, ...fastRetries(dir) } });
      const [error] = events(r.stdout).filter((e) => e.type === "error");
      return { ...r, error: error! };
    };
    /** The status read of each job id (a few at a time, see `inGroups`), by id. */
    const read = async (ids: string[]) =>
      Object.fromEntries((await inGroups(ids, (id) => failed(["jobs", "status", id]))).map((r, n) => [ids[n]!, r]));
    try {
      // A 403 to an image request (a POST): the proxy's refusal, not the key's (exit 1, not 4).
      const image = await failed(["image", "a cat", "-o", join(dir, "proxy-page.png")]);
      expect(image.code, image.stderr).toBe(1);
      expect(image.error).toMatchObject({ code: "PERMISSION_DENIED", exit_code: 1 });
      expect(image.error.message).toBe(
        `Blocked (403) (an HTML page, not the API's answer) (HTTP 403); with no JSON error of the API's: ${likely}` +
          `check that the proxy lets ${target} through${direct}`,
      );
      // A 502 to an image request (its outcome unknown all the same: the proxy may have sent it on).
      posted = 502;
      const made = await failed(["image", "a cat", "-o", join(dir, "proxy-page.png")]);
      expect(made.error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", exit_code: 1 });
      expect(made.error.message).toContain(`(HTTP 502); with no JSON error of the API's: ${likely}`);
      expect(made.error.message).toContain("; the server may have taken the request");

      const reads = await read([
        // A 502, 503 or 504 page to a status read.
        ...[502, 503, 504].map((code) => `${code}-page`),
        // The API's own JSON error through the same proxy, `{"detail": …}` or `{"error": …}` (the reference's shape,
        // which the client reads too).
        ...["detail", "error"].flatMap((key) => [403, 502].map((code) => `${code}-${key}`)),
        // A proxy's answer in text (neither the API's JSON error nor a page).
        "503-text",
        // Either sent compressed (gzip, deflate zlib-wrapped or raw, br, a list of them).
        ...codings.flatMap((_, n) => [`503-text-${n}`, `403-page-${n}`]),
      ]);
      for (const code of [502, 503, 504]) {
        const r = reads[`${code}-page`]!;
        expect(r.code, r.stderr).toBe(1);
        expect(r.error.message).toContain(
          `(HTTP ${code}); with no JSON error of the API's: ${likely}the proxy could not reach ${target} or get its ` +
            `answer in time: check the proxy, or try again later${direct}`,
        );
      }
      // The API's JSON error: the API's, as it was.
      for (const key of ["detail", "error"])
        for (const code of [403, 502]) {
          const r = reads[`${code}-${key}`]!;
          // (A 403 of the API's is the key's: it names where the key came from, as a 401 does.)
          expect(r.error.message, r.stderr).toBe(
            `Upstream model unavailable (HTTP ${code}, request req_api)${code === 403 ? KEY_WORDS : ""}`,
          );
          expect(r.code).toBe(code === 403 ? 4 : 1);
        }
      // The text: the proxy's.
      expect(reads["503-text"]!.error.message).toContain(
        `Proxy overloaded (HTTP 503); with no JSON error of the API's: ${likely}`,
      );
      // Compressed, the client decodes it, and so does the CLI to judge it (the list read by @decart/core/node's
      // contentCodings, as the client reads it).
      const judged = Object.fromEntries(
        codings.map((name, n) => [
          name,
          [`503-text-${n}`, `403-page-${n}`].map((id) => {
            const r = reads[id]!;
            return [r.code, r.error?.message.split(" itself ")[0]];
          }),
        ]),
      );
      const proxy = `with no JSON error of the API's: likely an answer of the proxy ${origin} (http_proxy)`;
      expect(judged).toEqual(
        Object.fromEntries(
          codings.map((name) => [
            name,
            [
              [1, `Proxy overloaded (${name}) (HTTP 503); ${proxy}`],
              [1, `Blocked (403, ${name}) (an HTML page, not the API's answer) (HTTP 403); ${proxy}`],
            ],
          ]),
        ),
      );
      expect(emu.stats().requests.total).toBe(0);
    } finally {
      answering.closeAllConnections();
      await new Promise((done) => answering.close(done));
    }
  });

  it("each answer is judged by itself: at -c 2, the API's JSON 403 and a proxy's page 403 keep their own words", async () => {
    // Line "api" gets the API's JSON error (no x-request-id: the reference documents none), line "page" the proxy's
    // page, its last bytes sent once the API's answer is written: both of status 403, in flight together.
    let page: ServerResponse | undefined;
    const waiting: (() => void)[] = [];
    const answering = createHttp((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (Buffer.concat(chunks).includes("alpha"))
          waiting.push(() =>
            res
              .writeHead(403, { "content-type": "application/json" })
              .end('{"detail":"This key may not use lucy-pro-t2i"}', () => page!.end("</html>")),
          );
        else {
          page = res;
          res.writeHead(403, { "content-type": "text/html" }).write("<html><title>Access denied (squid)</title>");
        }
        if (waiting.length && page) waiting.shift()!();
      });
    });
    await new Promise<void>((done) => answering.listen(0, "127.0.0.1", done));
    const input = join(dir, "swap.jsonl");
    const out = join(dir, "swap-out");
    writeFileSync(
      input,
      '{"custom_id":"api","model":"lucy-pro-t2i","prompt":"alpha"}\n{"custom_id":"page","model":"lucy-pro-t2i","prompt":"beta"}\n',
    );
    try {
      const r = await run(["--json", "batch", input, "--out", out, "-c", "2", "--journal", join(dir, "swap-journal")], {
        env: at("http", { http_proxy: `http://127.0.0.1:${port(answering)}` }),
      });
      const lines = readFileSync(join(out, "results.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { custom_id: string; error: string });
      const said = Object.fromEntries(lines.map((l) => [l.custom_id, l.error]));
      expect(said.api, r.stderr).toBe(`This key may not use lucy-pro-t2i (HTTP 403)${KEY_WORDS}`);
      expect(said.page).toMatch(
        /^Access denied \(squid\) \(an HTML page, not the API's answer\) \(HTTP 403\); with no JSON error of the API's: likely an answer of the proxy /,
      );
    } finally {
      answering.closeAllConnections();
      await new Promise((done) => answering.close(done));
    }
  });

  it("a page from inside a CONNECT tunnel (the origin's edge, over TLS) is not said to be the proxy's", async () => {
    const edge = createHttps({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(certFile) }, (req, res) => {
      req.resume();
      res.writeHead(403, { "content-type": "text/html" }).end("<html><title>Attention Required!</title></html>");
    });
    await new Promise<void>((done) => edge.listen(0, "127.0.0.1", done));
    try {
      const r = await run(["--json", "jobs", "status", "job_x"], {
        env: {
          ...env,
          DECART_BASE_URL: `https://decart.test:${port(edge)}`,
          HTTPS_PROXY: proxyUrl,
          NODE_EXTRA_CA_CERTS: certFile,
        },
      });
      const [error] = events(r.stdout).filter((e) => e.type === "error");
      expect(seen).toEqual([`CONNECT decart.test:${port(edge)}`]);
      // (Nor does it name the key: the page is not the API's answer.)
      expect(error!.message).toBe("Attention Required! (an HTML page, not the API's answer) (HTTP 403)");
    } finally {
      edge.closeAllConnections();
      await new Promise((done) => edge.close(done));
    }
  });

  it("a page from inside a CONNECT tunnel is not said to be the proxy's after the proxy's own page to an earlier request", async () => {
    // One status read: its first try forwarded (an http URL) and answered by the proxy's own page (503, tried again),
    // the next ones redirected to an https URL, reached through a CONNECT tunnel, where the origin's edge answers a
    // page of its own with the same status (503, tried again until the tries run out): that one is the origin's,
    // whatever the proxy answered before.
    const edge = createHttps({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(certFile) }, (req, res) => {
      req.resume();
      res
        .writeHead(503, { "content-type": "text/html", "retry-after": "0" })
        .end("<html><title>Attention Required!</title></html>");
    });
    await new Promise<void>((done) => edge.listen(0, "127.0.0.1", done));
    const answering = createHttp((req, res) => {
      req.resume();
      seen.push(`${req.method} ${req.url}`);
      if (seen.length === 1)
        res
          .writeHead(503, { "content-type": "text/html", "retry-after": "0" })
          .end("<html><title>Unavailable (squid)</title></html>");
      else res.writeHead(308, { location: `https://decart.test:${port(edge)}${new URL(req.url!).pathname}` }).end();
    });
    answering.on("connect", tunnel);
    await new Promise<void>((done) => answering.listen(0, "127.0.0.1", done));
    const origin = `http://127.0.0.1:${port(answering)}`;
    try {
      const r = await run(["--json", "jobs", "status", "job_x"], {
        env: at("http", { http_proxy: origin, HTTPS_PROXY: origin, NODE_EXTRA_CA_CERTS: certFile }),
      });
      const [error] = events(r.stdout).filter((e) => e.type === "error");
      const read = `GET ${at("http").DECART_BASE_URL}/v1/jobs/job_x`;
      const connect = `CONNECT decart.test:${port(edge)}`;
      expect(seen, r.stderr).toEqual([read, read, connect, read, connect]);
      expect(error!.message).toBe(
        `Attention Required! (an HTML page, not the API's answer) (HTTP 503); redirected to https://decart.test:${port(edge)}, ` +
          "the key withheld from another origin: set baseUrl to it if the API is there",
      );
      expect(r.code).toBe(1);
    } finally {
      // (A tunnel's socket is no longer its server's to close.)
      for (const socket of tunnels) socket.destroy();
      for (const server of [edge, answering]) {
        server.closeAllConnections();
        await new Promise((done) => server.close(done));
      }
    }
  });

  it("each line of a batch is judged by its own answers: a page from inside a tunnel while another line gets the proxy's page", async () => {
    // Line "edge": its image request answered 303 by a server behind the proxy, leading to an https URL, where the
    // origin's edge (through a CONNECT tunnel) answers a page of its own (403); line "page": the proxy's own page (403),
    // whose answer comes once the edge's page has begun and before it ends.
    let page: ServerResponse | undefined;
    let held: (() => void) | undefined;
    const edge = createHttps({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(certFile) }, (req, res) => {
      req.resume();
      res.writeHead(403, { "content-type": "text/html" }).write("<html><title>Attention Required!</title>");
      held = () => page!.end("<html><title>Access denied (squid)</title></html>", () => res.end("</html>"));
      if (page) held();
    });
    await new Promise<void>((done) => edge.listen(0, "127.0.0.1", done));
    const answering = createHttp((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (Buffer.concat(chunks).includes("alpha"))
          res.writeHead(303, { location: `https://decart.test:${port(edge)}/v1/answers/1` }).end();
        else {
          page = res;
          res.writeHead(403, { "content-type": "text/html" });
          held?.();
        }
      });
    });
    answering.on("connect", tunnel);
    await new Promise<void>((done) => answering.listen(0, "127.0.0.1", done));
    const origin = `http://127.0.0.1:${port(answering)}`;
    const input = join(dir, "apart.jsonl");
    const out = join(dir, "apart-out");
    writeFileSync(
      input,
      '{"custom_id":"edge","model":"lucy-pro-t2i","prompt":"alpha"}\n{"custom_id":"page","model":"lucy-pro-t2i","prompt":"beta"}\n',
    );
    try {
      const r = await run(
        ["--json", "batch", input, "--out", out, "-c", "2", "--journal", join(dir, "apart-journal")],
        {
          env: at("http", { http_proxy: origin, HTTPS_PROXY: origin, NODE_EXTRA_CA_CERTS: certFile }),
        },
      );
      const lines = readFileSync(join(out, "results.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { custom_id: string; error: string });
      const said = Object.fromEntries(lines.map((l) => [l.custom_id, l.error]));
      expect(said.page, r.stderr).toMatch(
        /^Access denied \(squid\) \(an HTML page, not the API's answer\) \(HTTP 403\); with no JSON error of the API's: likely an answer of the proxy /,
      );
      expect(said.edge).toMatch(/^Attention Required! \(an HTML page, not the API's answer\) \(HTTP 403\)/);
      expect(said.edge).not.toContain("likely an answer of the proxy");
    } finally {
      for (const socket of tunnels) socket.destroy();
      for (const server of [edge, answering]) {
        server.closeAllConnections();
        await new Promise((done) => server.close(done));
      }
    }
  });

  it("a watch whose last status read was a proxy's page names the proxy after that request's words", async () => {
    const answering = createHttp((req, res) => {
      req.resume();
      res.writeHead(503, { "content-type": "text/html" }).end("<html><title>Unavailable (squid)</title></html>");
    });
    await new Promise<void>((done) => answering.listen(0, "127.0.0.1", done));
    const origin = `http://127.0.0.1:${port(answering)}`;
    try {
      const r = await run(["--json", "jobs", "wait", "job_abc", "--timeout", "1", "-o", join(dir, "wait.mp4")], {
        env: at("http", { http_proxy: origin }),
      });
      const [error] = events(r.stdout).filter((e) => e.type === "error");
      expect(error, r.stderr).toMatchObject({ code: "JOB_TIMEOUT" });
      expect(error!.message).toContain(
        "the last request failed: Unavailable (squid) (an HTML page, not the API's answer) (HTTP 503); with no JSON " +
          `error of the API's: likely an answer of the proxy ${origin} (http_proxy) itself`,
      );
    } finally {
      answering.closeAllConnections();
      await new Promise((done) => answering.close(done));
    }
  });

  it("a proxy that cannot be reached is named in the error with its variable to check, on either transport", async () => {
    // A port nothing listens on: the one a server just left.
    const gone = createHttp();
    await new Promise<void>((done) => gone.listen(0, "127.0.0.1", done));
    const origin = `http://127.0.0.1:${port(gone)}`;
    await new Promise((done) => gone.close(done));
    const unreached = (name: string) =>
      `the proxy ${origin} (${name}) could not be reached (ECONNREFUSED): check the value of ${name} (the proxy's host and port), or unset it to connect directly`;

    // (The tries of each run wait no backoff: see fastRetries.)
    const read = await run(["--json", "jobs", "status", "job_x"], {
      env: at("http", { http_proxy: origin.replace("//", "//user:pr0xy-s3cret@"), ...fastRetries(dir) }),
    });
    expect(read.code).toBe(1);
    const [error] = events(read.stdout).filter((e) => e.type === "error");
    expect(error!.code).toBe("CONNECTION_REFUSED");
    expect(error!.message).toContain(unreached("http_proxy"));
    expect(read.stdout + read.stderr).not.toContain("pr0xy-s3cret");

    await withInput(async (inputPort) => {
      const input = `http://decart.test:${inputPort}/in.mp4`;
      const r = await run(["video", "Snow", "-m", "lucy-clip", `data=${input}`, "-o", join(dir, "unreached.mp4")], {
        env: { ...env, http_proxy: origin, NO_PROXY: "127.0.0.1", ...fastRetries(dir) },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`(ECONNREFUSED): ${unreached("http_proxy")}; nothing was sent to the API`);
    });
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a proxy that is no http(s) URL is a usage error naming its variable (never its value), nothing sent", async () => {
    const r = await run(["--json", "image", "a cat", "-o", join(dir, "socks.png")], {
      env: at("http", { HTTPS_PROXY: "socks5://user:s3cret@127.0.0.1:1080" }),
    });
    expect(r.code).toBe(2);
    const [error] = events(r.stdout).filter((e) => e.type === "error");
    expect(error!.message).toMatch(/^HTTPS_PROXY must be the URL of an HTTP proxy, such as http:\/\/proxy/);
    expect(r.stdout + r.stderr).not.toContain("s3cret");
    expect(seen).toEqual([]);
    expect(emu.stats().requests.total).toBe(0);
  });

  it("ALL_PROXY (or all_proxy) is the proxy of a scheme whose own variable is not set, as curl reads it; a socks one is refused", async () => {
    const all = proxiesOf({ ALL_PROXY: "http://all:1" })!;
    expect([all.http!.hostname, all.https!.hostname]).toEqual(["all", "all"]);
    expect(all.names).toEqual({ http: "ALL_PROXY", https: "ALL_PROXY" });
    // A scheme's own variable first; the lower-case name first; an empty one is unset.
    const mixed = proxiesOf({ all_proxy: "http://lower:1", ALL_PROXY: "http://upper:1", HTTPS_PROXY: "http://s:1" })!;
    expect([mixed.http!.hostname, mixed.https!.hostname]).toEqual(["lower", "s"]);
    expect(mixed.names).toEqual({ http: "all_proxy", https: "HTTPS_PROXY" });
    expect(proxiesOf({ all_proxy: "", ALL_PROXY: "http://upper:1" })!.http!.hostname).toBe("upper");

    // Every request of the command through it.
    const image = join(dir, "all.png");
    const i = await run(["image", "a cat", "-o", image], { env: at("http", { ALL_PROXY: proxyUrl }) });
    expect(i.code, i.stderr).toBe(0);
    expect(seen).toEqual([`POST ${at("http").DECART_BASE_URL}/v1/generate/lucy-pro-t2i`]);

    // A socks proxy (which the CLI cannot speak) is refused, naming the variable, before anything is sent: ignored,
    // the requests went directly.
    seen = [];
    emu.resetStats();
    const r = await run(["--json", "image", "a cat", "-o", join(dir, "socks-all.png")], {
      env: { ...env, all_proxy: "socks5://user:s3cret@127.0.0.1:1080" },
    });
    expect(r.code).toBe(2);
    const [error] = events(r.stdout).filter((e) => e.type === "error");
    expect(error!.message).toMatch(
      /^all_proxy must be the URL of an HTTP proxy, such as http:\/\/proxy.*\(http:\/\/ or https:\/\/; a socks proxy is not supported\)/,
    );
    expect(r.stdout + r.stderr).not.toContain("s3cret");
    expect(emu.stats().requests.total).toBe(0);
  });

  it("a socks ALL_PROXY is refused only at a request that would go through it: a slot no request uses is no error", async () => {
    const socks = "socks5h://user:s3cret@127.0.0.1:1080";
    // The https API through HTTPS_PROXY: the http slot ALL_PROXY fills is not used.
    const image = join(dir, "socks-unused.png");
    const i = await run(["image", "a cat", "-o", image], {
      env: at("https", { NODE_EXTRA_CA_CERTS: certFile, HTTPS_PROXY: proxyUrl, ALL_PROXY: socks }),
    });
    expect(i.code, i.stderr).toBe(0);
    expect(existsSync(image)).toBe(true);
    expect(seen).toEqual([`CONNECT decart.test:${port(front)}`]);

    // A file input over http, which the socks ALL_PROXY would carry: refused, naming it, before anything is sent.
    seen = [];
    emu.resetStats();
    await withInput(async (inputPort) => {
      const input = `http://decart.test:${inputPort}/in.mp4`;
      const r = await run(["--json", "video", "Snow", "-m", "lucy-clip", `data=${input}`, "-o", join(dir, "s.mp4")], {
        env: at("https", { NODE_EXTRA_CA_CERTS: certFile, HTTPS_PROXY: proxyUrl, ALL_PROXY: socks }),
      });
      expect(r.code, r.stderr).toBe(2);
      const [error] = events(r.stdout).filter((e) => e.type === "error");
      expect(error!.message).toMatch(
        /^ALL_PROXY must be the URL of an HTTP proxy, such as http:\/\/proxy.*\(http:\/\/ or https:\/\/; a socks proxy is not supported\)/,
      );
      expect(r.stdout + r.stderr).not.toContain("s3cret");
    });
    expect(seen).toEqual([]);
    expect(emu.stats().requests.total).toBe(0);
  });

  it("NO_PROXY follows curl's rules", () => {
    const { bypass } = proxiesOf({
      https_proxy: "proxy.corp:3128",
      NO_PROXY: "example.com, .corp.internal *.dev.lan,10.0.0.0/8 [fd00::1] cdn.example:8443",
    })!;
    expect(proxiesOf({ HTTPS_PROXY: "proxy.corp:3128" })!.https!.href).toBe("http://proxy.corp:3128/");
    for (const host of ["example.com", "api.example.com", "EXAMPLE.COM.", "corp.internal", "a.corp.internal"])
      expect([host, bypass(host, 443)]).toEqual([host, true]);
    for (const host of ["10.1.2.3", "[fd00::1]", "fd00::1"]) expect([host, bypass(host, 443)]).toEqual([host, true]);
    // `*.dev.lan` is compared as written, as curl compares it (its only wildcard is `*` as the whole value): no host.
    for (const host of ["x.dev.lan", "dev.lan", "a.b.dev.lan"])
      expect([host, bypass(host, 443)]).toEqual([host, false]);
    expect(bypass("cdn.example", 8443)).toBe(true);
    for (const host of ["notexample.com", "example.com.evil", "11.0.0.1", "fd00::2", "internal"])
      expect([host, bypass(host, 443)]).toEqual([host, false]);
    expect(bypass("cdn.example", 443)).toBe(false);
    expect(proxiesOf({ NO_PROXY: "*" })).toBeUndefined();
    expect(proxiesOf({ http_proxy: "http://p:1", no_proxy: " * " })!.bypass("anything", 80)).toBe(true);
    // `*` names every host only as the whole value: in a list it names none (it bypassed every host).
    const listed = proxiesOf({ http_proxy: "http://p:1", no_proxy: "localhost,*" })!;
    expect(listed.bypass("localhost", 80)).toBe(true);
    expect(listed.bypass("api.decart.ai", 80)).toBe(false);
    // An IP address is matched against addresses and ranges only, never by a name's suffix (0.1 named 10.0.0.1).
    const ips = proxiesOf({ http_proxy: "http://p:1", no_proxy: "0.1,1,10.0.0.2" })!;
    for (const host of ["10.0.0.1", "192.168.0.1"]) expect([host, ips.bypass(host, 80)]).toEqual([host, false]);
    expect(ips.bypass("10.0.0.2", 80)).toBe(true);
    // The lower-case name first; an empty one is unset. HTTP_PROXY is never read (as curl: a CGI process is given it
    // by a request's Proxy: header), HTTPS_PROXY and NO_PROXY are.
    expect(proxiesOf({ http_proxy: "http://lower:1", HTTP_PROXY: "http://upper:1" })!.http!.hostname).toBe("lower");
    expect(proxiesOf({ HTTP_PROXY: "http://upper:1" })).toBeUndefined();
    expect(proxiesOf({ http_proxy: "", HTTP_PROXY: "http://upper:1" })).toBeUndefined();
    expect(proxiesOf({ https_proxy: "", HTTPS_PROXY: "http://upper:1" })!.https!.hostname).toBe("upper");
  });
});

describe("a certificate of a private CA", () => {
  it("the error of an untrusted certificate names NODE_EXTRA_CA_CERTS, for an upload and for a status read", async () => {
    const url = `https://127.0.0.1:${port(selfSigned)}`;
    const image = await run(["image", "a cat", "-o", join(dir, "untrusted.png")], {
      env: { ...env, DECART_BASE_URL: url },
    });
    expect(image.code).toBe(1);
    expect(image.stderr).toMatch(/certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(image.stderr).toContain("set NODE_EXTRA_CA_CERTS to the path of that CA's certificate (a PEM file)");
    const status = await run(["--json", "jobs", "status", "job_x"], { env: { ...env, DECART_BASE_URL: url } });
    expect(status.code).toBe(1);
    const [error] = events(status.stdout).filter((e) => e.type === "error");
    expect(error!.message).toMatch(/certificate (is )?not trusted.*; not sent.*NODE_EXTRA_CA_CERTS/);
    // Trusted by it, the same server is reached.
    const trusted = await run(["jobs", "status", "job_x"], {
      env: { ...env, DECART_BASE_URL: url, NODE_EXTRA_CA_CERTS: certFile },
    });
    expect(trusted.stderr).not.toContain("certificate");
  });
});
