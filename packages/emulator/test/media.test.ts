/**
 * Media tests. Outputs are checked with a real decoder (ffmpeg/ffprobe from the
 * system); if they are missing the tests fail with an explanation rather than skip.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogue, type ModelName } from "@decart/api";
import jpeg from "jpeg-js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { H264PcmEncoder } from "../src/media/h264.js";
import type { VideoSpec } from "../src/media/index.js";
import {
  paddedVideoStream,
  renderImage,
  renderVideo,
  scaledFrameSize,
  sniffAnyMediaType,
  sniffMediaType,
} from "../src/media/index.js";
import { makeScene, renderRgb } from "../src/media/scene.js";
import { frameCountFor, renderFrames } from "../src/media/video.js";
import type { MediaRequest } from "../src/results.js";
import { ResultCache } from "../src/results.js";

let dir = "";
let fileCounter = 0;

function tool(name: "ffmpeg" | "ffprobe", args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(name, args, { maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`failed to run ${name}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function save(bytes: Uint8Array, ext: string): string {
  const path = join(dir, `f${fileCounter++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

/** Decodes every frame with error detection at its strictest; must print nothing and succeed. */
function expectCleanDecode(path: string): void {
  const r = tool("ffmpeg", ["-nostdin", "-v", "error", "-err_detect", "explode", "-i", path, "-f", "null", "-"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
}

interface ProbedStream {
  codec_name: string;
  profile?: string;
  width: number;
  height: number;
  pix_fmt?: string;
  nb_frames?: string;
  nb_read_frames?: string;
  duration?: string;
}

function probeStream(path: string): ProbedStream {
  const r = tool("ffprobe", ["-v", "error", "-count_frames", "-of", "json", "-show_streams", path]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const json = JSON.parse(r.stdout.toString()) as { streams: ProbedStream[] };
  expect(json.streams).toHaveLength(1);
  return json.streams[0]!;
}

/** Decodes a file to raw frames of the given pixel format. */
function decodeRaw(path: string, pixFmt: "yuv420p" | "rgb24"): Buffer {
  const r = tool("ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", pixFmt, "-"]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

/** The display-size Y, Cb, Cr planes of a coded-size picture, concatenated like ffmpeg's yuv420p. */
function cropToYuv420p(
  p: { y: Uint8Array; cb: Uint8Array; cr: Uint8Array },
  codedWidth: number,
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array((width * height * 3) / 2);
  let o = 0;
  for (let row = 0; row < height; row++) {
    out.set(p.y.subarray(row * codedWidth, row * codedWidth + width), o);
    o += width;
  }
  for (const plane of [p.cb, p.cr]) {
    for (let row = 0; row < height / 2; row++) {
      const start = (row * codedWidth) / 2;
      out.set(plane.subarray(start, start + width / 2), o);
      o += width / 2;
    }
  }
  return out;
}

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of iterable) chunks.push(c.slice());
  return Buffer.concat(chunks);
}

beforeAll(() => {
  for (const name of ["ffmpeg", "ffprobe"] as const) {
    const r = spawnSync(name, ["-version"]);
    if (r.error || r.status !== 0) {
      throw new Error(
        `${name} is required by the media tests but was not found on PATH (${r.error?.message ?? `exit ${r.status}`}). ` +
          "Install it, e.g. `apt-get install -y ffmpeg`.",
      );
    }
  }
  dir = mkdtempSync(join(tmpdir(), "emulator-media-"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const base: VideoSpec = {
  prompt: "a red fox in the snow",
  seed: 42,
  width: 128,
  height: 72,
  fps: 10,
  durationSeconds: 5,
};

describe("renderVideo", () => {
  const cases: VideoSpec[] = [
    base, // 8x5 macroblocks, cropped 80 -> 72 rows; GOP of 20 wraps the 4-bit frame_num
    { ...base, width: 72, height: 128, fps: 24, durationSeconds: 1 }, // portrait, cropped columns
    { ...base, width: 126, height: 72, fps: 30, durationSeconds: 2.5 }, // cropped on both axes, 75 frames, 2 IDRs
    { ...base, width: 64, height: 64, fps: 10, durationSeconds: 1 }, // no cropping
    { ...base, width: 2, height: 2, fps: 1, durationSeconds: 1 }, // smallest possible, single frame
    { ...base, width: 96, height: 54, fps: 29.97, durationSeconds: 1 }, // non-integer frame rate -> 30 frames
    { ...base, width: 32, height: 18, fps: 0.4, durationSeconds: 10 }, // keyframe interval 1 (every frame IDR)
  ];

  it.each(cases)(
    "$width x $height @ $fps fps for $durationSeconds s decodes cleanly with the right shape",
    async (spec) => {
      const mp4 = await renderVideo(spec);
      expect(sniffMediaType(mp4)).toBe("video/mp4");
      const path = save(mp4, "mp4");
      expectCleanDecode(path);

      const frames = frameCountFor(spec);
      expect(frames).toBe(Math.round(spec.fps * spec.durationSeconds));
      const s = probeStream(path);
      expect(s.codec_name).toBe("h264");
      expect(s.profile).toBe("Constrained Baseline");
      expect(s.pix_fmt).toBe("yuv420p");
      expect(s.width).toBe(spec.width);
      expect(s.height).toBe(spec.height);
      expect(Number(s.nb_frames)).toBe(frames);
      expect(Number(s.nb_read_frames)).toBe(frames);
      expect(Number(s.duration)).toBeCloseTo(frames / spec.fps, 1);
    },
  );

  it("decodes to exactly the rendered pixels (I_PCM is lossless, skipped macroblocks copy the previous frame)", async () => {
    for (const spec of [base, { ...base, width: 126, height: 70, fps: 30, durationSeconds: 2.5, seed: 7 }]) {
      const mp4 = await renderVideo(spec);
      const decoded = decodeRaw(save(mp4, "mp4"), "yuv420p");
      const frameBytes = (spec.width * spec.height * 3) / 2;
      expect(decoded.length).toBe(frameBytes * frameCountFor(spec));
      const encoder = new H264PcmEncoder({
        width: spec.width,
        height: spec.height,
        fps: spec.fps,
        keyframeInterval: 1,
      });
      for (const frame of renderFrames(spec, encoder.codedWidth, encoder.codedHeight)) {
        const expected = cropToYuv420p(frame, encoder.codedWidth, spec.width, spec.height);
        const actual = decoded.subarray(frame.index * frameBytes, (frame.index + 1) * frameBytes);
        expect(Buffer.compare(actual, expected), `frame ${frame.index}`).toBe(0);
      }
    }
  });

  it("content moves: consecutive frames differ, and P frames skip unchanged macroblocks", async () => {
    const mp4 = await renderVideo(base);
    const frames = frameCountFor(base);
    const allIntraBytes = frames * 8 * 5 * 384; // every macroblock coded as I_PCM
    expect(mp4.length).toBeLessThan(allIntraBytes * 0.8);
    const decoded = decodeRaw(save(mp4, "mp4"), "yuv420p");
    const frameBytes = (base.width * base.height * 3) / 2;
    let changed = 0;
    for (let i = 1; i < frames; i++) {
      const a = decoded.subarray((i - 1) * frameBytes, i * frameBytes);
      const b = decoded.subarray(i * frameBytes, (i + 1) * frameBytes);
      if (Buffer.compare(a, b) !== 0) changed++;
    }
    expect(changed).toBe(frames - 1);
  });

  it("is byte-deterministic (even across wall-clock time) and depends on prompt and seed", async () => {
    const nowSpy = vi.spyOn(Date, "now").mockReturnValue(Date.UTC(2001, 0, 1));
    const a = await renderVideo(base);
    nowSpy.mockReturnValue(Date.UTC(2031, 5, 15));
    const b = await renderVideo(base);
    vi.restoreAllMocks();
    const c = await renderVideo({ ...base });
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(a, c)).toBe(0);

    const otherPrompt = await renderVideo({ ...base, prompt: "a red fox in the snow!" });
    const otherSeed = await renderVideo({ ...base, seed: 43 });
    expect(Buffer.compare(a, otherPrompt)).not.toBe(0);
    expect(Buffer.compare(a, otherSeed)).not.toBe(0);

    // ... and visibly so: the first frames differ in most pixels.
    const first = (spec: VideoSpec) => renderFrames(spec, 128, 80).next().value!.y;
    for (const other of [
      { ...base, prompt: "a red fox in the snow!" },
      { ...base, seed: 43 },
    ]) {
      const x = first(base);
      const y = first(other);
      let differing = 0;
      for (let i = 0; i < x.length; i++) if (Math.abs(x[i]! - y[i]!) > 8) differing++;
      expect(differing / x.length).toBeGreaterThan(0.3);
    }
  });

  // How fast it renders is measured by bench/emulator-render.ts (a timing has no place in a test on a shared machine).
  it("renders a 128x72, 10 fps, 5 s clip as a small MP4", async () => {
    const mp4 = await renderVideo({ ...base, seed: 2 });
    expect(sniffMediaType(mp4)).toBe("video/mp4");
    expect(mp4.length).toBeLessThan(400_000);
  });

  it("rejects invalid specs", async () => {
    await expect(renderVideo({ ...base, width: 127 })).rejects.toThrow(RangeError);
    await expect(renderVideo({ ...base, height: 0 })).rejects.toThrow(RangeError);
    await expect(renderVideo({ ...base, fps: 0 })).rejects.toThrow(RangeError);
    await expect(renderVideo({ ...base, durationSeconds: Number.NaN })).rejects.toThrow(RangeError);
  });
});

describe("a result clip's size", () => {
  it("stays within the range the README gives, whose ends the smallest and largest known clips come near", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
    const stated = /A clip's size depends on [^:]*: about (\d+)–(\d+) KB/.exec(readme);
    expect(stated, "the README's clip size").not.toBeNull();
    const [least, most] = [Number(stated![1]) * 1000, Number(stated![2]) * 1000];
    const cache = new ResultCache(undefined);
    const size = async (model: ModelName, prompt: string, seed: number, resolution?: string, orientation?: string) => {
      const { width, height, fps } = catalogue[model] as { width: number; height: number; fps?: number };
      const req: MediaRequest = { model, modelWidth: width, modelHeight: height, prompt, seed };
      if (fps !== undefined) req.modelFps = fps;
      if (resolution !== undefined) req.resolution = resolution;
      if (orientation !== undefined) req.orientation = orientation;
      return (await cache.video(req)).length;
    };
    try {
      // The smallest and largest of every video model, size and orientation with 300 prompts and seeds each: a 1 s
      // clip at 480p (54x94, 832x480's aspect in portrait; of 3000 prompts and seeds at 480p, each model's alike) and a
      // 3 s one at full size (128x72). The range holds them, and is not much wider.
      const smallest = await size("lucy-clip", "zz84247", 129777, "480p", "portrait");
      const largest = await size("lucy-pro-t2v", "make it snow 242", 16398);
      expect(smallest).toBeGreaterThanOrEqual(least);
      expect(largest).toBeLessThanOrEqual(most);
      expect(smallest).toBeLessThan(least * 1.15);
      expect(largest).toBeGreaterThan(most * 0.95);
      for (let seed = 0; seed < 20; seed++) {
        for (const [model, resolution] of [
          ["lucy-pro-t2v", undefined],
          ["lucy-clip", "480p"],
        ] as const) {
          const n = await size(model, `sample ${seed}`, seed, resolution);
          expect(n, `${model} ${resolution} ${seed}`).toBeGreaterThanOrEqual(least);
          expect(n, `${model} ${resolution} ${seed}`).toBeLessThanOrEqual(most);
        }
      }
    } finally {
      cache.close();
    }
  });
});

describe("paddedVideoStream", () => {
  it("pads to exactly totalBytes with a free box and still decodes", async () => {
    const spec = { ...base, durationSeconds: 1 };
    const mp4 = await renderVideo(spec);
    for (const totalBytes of [mp4.length + 8, mp4.length + 9, 3 * 1024 * 1024 + 17]) {
      const padded = paddedVideoStream(mp4, totalBytes, 4096);
      expect(padded.length).toBe(totalBytes);
      const bytes = await collect(padded.stream());
      expect(bytes.length).toBe(totalBytes);
      expect(Buffer.compare(bytes.subarray(0, mp4.length), mp4)).toBe(0);
      const view = new DataView(bytes.buffer, bytes.byteOffset + mp4.length, 8);
      expect(view.getUint32(0)).toBe(totalBytes - mp4.length);
      expect(Buffer.from(bytes.subarray(mp4.length + 4, mp4.length + 8)).toString("latin1")).toBe("free");
      expect(bytes.subarray(mp4.length + 8).every((b) => b === 0)).toBe(true);

      const path = save(bytes, "mp4");
      expectCleanDecode(path);
      const s = probeStream(path);
      expect(s.codec_name).toBe("h264");
      expect(Number(s.nb_read_frames)).toBe(frameCountFor(spec));
      expect(sniffMediaType(bytes)).toBe("video/mp4");

      // The stream is re-iterable.
      expect((await collect(padded.stream())).length).toBe(totalBytes);
    }
  });

  it("streams 500 MB by reusing one zero chunk", async () => {
    const mp4 = await renderVideo({ ...base, durationSeconds: 1 });
    const totalBytes = 500 * 1024 * 1024;
    const padded = paddedVideoStream(mp4, totalBytes);
    let total = 0;
    const buffers = new Set<ArrayBufferLike>();
    for await (const chunk of padded.stream()) {
      total += chunk.length;
      buffers.add(chunk.buffer);
    }
    expect(total).toBe(totalBytes);
    // mp4 + header + one shared zero chunk: nothing proportional to totalBytes was allocated.
    expect(buffers.size).toBeLessThanOrEqual(3);
  });

  it("uses a 64-bit box size beyond 4 GiB and validates its arguments", async () => {
    const mp4 = await renderVideo({ ...base, durationSeconds: 0.1 });
    const totalBytes = 5 * 1024 ** 3;
    const chunks: Uint8Array[] = [];
    for await (const chunk of paddedVideoStream(mp4, totalBytes, 1 << 20).stream()) {
      chunks.push(chunk);
      if (chunks.length === 3) break;
    }
    const header = chunks[1]!;
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    expect(header.length).toBe(16);
    expect(view.getUint32(0)).toBe(1);
    expect(Buffer.from(header.subarray(4, 8)).toString("latin1")).toBe("free");
    expect(view.getBigUint64(8)).toBe(BigInt(totalBytes - mp4.length));

    expect(() => paddedVideoStream(mp4, mp4.length + 7)).toThrow(RangeError);
    expect(() => paddedVideoStream(mp4, mp4.length + 8, 0)).toThrow(RangeError);
  });
});

describe("renderImage", () => {
  it.each([
    [1280, 720],
    [33, 17],
    [1, 1],
  ])("PNG %i x %i decodes losslessly to the rendered scene", (width, height) => {
    const png = renderImage({ prompt: "a lighthouse", seed: 3, width, height, format: "png" });
    expect(sniffMediaType(png)).toBe("image/png");
    const path = save(png, "png");
    expectCleanDecode(path);
    const s = probeStream(path);
    expect(s.codec_name).toBe("png");
    expect([s.width, s.height]).toEqual([width, height]);
    const rgb = decodeRaw(path, "rgb24");
    const expected = renderRgb(makeScene("a lighthouse", 3), { width, height, time: 0 });
    expect(Buffer.compare(rgb, expected)).toBe(0);
  });

  it("JPEG decodes at the right size and looks like the PNG", () => {
    const spec = { prompt: "a lighthouse", seed: 3, width: 320, height: 180 };
    const jpg = renderImage({ ...spec, format: "jpeg" });
    expect(sniffMediaType(jpg)).toBe("image/jpeg");
    const path = save(jpg, "jpg");
    expectCleanDecode(path);
    const s = probeStream(path);
    expect(s.codec_name).toBe("mjpeg");
    expect([s.width, s.height]).toEqual([spec.width, spec.height]);

    const decoded = jpeg.decode(jpg, { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([spec.width, spec.height]);
    const expected = renderRgb(makeScene(spec.prompt, spec.seed), { ...spec, time: 0 });
    let error = 0;
    for (let i = 0, j = 0; i < expected.length; i += 3, j += 4) {
      for (let c = 0; c < 3; c++) error += Math.abs(expected[i + c]! - decoded.data[j + c]!);
    }
    expect(error / expected.length).toBeLessThan(4); // mean absolute error per channel
  });

  it("is deterministic and depends on prompt and seed", () => {
    for (const format of ["png", "jpeg"] as const) {
      const spec = { prompt: "a lighthouse", seed: 3, width: 96, height: 64, format };
      const a = renderImage(spec);
      expect(Buffer.compare(a, renderImage({ ...spec }))).toBe(0);
      expect(Buffer.compare(a, renderImage({ ...spec, seed: 4 }))).not.toBe(0);
      expect(Buffer.compare(a, renderImage({ ...spec, prompt: "a lighthouse at night" }))).not.toBe(0);
    }
  });

  it("rejects invalid sizes", () => {
    expect(() => renderImage({ prompt: "x", seed: 1, width: 0, height: 10, format: "png" })).toThrow(RangeError);
    expect(() => renderImage({ prompt: "x", seed: 1, width: 1.5, height: 10, format: "jpeg" })).toThrow(RangeError);
  });
});

describe("scaledFrameSize", () => {
  it.each([
    [1280, 720, 128],
    [720, 1280, 128],
    [1088, 624, 128],
    [624, 1088, 128],
    [832, 480, 128],
    [480, 832, 128],
    [1920, 1080, 128],
    [1024, 1024, 128],
    [1280, 720, 64],
    [1280, 720, 640],
    [100, 50, 128],
    [1000, 333, 128],
  ])("%i x %i (maxSide %i) keeps the aspect ratio with even sides", (w, h, maxSide) => {
    const size = scaledFrameSize(w, h, maxSide);
    expect(size.width % 2).toBe(0);
    expect(size.height % 2).toBe(0);
    expect(Math.max(size.width, size.height)).toBeLessThanOrEqual(Math.min(maxSide, Math.max(w, h)));
    expect(Math.max(size.width, size.height)).toBeGreaterThanOrEqual(Math.min(maxSide, Math.max(w, h)) * 0.75);
    expect(Math.abs(size.width / size.height / (w / h) - 1)).toBeLessThanOrEqual(0.01);
  });

  it("gives the obvious answers and defaults maxSide to 128", () => {
    expect(scaledFrameSize(1280, 720)).toEqual({ width: 128, height: 72 });
    expect(scaledFrameSize(720, 1280)).toEqual({ width: 72, height: 128 });
    expect(scaledFrameSize(1024, 1024)).toEqual({ width: 128, height: 128 });
    expect(scaledFrameSize(1280, 720, 640)).toEqual({ width: 640, height: 360 });
  });
});

describe("sniffAnyMediaType", () => {
  const bytes = (...parts: (string | number[])[]) =>
    Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((ch) => ch.charCodeAt(0)) : p)));

  it("recognises types beyond the six by file-type: MP3 and WAV", async () => {
    expect(await sniffAnyMediaType(bytes([0xff, 0xfb, 0x90, 0x64], new Array(400).fill(0)))).toBe("audio/mpeg");
    expect(await sniffAnyMediaType(bytes("RIFF", [0, 0, 0, 0], "WAVEfmt ", new Array(40).fill(0)))).toBe("audio/wav");
  });

  it("answers as sniffMediaType for the six types and what it refuses", async () => {
    // An ISO BMFF file of a brand neither MP4 nor QuickTime nor one file-type names (which it reads as video/mp4) is
    // unrecognised; "GIF" without a GIF version, which file-type reads as image/gif, stays unrecognised.
    for (const b of [
      bytes([0, 0, 0, 0x10], "ftypabcd", [0, 0, 0, 0]),
      bytes("GIF89a", [1, 0, 1, 0]),
      bytes("GIF", [0, 0, 0, 0, 1, 0, 1, 0]),
      bytes([0x89], "PNG"),
      bytes([0, 0, 0, 0x04], "ftyp", [0, 0, 0, 0]),
      new Uint8Array(0),
      bytes("hello world, not media"),
    ])
      expect(await sniffAnyMediaType(b)).toBe(sniffMediaType(b));
  });

  it("reads an ISO BMFF file of a photo or audio brand as file-type names it", async () => {
    expect(await sniffAnyMediaType(bytes([0, 0, 0, 0x18], "ftypM4A ", [0, 0, 2, 0], "isomiso2"))).toBe("audio/x-m4a");
    expect(await sniffAnyMediaType(bytes([0, 0, 0, 0x18], "ftypavif", [0, 0, 0, 0], "avifmif1"))).toBe("image/avif");
  });
});

describe("sniffMediaType", () => {
  it("recognises real files of every supported type", async () => {
    const png = renderImage({ prompt: "p", seed: 1, width: 32, height: 32, format: "png" });
    const pngPath = save(png, "png");
    const mp4Path = save(await renderVideo({ ...base, width: 32, height: 32, durationSeconds: 0.5 }), "mp4");
    const convert = (input: string, ext: string, extra: string[] = []) => {
      const out = join(dir, `conv${fileCounter++}.${ext}`);
      const r = tool("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", input, ...extra, out]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      return new Uint8Array(readFileSync(out));
    };
    expect(sniffMediaType(png)).toBe("image/png");
    expect(sniffMediaType(renderImage({ prompt: "p", seed: 1, width: 8, height: 8, format: "jpeg" }))).toBe(
      "image/jpeg",
    );
    expect(sniffMediaType(convert(pngPath, "gif"))).toBe("image/gif");
    expect(sniffMediaType(convert(pngPath, "webp"))).toBe("image/webp");
    expect(sniffMediaType(convert(mp4Path, "webm", ["-c:v", "libvpx", "-b:v", "100k"]))).toBe("video/webm");
    expect(sniffMediaType(convert(mp4Path, "mov", ["-c", "copy"]))).toBe("video/quicktime");
  }, 30_000);

  it("handles hand-made signatures and junk", () => {
    const bytes = (...parts: (string | number[])[]) =>
      Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((ch) => ch.charCodeAt(0)) : p)));
    expect(sniffMediaType(bytes([0, 0, 0, 0x20], "ftypisom", [0, 0, 2, 0]))).toBe("video/mp4");
    expect(sniffMediaType(bytes([0, 0, 0, 0x14], "ftypqt  ", [0, 0, 2, 0]))).toBe("video/quicktime");
    expect(sniffMediaType(bytes([0, 0, 0, 0x18], "ftypM4A ", [0, 0, 2, 0], "isomiso2"))).toBeUndefined();
    expect(sniffMediaType(bytes("RIFF", [0, 0, 0, 0], "WEBPVP8 "))).toBe("image/webp");
    expect(sniffMediaType(bytes("GIF87a", [1, 0, 1, 0]))).toBe("image/gif");
    expect(sniffMediaType(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f]))).toBe("video/webm");

    expect(sniffMediaType(new Uint8Array(0))).toBeUndefined();
    expect(sniffMediaType(bytes("hello world, not media"))).toBeUndefined();
    expect(sniffMediaType(bytes("RIFF", [0, 0, 0, 0], "WAVEfmt "))).toBeUndefined();
    expect(sniffMediaType(bytes([0x89, 0x50, 0x4e]))).toBeUndefined(); // truncated PNG signature
    expect(sniffMediaType(bytes([0xff, 0xd8]))).toBeUndefined(); // truncated JPEG signature
    expect(sniffMediaType(bytes("GIF90a"))).toBeUndefined();
    expect(sniffMediaType(bytes('{"error": "ftyp"}'))).toBeUndefined();
    expect(sniffMediaType(bytes([0, 0, 0, 4], "ftypisom"))).toBeUndefined(); // impossible box size
    const junk = new Uint8Array(4096);
    let s = 12345;
    for (let i = 0; i < junk.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      junk[i] = s >>> 24;
    }
    junk[0] = 0x42; // make sure it does not start with a real signature by accident
    expect(sniffMediaType(junk)).toBeUndefined();
  });
});
