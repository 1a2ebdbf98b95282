/**
 * Result media: rendered on demand, cached per (model, size, prompt, seed, …) and hashed once per cached result.
 *
 * Scaling (so that files stay small and rendering cheap): a video keeps the model's aspect ratio (at 480p, 832×480's:
 * `FRAME_480P`; portrait swaps it) with its longest side at most 128 px (96 px at 480p), runs at min(model fps, 10)
 * frames per second and lasts 1, 2 or 3 seconds, chosen from the prompt and seed. An image keeps the model's aspect
 * ratio (at 480p, 832×480's) with its longest side at most 512 px (384 px at 480p).
 */
import { createHash } from "node:crypto";
import type { PaddedStream } from "./media/index.js";
import { paddedVideoStream, renderImage, renderVideo, scaledFrameSize } from "./media/index.js";

export const VIDEO_MAX_SIDE = 128;
export const VIDEO_MAX_SIDE_480P = 96;
export const VIDEO_MAX_FPS = 10;
export const IMAGE_MAX_SIDE = 512;
export const IMAGE_MAX_SIDE_480P = 384;
const CACHE_ENTRIES = 128;
/**
 * The largest `resultBytes`: 4 GiB. Every padded result is hashed once, in full (a few seconds at this size); a larger
 * one would keep a core busy for minutes.
 */
export const MAX_RESULT_BYTES = 4 * 1024 ** 3;

export interface MediaRequest {
  /** The model that actually runs (aliases and deprecated names followed), part of the cache key. */
  model: string;
  modelWidth: number;
  modelHeight: number;
  modelFps?: number;
  prompt: string;
  seed: number;
  resolution?: string;
  orientation?: string;
  /** The input (`data`), a video or an image, is shown taller than wide: the result follows it (see `frameSize`). */
  portraitInput?: boolean;
}

export interface Result {
  contentType: "video/mp4" | "image/png";
  /** The rendered file. */
  bytes: Uint8Array;
  /** Bytes served: bytes.length, or the padded size when results are padded. */
  length: number;
  /** Set when the served body is `bytes` followed by an MP4 `free` box up to `length`. */
  padded?: PaddedStream;
  /** Hex SHA-256 of exactly what is served. */
  sha256: string;
}

/** FNV-1a, 32 bits: a cheap deterministic hash for picking durations. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The frame of a `480p` result: 832×480 (480×832 in portrait), the docs' figure for video generation (their table of
 * legacy generation output), not 16:9; no other frame at 480p is documented, so an image at 480p takes it too.
 */
export const FRAME_480P = { width: 832, height: 480 } as const;

function frameSize(req: MediaRequest, maxSide: number): { width: number; height: number } {
  const frame = req.resolution === "480p" ? FRAME_480P : { width: req.modelWidth, height: req.modelHeight };
  const size = scaledFrameSize(frame.width, frame.height, maxSide);
  // An edit's output follows its input's orientation (the docs: 1280×720 or 720×1280), an image edit's too.
  const portrait = req.orientation === "portrait" || req.portraitInput === true;
  if (portrait === size.width > size.height) return { width: size.height, height: size.width };
  return size;
}

/** The video parameters for a request (exported for tests and docs). */
export function videoParams(req: MediaRequest) {
  const { width, height } = frameSize(req, req.resolution === "480p" ? VIDEO_MAX_SIDE_480P : VIDEO_MAX_SIDE);
  const fps = Math.min(VIDEO_MAX_FPS, req.modelFps ?? VIDEO_MAX_FPS);
  const durationSeconds = 1 + (fnv1a(`${req.prompt}\u0000${req.seed}`) % 3);
  return { width, height, fps, durationSeconds };
}

export function imageParams(req: MediaRequest) {
  return frameSize(req, req.resolution === "480p" ? IMAGE_MAX_SIDE_480P : IMAGE_MAX_SIDE);
}

/** Thrown by the renders and hashes that close() stops. */
export class ResultCacheClosed extends Error {
  constructor() {
    super("The emulator was closed while a result was being prepared.");
    this.name = "ResultCacheClosed";
  }
}

async function hashServed(bytes: Uint8Array, padded: PaddedStream | undefined, closed: () => boolean): Promise<string> {
  const hash = createHash("sha256");
  if (!padded) return hash.update(bytes).digest("hex");
  let n = 0;
  for await (const chunk of padded.stream()) {
    if (closed()) throw new ResultCacheClosed();
    hash.update(chunk);
    // Yield to the event loop now and then: hashing a padded result of hundreds of MB takes a while.
    if (++n % 256 === 0) await new Promise((r) => setImmediate(r));
  }
  return hash.digest("hex");
}

export class ResultCache {
  private readonly entries = new Map<string, Promise<Result>>();
  private closed = false;

  constructor(private readonly resultBytes: number | undefined) {}

  /** Stops the hashes under way (their results reject with ResultCacheClosed) and forgets every result. */
  close(): void {
    this.closed = true;
    this.entries.clear();
  }

  video(req: MediaRequest): Promise<Result> {
    const p = videoParams(req);
    const key = `v|${req.model}|${p.width}x${p.height}|${p.fps}|${p.durationSeconds}|${req.seed}|${req.prompt}`;
    return this.cached(key, async () => {
      const bytes = await renderVideo({ prompt: req.prompt, seed: req.seed, ...p });
      const total = this.resultBytes;
      const padded = total !== undefined && total >= bytes.length + 8 ? paddedVideoStream(bytes, total) : undefined;
      const sha256 = await hashServed(bytes, padded, () => this.closed);
      return {
        contentType: "video/mp4",
        bytes,
        length: padded ? padded.length : bytes.length,
        sha256,
        ...(padded ? { padded } : {}),
      };
    });
  }

  image(req: MediaRequest): Promise<Result> {
    const p = imageParams(req);
    const key = `i|${req.model}|${p.width}x${p.height}|${req.seed}|${req.prompt}`;
    return this.cached(key, async () => {
      const bytes = renderImage({ prompt: req.prompt, seed: req.seed, ...p, format: "png" });
      return {
        contentType: "image/png",
        bytes,
        length: bytes.length,
        sha256: await hashServed(bytes, undefined, () => this.closed),
      };
    });
  }

  private cached(key: string, make: () => Promise<Result>): Promise<Result> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const made = make();
    made.catch(() => this.entries.delete(key));
    this.entries.set(key, made);
    if (this.entries.size > CACHE_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return made;
  }
}
