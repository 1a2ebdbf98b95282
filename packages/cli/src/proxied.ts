/**
 * What sends the CLI's requests through a proxy: an agent for node:http and a dispatcher for Node's fetch, by
 * proxy.ts's rule. Loaded only when the environment sets a proxy (undici alone takes some tenths of a second to load).
 */
import { type ClientRequest, type Agent as HttpAgent, globalAgent as httpAgent, type IncomingMessage } from "node:http";
import { globalAgent as httpsAgent } from "node:https";
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { ConnectionError } from "@decart/core";
import { contentCodings, proxyRefused, proxyStatus } from "@decart/core/node";
import { Agent, type AgentConnectOpts } from "agent-base";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { type buildConnector, Dispatcher, getGlobalDispatcher, Pool, ProxyAgent, setGlobalDispatcher } from "undici";
import {
  type Answers,
  answerSlot,
  certificateRefused,
  type Forwarded,
  noteFetchTrouble,
  PROXY_STATUSES,
  type Proxies,
  proxyFor,
  proxyMayHaveAnswered,
  proxyTrouble,
} from "./proxy.js";

/**
 * A proxy as the CLI was given it (credentials too: the failures say whether it had any) and the variable it came from.
 */
interface Named {
  proxy: URL;
  name: string;
}

/**
 * A proxy agent's `connect` (`connect`), whose failures are the proxy's and say so: a proxy not reached (its connection
 * refused, its name not resolved …) or a tunnel it refused (a `CONNECT` answered other than 200: 407, 403, 502 …,
 * which https-proxy-agent hands to the request as if the API had answered it) fails the request with a
 * `ConnectionError` naming the proxy (`proxyTrouble`). Nothing was sent to the API either way; a refusal (a 4xx but 408
 * and 429) is not sent again: another attempt would be refused the same.
 */
async function connected<Socket extends Duplex>(
  { proxy, name }: Named,
  req: ClientRequest,
  opts: AgentConnectOpts,
  connect: () => Promise<Socket>,
): Promise<Socket> {
  const host = opts.host?.includes(":") ? `[${opts.host}]` : opts.host;
  // The request as the client's own errors name it: its method and URL (without a query or fragment).
  const url = new URL(req.path, `${opts.secureEndpoint ? "https" : "http"}://${host}:${opts.port}`);
  const where = `${req.method} ${url.origin}${url.pathname}`;
  let status: number | undefined;
  const answered = (answer: { statusCode?: number }) => {
    status = answer.statusCode;
  };
  req.on("proxyConnect", answered);
  let socket: Socket;
  try {
    socket = await connect();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    // A certificate of an https:// proxy refused fails the same each time: not sent again. (Its error is not the
    // cause: the CLI's message of a certificate refused would name the API's, where this one names the proxy's.)
    const certificate = certificateRefused(code);
    throw new ConnectionError(
      `${where}: ${proxyTrouble(proxy, name, `${host}:${opts.port}`, undefined, code)}; nothing was sent to the API` +
        (certificate ? ", and it was not sent again: another attempt would fail the same" : ""),
      {
        code: code === "ECONNREFUSED" ? "CONNECTION_REFUSED" : "CONNECTION_ERROR",
        retryable: !certificate,
        cause: certificate ? undefined : e,
      },
    );
  } finally {
    req.off("proxyConnect", answered);
  }
  if (status === undefined || status === 200) return socket;
  socket.destroy();
  // The client's error of a tunnel refused (its rule of what is tried again), in words that name the proxy.
  const error = proxyRefused(where, undefined, undefined, status)!;
  error.message =
    `${where}: ${proxyTrouble(proxy, name, `${host}:${opts.port}`, status)}; nothing was sent to the API` +
    (error.retryable ? "" : ", and it was not sent again: another attempt would be refused the same");
  throw error;
}

/** https-proxy-agent's agent (a `CONNECT` tunnel), whose failures are the proxy's (see `connected`). */
class Tunnel extends HttpsProxyAgent<string> {
  constructor(
    readonly named: Named,
    ...args: ConstructorParameters<typeof HttpsProxyAgent<string>>
  ) {
    super(...args);
  }
  override connect(req: ClientRequest, opts: AgentConnectOpts) {
    return connected(this.named, req, opts, () => super.connect(req, opts));
  }
}

/**
 * http-proxy-agent's agent (the request with its whole URL), whose failures to reach the proxy say so (see
 * `connected`).
 */
class Forward extends HttpProxyAgent<string> {
  constructor(
    readonly named: Named,
    ...args: ConstructorParameters<typeof HttpProxyAgent<string>>
  ) {
    super(...args);
  }
  override connect(req: Parameters<HttpProxyAgent<string>["connect"]>[0], opts: AgentConnectOpts) {
    return connected(this.named, req, opts, () => super.connect(req, opts));
  }
}

