/**
 * Who may talk to the emulator. A web page in a browser can send requests to any address, loopback included, and
 * with DNS rebinding its own host name can come to point at 127.0.0.1: so every request must name, in its `Host`
 * header, an interface the server listens on (loopback names by default). Binding an interface other networks can
 * reach needs keys of one's own: the default key is public.
 */
import { isIPv6 } from "node:net";
import { networkInterfaces, hostname as osHostname } from "node:os";
import { quoted } from "./shown.js";

/** Names that always mean this machine's loopback interface. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

/** True for a host that only this machine can reach: `localhost`, `127.x.x.x`, `::1`, `::ffff:127.x.x.x`. */
export function isLoopback(host: string): boolean {
  const h = bareHost(host);
  return (
    h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(h)
  );
}

/**
 * The host name without brackets, trailing dot or case; an IPv6 address in the one form a URL writes it
 * (`::ffff:127.0.0.1` is `::ffff:7f00:1`, `fd00:0::2` is `fd00::2`), which is the form a client's `Host` gives it in.
 */
function bareHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (isIPv6(h) && !h.includes("%")) h = new URL(`http://[${h}]/`).hostname.slice(1, -1);
  return h;
}

/** RFC 3986's reg-name (unreserved, sub-delims and %-escapes), which an IPv4 address is written as too. */
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;
/** RFC 3986's IPvFuture, inside brackets (`v1.x`): valid, though never a name of this server. */
const IPV_FUTURE = /^v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/;

/**
 * The host name of a `Host` header value, or of the authority of an http URI: `uri-host [":" port]` of RFC 9112
 * (3.2) and RFC 3986, that is a reg-name or an IPv4 address, or an IPv6 address (or IPvFuture) in brackets, then an
 * optional port of digits naming a TCP port (at most 65535). Undefined when the value is none of these (a space, a
 * character beyond ASCII, `host:x`, `host:99999`, `[::1`, an empty host).
 */
export function hostOfHeader(value: string): string | undefined {
  let name: string;
  let port: string;
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    if (end < 0) return undefined;
    const inside = value.slice(1, end);
    if (!((isIPv6(inside) && !inside.includes("%")) || IPV_FUTURE.test(inside))) return undefined;
    name = value.slice(0, end + 1);
    port = value.slice(end + 1);
  } else {
    const colon = value.indexOf(":");
    name = colon < 0 ? value : value.slice(0, colon);
    port = colon < 0 ? "" : value.slice(colon);
    if (!REG_NAME.test(name)) return undefined;
  }
  if (port !== "" && !(/^:\d*$/.test(port) && Number(port.slice(1)) <= 65535)) return undefined;
  return bareHost(name);
}

/**
 * The host names a request may give in `Host`: loopback names, the bound interface, every address of this machine
 * (and its name) when bound to all interfaces, and the caller's `allowedHosts`.
 */
export function allowedHostNames(bound: string, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>([...LOOPBACK_NAMES, bareHost(bound), ...extra.map(bareHost)]);
  const h = bareHost(bound);
  if (h === "0.0.0.0" || h === "::" || h === "") {
    names.add(bareHost(osHostname()));
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(bareHost(a.address));
  }
  return names;
}

/**
 * The interface to listen on, as `host` gives it: an IPv6 address may come in brackets, as URLs write it (`[::1]`).
 * Throws when it has an IPv6 zone (`fe80::1%eth0`): no URL can hold one (so the emulator's `url` would be none), and
 * no `Host` header carries one, so no request could name the server.
 */
export function listenHost(host: string): string {
  const inside = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (isIPv6(inside) && inside.includes("%")) {
    throw new TypeError(
      `host ${quoted(host)} has an IPv6 zone (a % and an interface), which no URL and no Host header can hold: listen on "::" (with keys of your own) or on an address without a zone.`,
    );
  }
  return inside;
}

