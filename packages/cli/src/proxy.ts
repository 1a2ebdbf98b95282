import { AsyncLocalStorage } from "node:async_hooks";
import { type Agent, STATUS_CODES } from "node:http";
import { BlockList, isIP } from "node:net";
import { CliError, EXIT } from "./exit.js";

/**
 * The proxies in effect, as curl reads them from the environment: `http_proxy` for http URLs (lower case only: a CGI
 * process is given `HTTP_PROXY` by a request's `Proxy:` header, "httpoxy"), `https_proxy` (or `HTTPS_PROXY`) for https
 * ones, and `all_proxy` (or `ALL_PROXY`) for either when its own is not set; the lower-case name first, an empty one as
 * unset; a proxy given without a scheme is an http one. `bypass`
 * tells whether a host (and port) is one of `no_proxy` (or `NO_PROXY`), reached directly. Undefined when neither proxy
 * is set.
 */
export interface Proxies {
  http?: URL | undefined;
  https?: URL | undefined;
  /** The variable each proxy was read from (`https_proxy`, `HTTPS_PROXY` …), which its failures name. */
  names: { http?: string | undefined; https?: string | undefined };
  /**
   * The scheme whose proxy would be an `ALL_PROXY` the CLI cannot speak (a socks one), its own variable not set: its
   * error, thrown at a request of that scheme that is not in NO_PROXY (see `refusedProxy`), before anything is sent.
   */
  refused: { http?: CliError | undefined; https?: CliError | undefined };
  bypass(host: string, port: number): boolean;
}

/** The first of `names` set (not empty) in `env`, with its name. */
const variable = (env: NodeJS.ProcessEnv, names: string[]): [string, string] | undefined => {
  for (const name of names) if (env[name]) return [name, env[name]!.trim()];
  return undefined;
};

/**
 * The proxy a variable gives, as a URL (an http one when it names no scheme, as curl takes it). One that is no http(s)
 * URL (a socks5:// one, text that is no URL) is a usage error naming the variable (never its value, which may hold a
 * password), before anything is sent: ignored, the CLI connected directly, which a network that requires a proxy
 * refuses. (An `ALL_PROXY` one is refused only at a request that would go through it: see `Proxies.refused`.)
 */
function proxyOf(found: [string, string] | undefined): URL | undefined {
  if (!found) return undefined;
  const [name, value] = found;
  let url: URL | undefined;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {}
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname)
    throw new CliError(
      `${name} must be the URL of an HTTP proxy, such as http://proxy.example:3128 (http:// or https://; a socks ` +
        `proxy is not supported); correct it, or unset it to connect directly (nothing was sent)`,
      EXIT.usage,
    );
  return url;
}

/** A host name as compared: lower case, without the brackets of an IPv6 address and a trailing dot. */
const bare = (host: string) =>
  host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");

/**
 * Whether `no_proxy` (or `NO_PROXY`) names a host, by curl's rules: `*` as the whole value names every host (as an
 * entry of a list, it names none); otherwise a list of names separated by commas or spaces, each naming the host
 * itself and every name under it (`example.com` and a leading `.example.com` both name `example.com` and
 * `api.example.com`), an IP address itself, or an address range (`10.0.0.0/8`, `fd00::/8`) the addresses in it. `*` is
 * no wildcard within an entry: curl compares `*.example.com` as it is written (Curl_check_noproxy strips a leading dot
 * only), so it names no host, here too.
 * A host given as an IP address is matched against addresses and ranges only (`0.1` names no `10.0.0.1`). A name may
 * end with `:port`, then naming that port only.
 */
function bypassOf(list: string | undefined): Proxies["bypass"] {
  if (list?.trim() === "*") return () => true;
  const entries = (list ?? "").split(/[\s,]+/).filter(Boolean);
  const ranges = new BlockList();
  const names: { host: string; port: number }[] = [];
  for (const entry of entries) {
    const [, address, bits] = /^\[?([^\]/]+)\]?\/(\d+)$/.exec(entry) ?? [];
    const family = address && isIP(address);
    if (family) {
      try {
        ranges.addSubnet(address, Number(bits), family === 6 ? "ipv6" : "ipv4");
      } catch {}
      continue;
    }
    // A port after a name or a bracketed IPv6 address; an IPv6 address alone holds colons of its own.
    const [, host = entry, port] = isIP(bare(entry)) ? [] : (/^(.+):(\d+)$/.exec(entry) ?? []);
    names.push({ host: bare(host).replace(/^\./, ""), port: Number(port ?? 0) });
  }
  return (hostname, port) => {
    const host = bare(hostname);
    const family = isIP(host);
    if (family && ranges.check(host, family === 6 ? "ipv6" : "ipv4")) return true;
    return names.some(
      (n) => (!n.port || n.port === port) && (host === n.host || (!family && host.endsWith(`.${n.host}`))),
    );
  };
}

