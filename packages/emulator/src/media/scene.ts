/**
 * Deterministic synthetic pictures derived from (prompt, seed).
 *
 * A scene is a four-corner colour gradient background plus a few flat shapes
 * that bounce around the frame (DVD-logo style). Everything is derived from a
 * 32-bit hash of the prompt and seed through a xorshift PRNG, and rendering uses
 * only basic arithmetic (no trigonometry), so identical inputs give identical
 * pixels on any platform while different prompts/seeds give visibly different
 * colours, shapes and trajectories.
 */

export type Rgb = readonly [number, number, number];

interface Shape {
  kind: "disc" | "box";
  color: Rgb;
  /** Size as a fraction of the shorter frame side (diameter / edge length). */
  size: number;
  /** Start position as a fraction of the free space on each axis (0..1). */
  x0: number;
  y0: number;
  /** Velocity as a fraction of the frame width/height per second (signed). */
  vx: number;
  vy: number;
}

export interface Scene {
  /** Background corner colours: top-left, top-right, bottom-left, bottom-right. */
  corners: readonly [Rgb, Rgb, Rgb, Rgb];
  shapes: readonly Shape[];
  /** Colour of the progress bar drawn along the bottom of video frames. */
  barColor: Rgb;
}

/** 32-bit FNV-1a over bytes, continuing from `hash`. */
function fnv1a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Hash of prompt and seed. A 0xFF byte (never valid in UTF-8) separates the
 * UTF-8 prompt from the decimal seed so that no two (prompt, seed) pairs collide
 * by concatenation.
 */
export function sceneHash(prompt: string, seed: number): number {
  const encoder = new TextEncoder();
  let h = fnv1a(encoder.encode(prompt));
  h = fnv1a(Uint8Array.of(0xff), h);
  h = fnv1a(encoder.encode(String(seed)), h);
  // Final avalanche so that similar inputs spread over all bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Marsaglia xorshift32; returns floats in [0, 1). */
function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9; // the state must never be zero
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

/** HSV (all components 0..1) to 8-bit RGB. */
function hsv(h: number, s: number, v: number): Rgb {
  const hh = (((h % 1) + 1) % 1) * 6;
  const sector = Math.floor(hh);
  const f = hh - sector;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][sector] ?? [v, t, p];
  return [Math.round(r! * 255), Math.round(g! * 255), Math.round(b! * 255)];
}

export function makeScene(prompt: string, seed: number): Scene {
  const rand = xorshift32(sceneHash(prompt, seed));
  const range = (lo: number, hi: number) => lo + (hi - lo) * rand();
  const signed = (lo: number, hi: number) => (rand() < 0.5 ? -1 : 1) * range(lo, hi);

  // Background: four related, fairly dark hues so the bright shapes stand out.
  const baseHue = rand();
  const spread = range(0.08, 0.35);
  const corner = (i: number) =>
    hsv(baseHue + spread * (i / 3) * (i % 2 === 0 ? 1 : -1), range(0.45, 0.9), range(0.25, 0.6));
  const corners: Scene["corners"] = [corner(0), corner(1), corner(2), corner(3)];

  // Shapes: bright, saturated, hues roughly opposite the background.
  const shapeCount = 2 + Math.floor(rand() * 2); // 2 or 3
  const shapes: Shape[] = [];
  for (let i = 0; i < shapeCount; i++) {
    shapes.push({
      kind: rand() < 0.5 ? "disc" : "box",
      color: hsv(baseHue + 0.5 + (i - 1) * 0.12 + range(-0.05, 0.05), range(0.6, 1), range(0.85, 1)),
      size: range(0.15, 0.32),
      x0: rand(),
      y0: rand(),
      vx: signed(0.15, 0.6),
      vy: signed(0.15, 0.6),
    });
  }
  const barColor = hsv(baseHue + 0.5, 0.2, 1);
  return { corners, shapes, barColor };
}

/**
 * Position along one axis of an object bouncing between 0 and `free` pixels.
 * `start` is a fraction of `free`; `travelled` is the distance moved so far.
 */
function bounce(start: number, travelled: number, free: number): number {
  if (free <= 0) return 0;
  const period = 2 * free;
  const p = (((start * free + travelled) % period) + period) % period;
  return p <= free ? p : period - p;
}

export interface RenderOptions {
  /** The picture (display) size the scene geometry is laid out for. */
  width: number;
  height: number;
  /** The size of the RGB buffer to fill (>= width/height; extra area continues the background). */
  bufferWidth?: number;
  bufferHeight?: number;
  /** Time in seconds for the shape positions. */
  time: number;
  /** When set (0..1), draws a progress bar of this fraction along the bottom. */
  progress?: number;
}

