export { type WatchedFetch, type WatchedFetchOptions, watchedFetch } from "./fetch.js";
export { type RateLimitOptions, type Refusals, rateLimitedServer } from "./gateway.js";
export { handles, lastingHandles } from "./handles.js";
