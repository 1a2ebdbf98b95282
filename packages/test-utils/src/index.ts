export { type WatchedFetch, type WatchedFetchOptions, watchedFetch } from "./fetch.js";