/** The proxies `env` sets, checked (see `proxyOf`); undefined when it sets none. */
export function proxiesOf(env: NodeJS.ProcessEnv): Proxies | undefined {
  // ALL_PROXY, as curl reads it: the proxy of a scheme whose own variable is not set. One it gives that the CLI cannot
  // speak (a socks5:// one) is refused at a request that would go through it (ignored, that request would go
  // directly), not before: it may fill a slot no request uses (HTTPS_PROXY set, the API over https).
  const all = variable(env, ["all_proxy", "ALL_PROXY"]);
  const ownHttp = variable(env, ["http_proxy"]);
  const ownHttps = variable(env, ["https_proxy", "HTTPS_PROXY"]);
  const refused: Proxies["refused"] = {};
  const slot = (own: [string, string] | undefined, scheme: "http" | "https") => {
    if (own) return proxyOf(own);
    try {
      return proxyOf(all);
    } catch (e) {
      refused[scheme] = e as CliError;
    }
  };
  const http = slot(ownHttp, "http");
  const https = slot(ownHttps, "https");
  if (!http && !https && !refused.http && !refused.https) return undefined;
  return {
    http,
    https,
    names: { http: (ownHttp ?? all)?.[0], https: (ownHttps ?? all)?.[0] },
    refused,
    bypass: bypassOf(variable(env, ["no_proxy", "NO_PROXY"])?.[1]),
  };
}

/**
 * Throws, before anything is sent, when a request to `url` would go through an `ALL_PROXY` the CLI cannot speak (see
 * `Proxies.refused`): its scheme has no proxy of its own and it is not in NO_PROXY.
 */
export function refusedProxy(env: NodeJS.ProcessEnv, url: string): void {
  const proxies = proxiesOf(env);
  if (!proxies) return;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return; // (refused as a URL where it is used)
  }
  const secure = target.protocol === "https:";
  proxyFor(proxies, secure, target.hostname, Number(target.port) || (secure ? 443 : 80));
}

/**
 * What went wrong with the proxy `proxy` (read from the variable `name`) on the way to `target` (`host:port`), in
 * words that name it by its origin (never its credentials) and say what to check. With `status`, the proxy's own
 * answer to the CLI (a `CONNECT` refused: 407, 403, 502 …), not the API's: a 407 asks for credentials, given in the
 * variable's URL. Without one, the proxy was not reached (`code`: its connection refused, its name not resolved …):
 * the variable's value is what to check.
 */
export function proxyTrouble(proxy: URL, name: string, target: string, status?: number, code?: string): string {
  const who = `the proxy ${proxy.origin} (${name})`;
  if (status === undefined && certificateRefused(code))
    return (
      `the certificate of ${who} is not trusted (${code}): ` +
      (/^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/.test(
        code!,
      )
        ? "if a private CA issued it, set NODE_EXTRA_CA_CERTS to the path of that CA's certificate (a PEM file)"
        : `check the proxy's name in ${name} against its certificate`)
    );
  if (status === undefined)
    return (
      `${who} could not be reached${code ? ` (${code})` : ""}: check the value of ${name} (the proxy's host and ` +
      "port), or unset it to connect directly"
    );
  const answer = `${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ""}, the proxy's own answer, not the server's`;
  if (status === 407)
    return (
      `${who} refused to connect to ${target} (${answer}): it asks for credentials; ` +
      (proxy.username
        ? `check the user and password in ${name}`
        : `${name} holds none: give them in its URL, http://user:password@host:port`) +
      " (a character such as @ : / % in them written %-encoded)"
    );
  return status >= 500
    ? `${who} could not connect to ${target} (${answer}): try again later, or ask the proxy's administrators`
    : `${who} refused to connect to ${target} (${answer}): check that the proxy lets that host through, or name it ` +
        "in NO_PROXY if it is reached directly";
}

