/**
 * The one route table: every route's name (used by stats, fault rules and the request log), the paths the emulator
 * serves with the methods each takes, and their matching. Model routes come from the generated catalogue of
 * `@decart/api` (see models.ts): here, `/v1/jobs/{name}` and `/v1/generate/{name}` stand for all of them.
 */

/** Route names, in the order stats list them (frozen: every emulator reads it). */
export const ROUTE_NAMES = Object.freeze([
  "submit",
  "status",
  "content",
  "process",
  "legacy",
  "tokens",
  "files",
  "admin",
  "other",
] as const);

/** Route names used by `stats().requests.byRoute` and by fault rules. */
export type RouteName = (typeof ROUTE_NAMES)[number];

/** Routes a fault may hit: admin routes and unknown routes never get faults. */
export type FaultRoute = Exclude<RouteName, "admin" | "other">;
export const FAULT_ROUTES = ROUTE_NAMES.filter((r): r is FaultRoute => r !== "admin" && r !== "other");

/** The methods routes take, in the order `Allow` lists them (HEAD goes with GET: see routeMethod). */
const METHODS = ["GET", "POST", "DELETE"] as const;
type Method = (typeof METHODS)[number];

/** What serves a method on a path: a handler, given the path's one parameter (`{…}`) when it has one. */
export type Endpoint =
  | "status"
  | "submit"
  | "content"
  | "generate"
  | "tokens"
  | "upload"
  | "file-read"
  | "file-delete"
  | "admin-stats"
  | "admin-job"
  | "admin-release"
  | "admin-reset-stats"
  | "admin-faults-read"
  | "admin-faults-set";

/** A path (its parameter written `{name}`, one non-empty segment) and the endpoint of each method it takes. */
export interface RouteEntry {
  readonly path: string;
  readonly methods: Readonly<Partial<Record<Method, Endpoint>>>;
}

/** The public API's paths: the spec's operations. They answer CORS preflights (OPTIONS) too. */
export const API_ROUTES: readonly RouteEntry[] = [
  { path: "/v1/jobs/{id}", methods: { GET: "status", POST: "submit" } },
  { path: "/v1/jobs/{job_id}/content", methods: { GET: "content" } },
  { path: "/v1/generate/{model}", methods: { POST: "generate" } },
  { path: "/v1/client/tokens", methods: { POST: "tokens" } },
  { path: "/v1/files", methods: { POST: "upload" } },
  { path: "/v1/files/{file_id}", methods: { GET: "file-read", DELETE: "file-delete" } },
];

/** Paths under this prefix are the admin routes: the admin token is checked before anything else is said of them. */
export const ADMIN_PREFIX = "/_emulator/";

/** The admin routes, outside the public spec. */
export const ADMIN_ROUTES: readonly RouteEntry[] = [
  { path: "/_emulator/stats", methods: { GET: "admin-stats" } },
  { path: "/_emulator/jobs/{job_id}", methods: { GET: "admin-job" } },
  { path: "/_emulator/jobs/{job_id}/release", methods: { POST: "admin-release" } },
  { path: "/_emulator/reset-stats", methods: { POST: "admin-reset-stats" } },
  { path: "/_emulator/faults", methods: { GET: "admin-faults-read", POST: "admin-faults-set" } },
];

/** What a request's method and path name: an endpoint and the path's parameter, or a 404 / 405 answer. */
export type Match =
  | { kind: "endpoint"; endpoint: Endpoint; param: string | undefined }
  | { kind: "not-found" }
  | { kind: "method"; allow: string; route: string; param: string | undefined };

/** The method a route is chosen by: HEAD is GET without the body (http.ts leaves it out), so every GET route takes it. */
function routeMethod(method: string | undefined): string {
  return method === "HEAD" ? "GET" : (method ?? "GET");
}

/**
 * The `Allow` header of a 405: the methods a path's routes take, HEAD wherever GET is, as Starlette lists them. Never
 * OPTIONS: no route takes it (a CORS preflight is answered before the routes; any other OPTIONS is refused 405).
 */
export function allowOf(methods: Iterable<string>): string {
  const given = new Set(methods);
  const listed = [...METHODS, "OPTIONS"].filter((m) => given.has(m));
  return listed.flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])).join(", ");
}

/**
 * Every method the server takes on some path: the `Allow` of a CONNECT, whose target is no path of it. OPTIONS is
 * among them: the API's paths answer preflights.
 */
export const SERVER_ALLOW = allowOf([
  ...[...API_ROUTES, ...ADMIN_ROUTES].flatMap((r) => Object.keys(r.methods)),
  ...(API_ROUTES.length > 0 ? ["OPTIONS"] : []),
]);

interface Compiled {
  entry: RouteEntry;
  /** Each segment: a literal, or undefined for the parameter. */
  segments: (string | undefined)[];
  /** Its 405's `Allow`, made once. */
  allow: string;
}

