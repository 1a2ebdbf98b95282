/**
 * The one route table: every route's name (used by stats, fault rules and the request log) and the paths it serves.
 * Model routes come from the generated catalogue of `@decart/api` (see models.ts); the rest are listed here.
 */

/** Route names, in the order stats list them. */
export const ROUTE_NAMES = [
  "submit",
  "status",
  "content",
  "process",
  "legacy",
  "tokens",
  "files",
  "admin",
  "other",
] as const;

/** Route names used by `stats().requests.byRoute` and by fault rules. */
export type RouteName = (typeof ROUTE_NAMES)[number];

/** Routes a fault may hit: admin routes and unknown routes never get faults. */
export type FaultRoute = Exclude<RouteName, "admin" | "other">;
export const FAULT_ROUTES = ROUTE_NAMES.filter((r): r is FaultRoute => r !== "admin" && r !== "other");

/** What a request's method and path name: a handler and its path parameter, or a 404 / 405 answer. */
export type Match =
  | { kind: "model"; prefix: "jobs" | "generate"; name: string }
  | { kind: "status" | "content"; jobId: string }
  | { kind: "tokens" }
  | { kind: "upload" }
  | { kind: "file"; fileId: string; method: "GET" | "DELETE" }
  | { kind: "admin"; path: string }
  | { kind: "not-found" }
  | { kind: "method"; allow: string };

const ONE_SEGMENT = /^[^/]+$/;

/** The method a route is chosen by: HEAD is GET without the body (http.ts leaves it out), so every GET route takes it. */
export function routeMethod(method: string | undefined): string {
  return method === "HEAD" ? "GET" : (method ?? "GET");
}

/** The `Allow` header of a 405: the methods a path takes, HEAD wherever GET is. */
export function allowOf(...methods: ("GET" | "POST" | "DELETE" | "OPTIONS")[]): string {
  return methods.flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])).join(", ");
}

/** Reads the route of a request (a path without its query). */
export function matchRoute(requestMethod: string, path: string): Match {
  const method = routeMethod(requestMethod);
  if (path.startsWith("/_emulator/")) return { kind: "admin", path };
  if (path.startsWith("/v1/jobs/")) {
    const rest = path.slice("/v1/jobs/".length);
    if (ONE_SEGMENT.test(rest)) {
      if (method === "GET") return { kind: "status", jobId: rest };
      if (method === "POST") return { kind: "model", prefix: "jobs", name: rest };
      return { kind: "method", allow: allowOf("GET", "POST") };
    }
    const slash = rest.indexOf("/");
    if (slash > 0 && rest.slice(slash) === "/content" && ONE_SEGMENT.test(rest.slice(0, slash))) {
      return method === "GET"
        ? { kind: "content", jobId: rest.slice(0, slash) }
        : { kind: "method", allow: allowOf("GET") };
    }
    return { kind: "not-found" };
  }
  if (path.startsWith("/v1/generate/")) {
    const name = path.slice("/v1/generate/".length);
    if (!ONE_SEGMENT.test(name)) return { kind: "not-found" };
    return method === "POST" ? { kind: "model", prefix: "generate", name } : { kind: "method", allow: allowOf("POST") };
  }
  if (path === "/v1/client/tokens")
    return method === "POST" ? { kind: "tokens" } : { kind: "method", allow: allowOf("POST") };
  if (path === "/v1/files") return method === "POST" ? { kind: "upload" } : { kind: "method", allow: allowOf("POST") };
  if (path.startsWith("/v1/files/")) {
    const id = path.slice("/v1/files/".length);
    if (!ONE_SEGMENT.test(id)) return { kind: "not-found" };
    if (method === "GET" || method === "DELETE") return { kind: "file", fileId: id, method };
    return { kind: "method", allow: allowOf("GET", "DELETE") };
  }
  return { kind: "not-found" };
}