/**
 * The statuses a proxy answers of its own to a request it was given (a host it does not let through: 403; a server it
 * could not reach, or whose answer did not come in time: 502, 504; itself overloaded: 503), which the API answers too,
 * with a JSON error of its own (`{"detail": …}` or `{"error": …}`).
 */
export const PROXY_STATUSES: ReadonlySet<number> = new Set([403, 502, 503, 504]);

/**
 * What an answer of `PROXY_STATUSES` to a request through the proxy `proxy` (read from the variable `name`) for
 * `target` (`host:port`) says when its body is no JSON error of the API's: likely the proxy's own answer (or a
 * gateway's on the way), not the API's, and what to check.
 */
export function proxyAnswered(proxy: URL, name: string, target: string, status: number): string {
  return (
    `with no JSON error of the API's: likely an answer of the proxy ${proxy.origin} (${name}) itself (or of a ` +
    "gateway on the way), not of the API: " +
    (status === 403
      ? `check that the proxy lets ${target} through`
      : `the proxy could not reach ${target} or get its answer in time: check the proxy, or try again later`) +
    ", or name that host in no_proxy (or NO_PROXY) if the API is reached directly"
  );
}

/**
 * What an answer of `PROXY_STATUSES` to a download by Node's fetch (a file input given as a URL) for `target`
 * (`host:port`) that the proxy `proxy` (read from the variable `name`) forwarded says: the client keeps only its
 * status, and a file's server has no JSON error of its own to tell its answers from the proxy's, so it may be either.
 */
export const proxyMayHaveAnswered = (proxy: URL, name: string, target: string, status: number): string =>
  `an answer through the proxy ${proxy.origin} (${name}), which may be the proxy's own (or a gateway's on the way) ` +
  "rather than that server's: " +
  (status === 403
    ? `check that the proxy lets ${target} through`
    : `the proxy may not have reached ${target} or got its answer in time: check the proxy, or try again later`) +
  ", or name that host in no_proxy (or NO_PROXY) if it is reached directly";

/**
 * An answer of `PROXY_STATUSES` that the proxy `proxy` (read from the variable `name`) forwarded to a request for an
 * http URL (sent to it whole) for `target` (`host:port`), with its body's text when that was neither JSON with `detail`
 * or `error` (the client's test of the API's error) nor an HTML page (see `proxyAnswerOf`).
 */
export interface Forwarded {
  proxy: URL;
  name: string;
  target: string;
  status: number;
  text?: string | undefined;
}

/**
 * The last answer to a request of the work under way (a command, a batch's line: see `answersApart`), noted as it comes
 * (see proxied.ts): one the proxy forwarded with a status of `PROXY_STATUSES` (`Forwarded`), else undefined. An answer
 * from inside a CONNECT tunnel (a request for an https URL) is the origin's, or its edge's, never the proxy's; one to a
 * request sent directly is no proxy's either: each resets it.
 */
const answers = new AsyncLocalStorage<Answers>();

/**
 * What the requests of the work under way (see `answers`) left for its error's message: the last answer a proxy
 * forwarded (`last`), and the last download by Node's fetch that a proxy failed (`fetched`, see `noteFetchTrouble`).
 */
export interface Answers {
  last?: Forwarded | undefined;
  fetched?: { code: string; text: string } | undefined;
}

/**
 * Runs `work` with answers of its own (see `answers`): the error it ends with is judged by the last answer of its own
 * requests (see `proxyAnswerOf`), not by one that another command or line had.
 */
export const answersApart = <T>(work: () => Promise<T>): Promise<T> => answers.run({}, work);

/** Where the answer to a request made now is noted (the work's under way, see `answersApart`), if any. */
export const answerSlot = (): Answers | undefined => answers.getStore();

/**
 * For a client error made of an answer of `PROXY_STATUSES` that a proxy forwarded (the last answer of the work under
 * way: see `answers`): what `proxyAnswered` says of it when the answer itself was no JSON error of the API's: an HTML
 * page (the client's message says so), or a text noted as such. An answer from inside a CONNECT tunnel, or one sent
 * directly, is never said to be the proxy's, whatever another request's answer was.
 */
