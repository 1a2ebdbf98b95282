/**
 * What sends the CLI's requests through a proxy: an agent for node:http and a dispatcher for Node's fetch, by proxy.ts's
 * rule. Loaded only when the environment sets a proxy (undici alone takes some tenths of a second to load).
 */
import { type ClientRequest, type Agent as HttpAgent, globalAgent as httpAgent } from "node:http";
import { globalAgent as httpsAgent } from "node:https";
import { Agent, type AgentConnectOpts } from "agent-base";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { Dispatcher, getGlobalDispatcher, ProxyAgent, setGlobalDispatcher } from "undici";
import { type Proxies, proxyFor } from "./proxy.js";

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
      agent = secure
        ? new HttpsProxyAgent(url, { keepAlive: true, headers })
        : new HttpProxyAgent(url, { keepAlive: true, headers });
      this.#agents.set(key, agent);
    }
    return agent;
  }
  addRequest(req: ClientRequest, options: AgentConnectOpts): void {
    const secureEndpoint = this.isSecureEndpoint(options);
    const port = Number(options.port) || (secureEndpoint ? 443 : 80);
    (this.#agentFor(secureEndpoint, options.host, port) as unknown as Routed).addRequest(req, {
      ...options,
      secureEndpoint,
    });
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
    const url = new URL(String(options.origin));
    const secure = url.protocol === "https:";
    const proxy = current && proxyFor(current, secure, url.hostname, Number(url.port) || (secure ? 443 : 80));
    if (!proxy) return this.direct.dispatch(options, handler);
    let agent = this.#proxied.get(proxy.href);
    if (!agent) {
      const { url, headers } = credentialsOf(proxy);
      agent = new ProxyAgent({ uri: url.href, proxyTunnel: false, token: headers["Proxy-Authorization"] });
      this.#proxied.set(proxy.href, agent);
    }
    return agent.dispatch(options, handler);
  }
  override async close(): Promise<void> {
    await Promise.all([this.direct, ...this.#proxied.values()].map((d) => d.close()));
  }
  override async destroy(): Promise<void> {
    await Promise.all([this.direct, ...this.#proxied.values()].map((d) => d.destroy()));
  }
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