/** A path compiled. */
const compile = (entry: RouteEntry): Compiled => ({
  entry,
  segments: entry.path.split("/").map((s) => (s.startsWith("{") && s.endsWith("}") ? undefined : s)),
  allow: allowOf(Object.keys(entry.methods)),
});

/**
 * The first two paths of a compiled table that some request path would match both (same number of segments, and at
 * each segment the same literal or a parameter on either side).
 */
function firstOverlap(compiled: readonly Compiled[]): [string, string] | undefined {
  for (let i = 0; i < compiled.length; i++) {
    for (let j = i + 1; j < compiled.length; j++) {
      const a = compiled[i]!.segments;
      const b = compiled[j]!.segments;
      if (a.length === b.length && a.every((s, k) => s === undefined || b[k] === undefined || s === b[k])) {
        return [compiled[i]!.entry.path, compiled[j]!.entry.path];
      }
    }
  }
  return undefined;
}

/**
 * Two paths of a table that some request path would match both: the table must have none, so that a path names one
 * route and its 404 or 405 is right. Returns the first such pair.
 */
export const overlapping = (table: readonly RouteEntry[]): [string, string] | undefined =>
  firstOverlap(table.map((entry) => compile(entry)));

/** A table compiled once at load, refused when two of its paths overlap. */
function compileTable(table: readonly RouteEntry[]): readonly Compiled[] {
  const out = table.map((entry) => compile(entry));
  const pair = firstOverlap(out);
  if (pair) throw new Error(`route table: ${pair[0]} and ${pair[1]} match the same paths`);
  return out;
}

const API_TABLE = compileTable(API_ROUTES);
const ADMIN_TABLE = compileTable(ADMIN_ROUTES);

/** Whether a path is an admin route's (answered by admin.ts, after the admin token). */
export const isAdminPath = (path: string): boolean => path.startsWith(ADMIN_PREFIX);

/** Reads the route of a request (a path without its query): the API's table, or the admin table under /_emulator/. */
export function matchRoute(requestMethod: string, path: string): Match {
  const method = routeMethod(requestMethod);
  const segments = path.split("/");
  for (const { entry, segments: pattern, allow } of isAdminPath(path) ? ADMIN_TABLE : API_TABLE) {
    if (pattern.length !== segments.length) continue;
    let param: string | undefined;
    const fits = pattern.every((literal, i) => {
      const s = segments[i]!;
      if (literal !== undefined) return s === literal;
      param = s;
      return s !== "";
    });
    if (!fits) continue;
    const endpoint = entry.methods[method as Method];
    return endpoint ? { kind: "endpoint", endpoint, param } : { kind: "method", allow, route: entry.path, param };
  }
  return { kind: "not-found" };
}

/**
 * Where a request whose path matches no route is redirected (307), as Starlette's router redirects (its
 * `redirect_slashes`, on by default): to the path without its trailing slashes, or with one when it has none, when
 * that path is some route's, whatever the method (a path that answers the method 405 counts: the redirect comes
 * first). Undefined when it is none, for `/`, and on the admin routes (the emulator's own, no server's).
 */
export function slashRedirect(method: string, path: string): string | undefined {
  if (path === "/" || isAdminPath(path)) return undefined;
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  const other = end < path.length ? path.slice(0, end) : `${path}/`;
  if (other === "" || isAdminPath(other)) return undefined;
  return matchRoute(method, other).kind === "not-found" ? undefined : other;
}

/** A request target read (RFC 9112, 3.2): its path and query, and for the absolute form its scheme and authority. */
export interface Target {
  path: string;
  query: string;
  /** The absolute form's (`http://127.0.0.1:4010/v1/jobs/…`): the scheme (lower case) and the authority as sent. */
  absolute?: { scheme: string; authority: string };
}

/** The asterisk form's path (`OPTIONS * HTTP/1.1`): a question about the server, not about one of its paths. */
export const ASTERISK = "*";

const ABSOLUTE_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

/**
 * Reads a request target. A server must accept the absolute form (RFC 9112, 3.2.2), what a client sends to a proxy
 * and a proxy may pass on: it names the path after its authority (`/` when none), which the Host rule checks as it
 * checks `Host` (host.ts). The origin form (`/v1/…`) is the path itself; `*` (asterisk form, RFC 9112 3.2.4) is
 * `ASTERISK`, which names the server as a whole, no route.
 */
export function targetOf(url: string): Target {
  const absolute = url.startsWith("/") ? null : ABSOLUTE_FORM.exec(url);
  const rest = absolute ? absolute[3]! : url;
  const q = rest.indexOf("?");
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? "" : rest.slice(q + 1);
  if (!absolute) return { path, query };
  return {
    path: path === "" ? "/" : path,
    query,
    absolute: { scheme: absolute[1]!.toLowerCase(), authority: absolute[2]! },
  };
}