export function proxyAnswerOf(error: unknown): string | undefined {
  const { status, message } = (error ?? {}) as { status?: unknown; message?: unknown };
  const last = answers.getStore()?.last;
  if (!last || status !== last.status || typeof message !== "string") return;
  const ending = ` (HTTP ${status}`;
  const page = message.includes(` (an HTML page, not the API's answer)${ending}`);
  // The client quotes a text answer whole, up to 500 characters.
  const { text: t } = last;
  const text = !!t && message.startsWith(t.length <= 500 ? `${t}${ending}` : t.slice(0, 400));
  return page || text ? proxyAnswered(last.proxy, last.name, last.target, status) : undefined;
}

/**
 * Whether `code` is a TLS handshake's refusal of a certificate (self-signed, of an unknown CA, expired, for another
 * name; undici's `UND_ERR_PRX_TLS` for a proxy's): an `https://` proxy's, which another attempt would meet again.
 */
export const certificateRefused = (code: unknown): boolean =>
  typeof code === "string" && /CERT|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|UND_ERR_PRX_TLS/.test(code);

/**
 * Notes in `slot` (the work's that made the request: see `answers`) a failure of a proxy that Node's fetch met on a
 * request of a download (a file input given as a URL), or of one a redirect led it to: its error's code (or the
 * answer's status, as `HTTP 403`), and what it says (`proxyTrouble`, `proxyMayHaveAnswered`). Each request of the
 * work by Node's fetch clears it first (see proxied.ts), so it is always that of the work's last request.
 */
export const noteFetchTrouble = (slot: Answers | undefined, code: string, text: string): void => {
  if (slot) slot.fetched = { code, text };
};

/**
 * What a proxy's failure said of the last download by Node's fetch of the work under way (see `noteFetchTrouble`),
 * for its error, whose message is `message`: the client's message of such a failure names the URL (`from http://…`,
 * the URL given, not one a redirect led to) and ends with its error's code, as `(ECONNREFUSED)`, or with the answer's
 * status, as `HTTP 403`, and keeps nothing else of it. Kept by the work, not by the URL's origin: a redirect to another
 * host failed there is named, and a later download of the same origin that the proxy did not fail is not.
 */
export function fetchTroubleOf(message: string): string | undefined {
  const trouble = answers.getStore()?.fetched;
  // (An answer's status, noted as `HTTP 403`, ends the message bare: `…: HTTP 403`.)
  return trouble &&
    / from \S+/.test(message) &&
    (message.endsWith(`(${trouble.code})`) || message.endsWith(`: ${trouble.code}`))
    ? trouble.text
    : undefined;
}

/** The proxy of `proxies` for a request to `host` and `port` (https when `secure`), or undefined: direct. */
export function proxyFor(proxies: Proxies, secure: boolean, host: string, port: number): URL | undefined {
  if (proxies.bypass(host, port)) return undefined;
  const refused = proxies.refused[secure ? "https" : "http"];
  if (refused) throw refused;
  return secure ? proxies.https : proxies.http;
}

/**
 * The agents and dispatcher of proxied.ts, loaded (undici, the proxy agents) only when the environment sets a proxy.
 */
let routes: typeof import("./proxied.js") | undefined;

/**
 * Loads what sends requests through a proxy when `env` sets one (see `proxyAgent`), before a command runs: the client
 * is made synchronously. A proxy that is not one (see `proxiesOf`) is refused by the client's making, not here: a
 * command that sends nothing runs.
 */
export async function loadProxies(env: NodeJS.ProcessEnv): Promise<void> {
  let proxies: Proxies | undefined;
  try {
    proxies = proxiesOf(env);
  } catch {}
  if (proxies && !routes) routes = await import("./proxied.js");
}

/**
 * The agent for `nodeUpload` when `env` sets a proxy (see `proxiesOf`; undefined when none: Node's own agents), with
 * Node's `fetch` made to follow the same proxies (its global dispatcher): every request the CLI sends follows one rule,
 * curl's. (`loadProxies` ran before, for the same environment.)
 */
export function proxyAgent(env: NodeJS.ProcessEnv): Agent | undefined {
  const proxies = proxiesOf(env);
  if (!routes) {
    if (proxies) throw new Error("a proxy is set, but the CLI did not load what sends requests through one");
    return undefined;
  }
  return routes.proxyAgent(proxies);
}
