/**
 * Real, deterministic media for the emulator, in pure JavaScript:
 * H.264 (I_PCM) MP4 video, PNG/JPEG images, magic-byte sniffing and
 * exact-size padded MP4 streams.
 */
import { encodeJpeg, encodePng } from "./image.js";
import { makeScene, renderRgb } from "./scene.js";

export { isPortraitMoov, MoovReader } from "./moov.js";
export type { PaddedStream } from "./mp4.js";
export { paddedVideoStream } from "./mp4.js";
export { isPortraitImage, JpegReader } from "./picture.js";
export { bytesAre, readableType, sniffAnyMediaType, sniffMediaType } from "./sniff.js";
export type { VideoSpec } from "./video.js";
export { renderVideo, scaledFrameSize } from "./video.js";

export interface ImageSpec {
  prompt: string;
  seed: number;
  width: number;
  height: number;
  format: "png" | "jpeg";
}

const MAX_IMAGE_SIDE = 8192;

/** Renders a deterministic PNG or JPEG picture for (prompt, seed) at exactly width x height. */
export function renderImage(spec: ImageSpec): Uint8Array {
  for (const key of ["width", "height"] as const) {
    const v = spec[key];
    if (!Number.isInteger(v) || v < 1 || v > MAX_IMAGE_SIDE) {
      throw new RangeError(`${key} must be an integer in [1, ${MAX_IMAGE_SIDE}] (got ${v})`);
    }
  }
  if (!Number.isFinite(spec.seed)) throw new RangeError(`seed must be a finite number (got ${spec.seed})`);
  const rgb = renderRgb(makeScene(spec.prompt, spec.seed), { width: spec.width, height: spec.height, time: 0 });
  switch (spec.format) {
    case "png":
      return encodePng(rgb, spec.width, spec.height);
    case "jpeg":
      return encodeJpeg(rgb, spec.width, spec.height);
    default:
      throw new RangeError(`unsupported image format: ${String(spec.format)}`);
  }
}