/**
 * A request that `Forward` sends to the proxy with its whole URL (an http one), whose 407 is the proxy's own answer (a
 * proxy asks for its credentials with it; a server behind the proxy does not), which Node would hand to the request
 * as the API's: the request fails instead with a `ConnectionError` naming the proxy and what to check, as a CONNECT it
 * refused does (see `connected`). The proxy forwarded nothing; not sent again: another attempt would be refused the
 * same.
 */
function forwarded({ proxy, name }: Named, req: ClientRequest, opts: AgentConnectOpts): void {
  const host = opts.host?.includes(":") ? `[${opts.host}]` : opts.host;
  const url = new URL(req.path, `http://${host}:${opts.port}`);
  const emit = req.emit;
  req.emit = function (this: ClientRequest, event: string | symbol, ...args: unknown[]) {
    const answer = args[0] as IncomingMessage;
    if (event !== "response" || answer.statusCode !== 407) return emit.call(this, event, ...args);
    answer.resume();
    req.destroy(
      new ConnectionError(
        `${req.method} ${url.origin}${url.pathname}: ${proxyTrouble(proxy, name, url.host, 407)}; nothing was sent ` +
          "to the API, and it was not sent again: another attempt would be refused the same",
        { code: "CONNECTION_ERROR", retryable: false },
      ),
    );
    return true;
  } as ClientRequest["emit"];
}

/** The most bytes of an answer's body read to tell whether it is the API's JSON error (see `answerWatched`). */
const MAX_WATCHED_BYTES = 65_536;

/** Each decoded within `MAX_WATCHED_BYTES` (past it, a throw). */
const bounded = { maxOutputLength: MAX_WATCHED_BYTES };

/**
 * The decoders of the content codings that the client decodes (as fetch does): a proxy's own answer may come
 * compressed although the client asks for none. A deflate body is zlib-wrapped as HTTP says (the low bits of its first
 * byte name the method, 8), else raw deflate, as some servers send it.
 */
const DECODED: Record<string, (bytes: Buffer) => Buffer> = {
  gzip: (bytes) => gunzipSync(bytes, bounded),
  "x-gzip": (bytes) => gunzipSync(bytes, bounded),
  deflate: (bytes) => ((bytes[0]! & 0x0f) === 8 ? inflateSync : inflateRawSync)(bytes, bounded),
  br: (bytes) => brotliDecompressSync(bytes, bounded),
};

/**
 * Watches the answer to a request of the work under way (see `answerSlot`), noting it there as it comes: one of
 * `PROXY_STATUSES` to a request for an http URL that the proxy `forwarder` forwarded to `target` (`host:port`) as
 * `Forwarded`, with its body's text when that is neither JSON with `detail` or `error` (the client's test of the API's
 * error) nor an HTML page (which the client's error names as one), for the CLI's message to name the proxy as its
 * likely source (the client reads it as the API's); any other answer (from inside a CONNECT tunnel: the origin's; or
 * to a request sent directly) as none. Its body is read alongside the client (at most `MAX_WATCHED_BYTES`, decoded as
 * the client decodes it: see `DECODED`), and noted as it ends, before the client's error is made of it.
 */
function answerWatched(req: ClientRequest, forwarder?: Named, target?: string): void {
  const slot = answerSlot();
  if (!slot) return;
  req.on("response", (res: IncomingMessage) => {
    slot.last = undefined;
    if (!forwarder || !PROXY_STATUSES.has(res.statusCode!)) return;
    const noted: Forwarded = { ...forwarder, target: target!, status: res.statusCode! };
    slot.last = noted;
    // The codings in the reverse of the order they were applied in; one the client cannot decode fails its answer.
    const codings = contentCodings(res.headers["content-encoding"]);
    if (!codings.every((coding) => Object.hasOwn(DECODED, coding))) return;
    const chunks: Buffer[] = [];
    let size = 0;
    // An encoded body is read by the client later, through its decoders: held paused until then (a listener of its
    // chunks would start them flowing, lost to the client), its chunks heard as the client reads them.
    if (codings.length) res.pause();
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_WATCHED_BYTES) chunks.push(chunk);
    });
    res.once("end", () => {
      if (size > MAX_WATCHED_BYTES) return;
      let body: Buffer = Buffer.concat(chunks);
      try {
        for (const coding of codings) body = DECODED[coding]!(body);
      } catch {
        return; // (Corrupt, cut short, or past the bound: not judged.)
      }
      const text = body.toString("utf8").trim();
      let parsed: { detail?: unknown; error?: unknown } | undefined;
      try {
        parsed = JSON.parse(text);
      } catch {}
      if ((parsed?.detail ?? parsed?.error) == null && !text.startsWith("<")) noted.text = text;
    });
  });
}

