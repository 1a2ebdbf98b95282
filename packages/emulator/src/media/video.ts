/**
 * Synthetic video: scene rendering -> I_PCM H.264 -> MP4.
 */

import type { Yuv420Picture } from "./h264.js";
import { H264PcmEncoder } from "./h264.js";
import type { VideoAccessUnit } from "./mp4.js";
import { muxH264ToMp4 } from "./mp4.js";
import { drawForeground, makeScene, renderBackground, rgbToYuv420 } from "./scene.js";

export interface VideoSpec {
  prompt: string;
  seed: number;
  /** Display width in pixels; must be even. */
  width: number;
  /** Display height in pixels; must be even. */
  height: number;
  fps: number;
  durationSeconds: number;
}

const MAX_SIDE = 4096;
const MAX_FRAMES = 100_000;
/** Seconds between IDR (key) frames. */
const KEYFRAME_SECONDS = 2;

export function frameCountFor(spec: Pick<VideoSpec, "fps" | "durationSeconds">): number {
  return Math.max(1, Math.round(spec.fps * spec.durationSeconds));
}

function validate(spec: VideoSpec): void {
  for (const key of ["width", "height"] as const) {
    const v = spec[key];
    if (!Number.isInteger(v) || v < 2 || v > MAX_SIDE || v % 2 !== 0) {
      throw new RangeError(`${key} must be an even integer in [2, ${MAX_SIDE}] (got ${v})`);
    }
  }
  if (!Number.isFinite(spec.fps) || spec.fps <= 0 || spec.fps > 1000) {
    throw new RangeError(`fps must be in (0, 1000] (got ${spec.fps})`);
  }
  if (!Number.isFinite(spec.durationSeconds) || spec.durationSeconds <= 0) {
    throw new RangeError(`durationSeconds must be a positive number (got ${spec.durationSeconds})`);
  }
  if (frameCountFor(spec) > MAX_FRAMES) {
    throw new RangeError(`too many frames (${frameCountFor(spec)} > ${MAX_FRAMES})`);
  }
  if (!Number.isFinite(spec.seed)) throw new RangeError(`seed must be a finite number (got ${spec.seed})`);
}

/**
 * Yields every frame of the clip as a 4:2:0 picture at the coded size
 * (width/height rounded up to multiples of 16; the extra area continues the
 * background and is cropped away by the decoder).
 */
export function* renderFrames(
  spec: VideoSpec,
  codedWidth: number,
  codedHeight: number,
): Generator<Yuv420Picture & { index: number }> {
  const scene = makeScene(spec.prompt, spec.seed);
  const frameCount = frameCountFor(spec);
  const layout = { width: spec.width, height: spec.height, bufferWidth: codedWidth, bufferHeight: codedHeight };
  const background = renderBackground(scene, { ...layout, time: 0 });
  for (let index = 0; index < frameCount; index++) {
    const rgb = background.slice();
    drawForeground(scene, rgb, { ...layout, time: index / spec.fps, progress: (index + 1) / frameCount });
    yield { index, ...rgbToYuv420(rgb, codedWidth, codedHeight) };
  }
}

/** Renders a deterministic H.264 MP4 for `spec` (same spec => identical bytes). */
export async function renderVideo(spec: VideoSpec): Promise<Uint8Array> {
  validate(spec);
  const encoder = new H264PcmEncoder({
    width: spec.width,
    height: spec.height,
    fps: spec.fps,
    keyframeInterval: Math.max(1, Math.round(spec.fps * KEYFRAME_SECONDS)),
  });
  const units: VideoAccessUnit[] = [];
  for (const picture of renderFrames(spec, encoder.codedWidth, encoder.codedHeight)) {
    units.push(encoder.encodeFrame(picture));
  }
  return muxH264ToMp4(units, {
    width: spec.width,
    height: spec.height,
    fps: spec.fps,
    codecString: encoder.codecString,
  });
}

/**
 * A frame size for synthetic output that keeps the model's aspect ratio (within
 * about 1%), uses even dimensions and has its longest side <= maxSide (and never
 * larger than the model's own longest side).
 */
export function scaledFrameSize(
  modelWidth: number,
  modelHeight: number,
  maxSide = 128,
): { width: number; height: number } {
  if (!(modelWidth > 0 && modelHeight > 0 && Number.isFinite(modelWidth) && Number.isFinite(modelHeight))) {
    throw new RangeError(`model size must be positive (got ${modelWidth}x${modelHeight})`);
  }
  if (!(maxSide >= 2 && Number.isFinite(maxSide))) throw new RangeError(`maxSide must be >= 2 (got ${maxSide})`);
  const landscape = modelWidth >= modelHeight;
  const ratio = landscape ? modelWidth / modelHeight : modelHeight / modelWidth; // long / short, >= 1
  const evenDown = (v: number) => Math.max(2, Math.floor(v / 2) * 2);
  const evenRound = (v: number) => Math.max(2, Math.round(v / 2) * 2);
  const longest = evenDown(Math.min(maxSide, Math.max(modelWidth, modelHeight)));

  // Try long sides from the largest down to half of it; take the first whose
  // aspect error is <= 0.5%, else the one with the smallest error.
  let best = { long: longest, short: evenRound(longest / ratio), error: Number.POSITIVE_INFINITY };
  for (let long = longest; long >= Math.max(2, longest / 2); long -= 2) {
    const short = Math.min(long, evenRound(long / ratio));
    const error = Math.abs(long / short / ratio - 1);
    if (error < best.error) best = { long, short, error };
    if (error <= 0.005) break;
  }
  return landscape ? { width: best.long, height: best.short } : { width: best.short, height: best.long };
}
