export { type WatchedFetch, type WatchedFetchOptions, watchedFetch } from "./fetch.js";
export { handles, lastingHandles } from "./handles.js";
