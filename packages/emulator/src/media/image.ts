/**
 * Still-image encoders: PNG (written by hand with node:zlib) and JPEG (jpeg-js).
 */
import { crc32, deflateSync } from "node:zlib";
import jpeg from "jpeg-js";

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** One PNG chunk: length, type, data, CRC-32 over type + data. */
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes packed 8-bit RGB as a truecolour, non-interlaced PNG. */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour (RGB)
  ihdr[10] = 0; // compression method: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace

  // Each scanline gets a filter-type byte; "Sub" (1) stores the difference to
  // the pixel on the left, which suits smooth gradients.
  const stride = width * 3;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const src = y * stride;
    const dst = y * (stride + 1);
    raw[dst] = 1;
    for (let i = 0; i < stride; i++) {
      const left = i >= 3 ? rgb[src + i - 3]! : 0;
      raw[dst + 1 + i] = (rgb[src + i]! - left) & 0xff;
    }
  }
  const idat = deflateSync(raw, { level: 9 });

  const parts = [PNG_SIGNATURE, pngChunk("IHDR", ihdr), pngChunk("IDAT", idat), pngChunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Encodes packed 8-bit RGB as a baseline JPEG. */
export function encodeJpeg(rgb: Uint8Array, width: number, height: number, quality = 90): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i]!;
    rgba[j + 1] = rgb[i + 1]!;
    rgba[j + 2] = rgb[i + 2]!;
    rgba[j + 3] = 255;
  }
  const encoded = jpeg.encode({ data: rgba, width, height }, quality).data;
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
