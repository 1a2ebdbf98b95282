"use client";

export { type ClientToken, type DownloadProgress, fetchTokenFrom, type TokenFetcher } from "@decart/core";
export { DecartProvider, type DecartProviderProps, useDecartClient } from "./context.js";
export { type ImageGeneration, type ImageOptions, useGenerateImage } from "./image.js";
export { useResultUrl } from "./result-url.js";
export type { CompletedWith, GenerationState, GenerationStatus } from "./store.js";
export {
  type JobHandle,
  type UseJobOptions,
  useGenerateVideo,
  useJob,
  type VideoGeneration,
  type VideoJobOptions,
} from "./video.js";
