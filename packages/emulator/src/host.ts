/**
 * Who may talk to the emulator. A web page in a browser can send requests to any address, loopback included, and
 * with DNS rebinding its own host name can come to point at 127.0.0.1: so every request must name, in its `Host`
 * header, an interface the server listens on (loopback names by default). Binding an interface other networks can
 * reach needs keys of one's own: the default key is public.
 */
import { networkInterfaces, hostname as osHostname } from "node:os";

/** Names that always mean this machine's loopback interface. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

/** True for a host that only this machine can reach: `localhost`, `127.x.x.x`, `::1`. */
export function isLoopback(host: string): boolean {
  const h = bareHost(host);
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || h === "::ffff:127.0.0.1";
}

/** The host name without brackets, trailing dot or case. */
function bareHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.endsWith(".")) h = h.slice(0, -1);
  return h;
}

/** The host name of a `Host` header value (`name`, `name:port`, `[v6]`, `[v6]:port`); undefined when malformed. */
export function hostOfHeader(value: string): string | undefined {
  const v = value.trim();
  if (v.startsWith("[")) {
    const end = v.indexOf("]");
    if (end < 0) return undefined;
    const rest = v.slice(end + 1);
    if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return undefined;
    return bareHost(v.slice(0, end + 1));
  }
  const colon = v.indexOf(":");
  const name = colon < 0 ? v : v.slice(0, colon);
  if (colon >= 0 && !/^\d{1,5}$/.test(v.slice(colon + 1))) return undefined;
  return name === "" ? undefined : bareHost(name);
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
 * The Host rule of a server bound to `bound`: a request's `Host` must name it, else 421; an HTTP/1.1 request without
 * `Host`, or any request with more than one (RFC 9112, 3.2), answers 400. Returns the answer to give, or undefined
 * when the request may go on.
 */
export function hostRule(bound: string, extra: readonly string[] = []) {
  const names = allowedHostNames(bound, extra);
  const shown = [...names].slice(0, 3).join(", ");
  /** The last value found good: most clients send the same one on every request. */
  let good: string | undefined;
  return (
    value: string | undefined,
    httpVersion: string,
    copies = 1,
  ): { status: number; detail: string } | undefined => {
    if (copies > 1) return { status: 400, detail: "More than one Host header (a request must give exactly one)." };
    if (value === undefined) {
      return httpVersion === "1.0"
        ? undefined
        : { status: 400, detail: "Missing Host header (HTTP/1.1 requires one)." };
    }
    if (value === good) return undefined;
    const name = hostOfHeader(value);
    if (name !== undefined && names.has(name)) {
      good = value;
      return undefined;
    }
    // Node reads header bytes as Latin-1: a name sent in UTF-8 is shown as it was sent.
    const sent = Buffer.from(value.slice(0, 100), "latin1").toString("utf8");
    return {
      status: 421,
      detail: `Host ${JSON.stringify(sent)} is not a name of this server; use ${shown} (or start it with allowedHosts).`,
    };
  };
}