/**
 * Refuses to listen beyond loopback with the public default key: anyone on the network could use it. Returns the
 * reason, or undefined when the binding is fine.
 */
export function bindingProblem(
  host: string,
  keys: readonly string[] | undefined,
  defaultKey: string,
): string | undefined {
  if (isLoopback(host)) return undefined;
  if (!keys || keys.length === 0) {
    return `listening on ${host} makes the emulator reachable from other machines, and its default key is public: give your own keys (--keys / options.keys), or listen on 127.0.0.1.`;
  }
  if (keys.includes(defaultKey)) {
    return `listening on ${host} makes the emulator reachable from other machines: the default key ${defaultKey} is public and is refused there; give keys of your own.`;
  }
  return undefined;
}

/** How many `Host` headers a request's raw header list holds (Node keeps only the first in `headers.host`). */
export function hostHeaderCount(rawHeaders: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === "host") n++;
  }
  return n;
}

/**
 * A header value as sent, for a message: Node reads header bytes as Latin-1, so a name sent in UTF-8 is shown so; a
 * value over 100 characters is cut there, marked `…` (shown.ts).
 */
export function asSent(value: string): string {
  return quoted(Buffer.from(value, "latin1").toString("utf8"));
}

/**
 * The Host rule of a server bound to `bound`: a request's `Host` must name it, else 421; an HTTP/1.1 request without
 * `Host`, any request with more than one, or with one that is not `host[:port]` (RFC 9112, 3.2), answers 400. A
 * request target in absolute form (`http://127.0.0.1:4010/v1/…`, RFC 9112 3.2.2) is the target URI itself (3.3): its
 * authority is held to the same rule, the scheme must be `http` (an `https` URI names another origin: 421), and a
 * user name in it is refused (RFC 9110, 4.2.4). Returns the answer to give, or undefined when the request may go on.
 */
export function hostRule(bound: string, extra: readonly string[] = []) {
  const names = allowedHostNames(bound, extra);
  const shown = [...names].slice(0, 3).join(", ");
  /** The last value found good: most clients send the same one on every request. */
  let good: string | undefined;
  /** The answer for a host that is not valid (400) or names another server (421); undefined when it is this one. */
  const check = (value: string, what: string): { status: number; detail: string } | undefined => {
    if (value === good) return undefined;
    const name = hostOfHeader(value);
    if (name === undefined) {
      return {
        status: 400,
        detail: `${what} ${asSent(value)} is not a valid host[:port] (RFC 9112, 3.2): a host name or address, then an optional port from 0 to 65535.`,
      };
    }
    if (names.has(name)) {
      good = value;
      return undefined;
    }
    return {
      status: 421,
      detail: `${what} ${asSent(value)} is not a name of this server; use ${shown} (or start it with allowedHosts).`,
    };
  };
  return (
    value: string | undefined,
    httpVersion: string,
    copies = 1,
    absolute?: { scheme: string; authority: string },
  ): { status: number; detail: string } | undefined => {
    if (copies > 1) return { status: 400, detail: "More than one Host header (a request must give exactly one)." };
    if (value === undefined) {
      if (httpVersion !== "1.0") return { status: 400, detail: "Missing Host header (HTTP/1.1 requires one)." };
    } else {
      const problem = check(value, "Host");
      if (problem) return problem;
    }
    if (absolute === undefined) return undefined;
    const target = `The request target's authority`;
    if (absolute.scheme === "https") {
      return { status: 421, detail: "The request target is an https URI: this server speaks plain http." };
    }
    if (absolute.scheme !== "http") {
      return {
        status: 400,
        detail: `The request target is not an http URI (scheme ${asSent(absolute.scheme)}): send the path, or an http:// URI of this server.`,
      };
    }
    if (absolute.authority.includes("@")) {
      return { status: 400, detail: `${target} has a user name (RFC 9110, 4.2.4 forbids it).` };
    }
    return check(absolute.authority, target);
  };
}
