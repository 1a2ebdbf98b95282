export { type WatchedFetch, type WatchedFetchOptions, watchedFetch } from "./fetch.js";
export { rateLimitedServer } from "./gateway.js";
export { handles, lastingHandles } from "./handles.js";