/** Renders the background only (static across frames); packed RGB, 3 bytes per pixel. */
export function renderBackground(scene: Scene, opts: RenderOptions): Uint8Array {
  const bw = opts.bufferWidth ?? opts.width;
  const bh = opts.bufferHeight ?? opts.height;
  const out = new Uint8Array(bw * bh * 3);
  const [tl, tr, bl, br] = scene.corners;
  const xDen = Math.max(1, opts.width - 1);
  const yDen = Math.max(1, opts.height - 1);
  for (let y = 0; y < bh; y++) {
    const fy = Math.min(1, y / yDen);
    for (let x = 0; x < bw; x++) {
      const fx = Math.min(1, x / xDen);
      const o = (y * bw + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = tl[c]! + (tr[c]! - tl[c]!) * fx;
        const bottom = bl[c]! + (br[c]! - bl[c]!) * fx;
        out[o + c] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return out;
}

/** Draws the shapes (and optional progress bar) for `opts.time` over `rgb` in place. */
export function drawForeground(scene: Scene, rgb: Uint8Array, opts: RenderOptions): void {
  const { width, height, time } = opts;
  const bw = opts.bufferWidth ?? width;
  const minSide = Math.min(width, height);
  const fill = (x0: number, x1: number, y: number, color: Rgb) => {
    let o = (y * bw + x0) * 3;
    for (let x = x0; x < x1; x++, o += 3) {
      rgb[o] = color[0];
      rgb[o + 1] = color[1];
      rgb[o + 2] = color[2];
    }
  };

  for (const shape of scene.shapes) {
    const size = Math.max(2, Math.round(shape.size * minSide));
    const left = Math.round(bounce(shape.x0, shape.vx * width * time, width - size));
    const top = Math.round(bounce(shape.y0, shape.vy * height * time, height - size));
    const r = size / 2;
    for (let dy = 0; dy < size && top + dy < height; dy++) {
      const y = top + dy;
      if (shape.kind === "box") {
        fill(left, Math.min(width, left + size), y, shape.color);
        continue;
      }
      // Disc: horizontal span of the circle at this row's centre.
      const cy = dy + 0.5 - r;
      const half = Math.sqrt(Math.max(0, r * r - cy * cy));
      const x0 = Math.max(0, Math.round(left + r - half));
      const x1 = Math.min(width, Math.round(left + r + half));
      if (x1 > x0) fill(x0, x1, y, shape.color);
    }
  }

  if (opts.progress !== undefined) {
    const barHeight = Math.max(2, Math.round(height / 24));
    const barWidth = Math.round(Math.min(1, Math.max(0, opts.progress)) * width);
    for (let y = height - barHeight; y < height; y++) fill(0, barWidth, y, scene.barColor);
  }
}

/** Renders a full picture (background + foreground) as packed RGB. */
export function renderRgb(scene: Scene, opts: RenderOptions): Uint8Array {
  const rgb = renderBackground(scene, opts);
  drawForeground(scene, rgb, opts);
  return rgb;
}

/**
 * Converts packed RGB (width*height*3, even dimensions) to planar 4:2:0 Y'CbCr,
 * BT.601 limited range (Y 16..235, Cb/Cr 16..240), with 8-bit integer maths.
 * Chroma is computed from the average colour of each 2x2 block.
 */
export function rgbToYuv420(
  rgb: Uint8Array,
  width: number,
  height: number,
): { y: Uint8Array; cb: Uint8Array; cr: Uint8Array } {
  const y = new Uint8Array(width * height);
  const cw = width / 2;
  const ch = height / 2;
  const cb = new Uint8Array(cw * ch);
  const cr = new Uint8Array(cw * ch);
  for (let i = 0, p = 0; i < width * height; i++, p += 3) {
    y[i] = ((66 * rgb[p]! + 129 * rgb[p + 1]! + 25 * rgb[p + 2]! + 128) >> 8) + 16;
  }
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const p = ((cy * 2 + dy) * width + cx * 2 + dx) * 3;
          r += rgb[p]!;
          g += rgb[p + 1]!;
          b += rgb[p + 2]!;
        }
      }
      r = (r + 2) >> 2;
      g = (g + 2) >> 2;
      b = (b + 2) >> 2;
      const i = cy * cw + cx;
      cb[i] = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
      cr[i] = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
    }
  }
  return { y, cb, cr };
}