/**
 * An `http.Agent` for `nodeUpload` (uploads and result downloads over node:http): each request through the proxy that
 * `proxies` gives for its URL, a CONNECT tunnel for an https URL (`https-proxy-agent`), the request itself with its
 * whole URL for an http one (`http-proxy-agent`, as curl sends it), or directly through Node's own agents. The request
 * is handed to that agent as it is made, before its head is written (`http-proxy-agent` writes its whole URL there).
 */
class ProxiedAgent extends Agent {
  readonly #agents = new Map<string, Agent>();
  constructor(private readonly proxies: Proxies) {
    super();
  }
  #agentFor(secure: boolean, host: string | null | undefined, port: number): HttpAgent {
    const proxy = proxyFor(this.proxies, secure, host ?? "localhost", port);
    if (!proxy) return secure ? httpsAgent : httpAgent;
    const key = `${secure} ${proxy.href}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      const { url, headers } = credentialsOf(proxy);
      const named = { proxy, name: this.proxies.names[secure ? "https" : "http"]! };
      agent = secure
        ? new Tunnel(named, url.href, { keepAlive: true, headers })
        : new Forward(named, url.href, { keepAlive: true, headers });
      this.#agents.set(key, agent);
    }
    return agent;
  }
  addRequest(req: ClientRequest, options: AgentConnectOpts): void {
    const secureEndpoint = this.isSecureEndpoint(options);
    const port = Number(options.port) || (secureEndpoint ? 443 : 80);
    const agent = this.#agentFor(secureEndpoint, options.host, port);
    if (agent instanceof Forward) {
      forwarded(agent.named, req, { ...options, port, secureEndpoint });
      const host = options.host?.includes(":") ? `[${options.host}]` : options.host;
      answerWatched(req, agent.named, `${host}:${port}`);
    } else answerWatched(req);
    (agent as unknown as Routed).addRequest(req, { ...options, secureEndpoint });
  }
  connect(_req: ClientRequest, options: AgentConnectOpts): HttpAgent {
    return this.#agentFor(options.secureEndpoint, options.host, options.port);
  }
}

/**
 * A proxy's URL without its credentials, and the `Proxy-Authorization` header that carries them (Basic, a user without
 * a password too, as curl sends it), given to every agent and dispatcher alike: the agents log the URL they are given
 * (`DEBUG=*`), and undici's `ProxyAgent` sent the header only with both a user and a password, the agents with either.
 */
function credentialsOf(proxy: URL): { url: URL; headers: { "Proxy-Authorization"?: string } } {
  if (!proxy.username && !proxy.password) return { url: proxy, headers: {} };
  const url = new URL(proxy.href);
  url.username = "";
  url.password = "";
  const pair = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { url, headers: { "Proxy-Authorization": `Basic ${Buffer.from(pair).toString("base64")}` } };
}

/** An agent as a request is handed to it (`addRequest` is not in Node's types). */
type Routed = { addRequest(req: ClientRequest, options: object): void };

/**
 * The proxies of the last client made (see `proxyAgent`), which Node's `fetch` follows (see `ProxiedDispatcher`);
 * undefined: none.
 */
let current: Proxies | undefined;

/**
 * The dispatcher of Node's `fetch`, once a client was made with a proxy: each request through the proxy that `current`
 * gives for its URL (undici's `ProxyAgent`: a CONNECT tunnel for an https URL, the request with its whole URL for an
 * http one, as curl sends it), or directly, through the dispatcher it replaced. The CLI's only requests by Node's
 * `fetch` are the downloads of a file input given as a URL: the client's
 * own requests (the submit, the status reads, the result) go over node:http, by `ProxiedAgent`.
 */
class ProxiedDispatcher extends Dispatcher {
  readonly #proxied = new Map<string, ProxyAgent>();
  constructor(private readonly direct: Dispatcher) {
    super();
  }
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // The work that made the request (a command, a batch's line: see `answerSlot`), whose last download's failure is
    // noted for its message; each request clears it (a redirect's too, a direct one too).
    const slot = answerSlot();
    if (slot) slot.fetched = undefined;
    const url = new URL(String(options.origin));
    const secure = url.protocol === "https:";
    const port = Number(url.port) || (secure ? 443 : 80);
    const proxy = current && proxyFor(current, secure, url.hostname, port);
    if (!proxy) return this.direct.dispatch(options, handler);
    let agent = this.#proxied.get(proxy.href);
    if (!agent) {
      const { url, headers } = credentialsOf(proxy);
      agent = new ProxyAgent({
        uri: url.href,
        proxyTunnel: false,
        token: headers["Proxy-Authorization"],
        clientFactory: proxyClient,
      });
      this.#proxied.set(proxy.href, agent);
    }
    const named = { proxy, name: current!.names[secure ? "https" : "http"]! };
    return agent.dispatch(options, watched(handler, named, url, port, slot));
  }
  override async close(): Promise<void> {
    await Promise.all([this.direct, ...this.#proxied.values()].map((d) => d.close()));
  }
  override async destroy(): Promise<void> {
    await Promise.all([this.direct, ...this.#proxied.values()].map((d) => d.destroy()));
  }
}

/** The codes of a connection to a proxy not made: refused, a name not resolved, no route, no answer in time. */
const UNREACHED = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)$/;

/**
 * `handler`, whose error, when it is the proxy's, is noted in `slot` (`noteFetchTrouble`) for the CLI's message to name
 * the proxy: Node's fetch keeps only its code. undici's `ProxyAgent` fails a tunnel the proxy refused ("Proxy response
 * (407) !== 200 when HTTP Tunneling", an `AbortError`, which Node's fetch would take for a request cancelled and keep
 * no code of: handed on as an `Error` with its code) and a forwarded request it answered 407 ("Proxy Authentication
 * Required (407)"); every connection it makes is the proxy's, so a connection not made is the proxy not reached, and a
 * certificate refused on the way to an http URL is an `https://` proxy's.
 */
function watched(
  handler: Dispatcher.DispatchHandler,
  { proxy, name }: Named,
  url: URL,
  port: number,
  slot: Answers | undefined,
): Dispatcher.DispatchHandler {
  const secure = url.protocol === "https:";
  const target = `${url.hostname}:${port}`;
  // A certificate refused on the way to an http URL is an https:// proxy's (to an https one, the API's too may be, in
  // the tunnel); undici names a proxy's certificate for another name itself.
  const proxyCertificate = (code: string) =>
    certificateRefused(code) && proxy.protocol === "https:" && (!secure || code === "UND_ERR_PRX_TLS");
  const seen = (error: unknown): unknown => {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (typeof code !== "string") return error;
    // (A tunnel refused, as the client reads it; a forwarded request answered 407, as undici says it.)
    const status = proxyStatus(error) || (/Proxy Authentication Required \(407\)/.test(String(message)) && 407);
    if (!status && !UNREACHED.test(code) && !proxyCertificate(code)) return error;
    noteFetchTrouble(slot, code, proxyTrouble(proxy, name, target, status || undefined, code));
    return (error as Error).name === "AbortError" ? Object.assign(new Error(String(message)), { code }) : error;
  };
  // An answer of `PROXY_STATUSES`, which the proxy forwarded to a request for an http URL (from inside a tunnel: the
  // server's), noted as the answer's status (see `fetchTroubleOf`).
  const answered = (status: unknown) => {
    if (!secure && PROXY_STATUSES.has(status as number))
      noteFetchTrouble(slot, `HTTP ${status}`, proxyMayHaveAnswered(proxy, name, target, status as number));
  };
  return new Proxy(handler, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== "function") return value;
      // (undici's handler hears the status by `onHeaders`; its newer one by `onResponseStart`, after a controller.)
      if (key === "onHeaders")
        return (status: unknown, ...rest: unknown[]) => {
          answered(status);
          return value.call(target, status, ...rest);
        };
      if (key === "onResponseStart")
        return (controller: unknown, status: unknown, ...rest: unknown[]) => {
          answered(status);
          return value.call(target, controller, status, ...rest);
        };
      if (key === "onError") return (error: unknown) => value.call(target, seen(error));
      if (key === "onResponseError")
        return (controller: unknown, error: unknown) => value.call(target, controller, seen(error));
      return value.bind(target);
    },
  });
}

/**
 * The connections of undici's `ProxyAgent` to the proxy itself, without a TLS server name that is an IP address (it
 * gives the proxy's host as one: Node then warned on stderr, DEP0123, RFC 6066 allowing names only); its certificate
 * is checked against that address all the same.
 */
function proxyClient(origin: URL, options: object): Dispatcher {
  const { connect } = options as { connect: buildConnector.connector };
  return new Pool(origin, {
    ...options,
    connect: (to, callback) =>
      connect({ ...to, servername: to.servername && isIP(to.servername) ? undefined : to.servername }, callback),
  });
}

/** Whether Node's `fetch` was given a `ProxiedDispatcher`. */
let dispatching = false;

/**
 * The agent for `nodeUpload` that sends each request through `proxies` (undefined: none, Node's own agents), with
 * Node's `fetch` made to follow the same (its global dispatcher, once; the proxies of the last client made).
 */
export function proxyAgent(proxies: Proxies | undefined): Agent | undefined {
  current = proxies;
  if (!proxies) return undefined;
  if (!dispatching) {
    dispatching = true;
    setGlobalDispatcher(new ProxiedDispatcher(getGlobalDispatcher()));
  }
  return new ProxiedAgent(proxies);
}
