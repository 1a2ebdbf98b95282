/**
 * A multipart body's header values and text as the server reads them: python-multipart's `parse_options_header`
 * (the request's Content-Type and each part's Content-Disposition) and Starlette's decoding of a part's bytes in the
 * body's charset (`_user_safe_decode`). Strings here hold bytes, one character a byte (latin-1), as the server holds
 * a header value.
 */

/** A header value's type and parameters, as python-multipart reads them. */
export interface OptionsHeader {
  /** The value before the first `;`, lowercased only when there are no parameters. */
  type: string;
  /** Parameters by name (lowercased when a `=` follows it), a later one over an earlier one of the same name. */
  params: Map<string, string>;
}

/**
 * python-multipart's `parse_options_header`: `;`-separated segments (a `;` inside double quotes separates nothing),
 * each `key=value` (a bare `key` has the value ""), a quoted value unquoted (`\\` and `\"` unescaped), the extended
 * notation of RFC 2231/5987 (`filename*=utf-8''…`, `name*0=…`) ignored as RFC 7578 asks, and a `filename` that is a
 * full Windows path (`C:\…`, `\\server\…`) cut to its last segment.
 */
export function parseOptionsHeader(value: string | undefined): OptionsHeader {
  const params = new Map<string, string>();
  if (!value) return { type: "", params };
  if (!value.includes(";")) return { type: pyStrip(value.toLowerCase()), params };
  const [type = "", ...segments] = splitParams(value);
  for (const segment of segments) {
    const eq = segment.indexOf("=");
    const key = eq < 0 ? segment : segment.slice(0, eq);
    let val = eq < 0 ? "" : segment.slice(eq + 1);
    if (key.includes("*")) continue;
    if (val.length >= 2 && val.startsWith('"') && val.endsWith('"')) {
      val = val.slice(1, -1).replaceAll("\\\\", "\\").replaceAll('\\"', '"');
    }
    if (key === "filename" && (val.slice(1, 3) === ":\\" || val.startsWith("\\\\"))) {
      val = val.slice(val.lastIndexOf("\\") + 1);
    }
    params.set(key, val);
  }
  return { type, params };
}

/** Python's `str.count` over `s[start:end]` (negative bounds from the end, as Python slices them). */
function count(s: string, sub: string, start: number, end: number): number {
  const at = (i: number) => (i < 0 ? Math.max(0, s.length + i) : Math.min(i, s.length));
  const slice = s.slice(at(start), at(end));
  return slice.length < sub.length ? 0 : slice.split(sub).length - 1;
}

/** The standard library's `email.message._parseparam` (Python 3.14), which python-multipart carries. */
function splitParams(value: string): string[] {
  const s = `;${value}`;
  const plist: string[] = [];
  let start = 0;
  while (s.indexOf(";", start) === start) {
    start += 1;
    let end = s.indexOf(";", start);
    let ind = start;
    let diff = 0;
    while (end > 0) {
      diff += count(s, '"', ind, end) - count(s, '\\"', ind, end);
      if (diff % 2 === 0) break;
      const next = s.indexOf(";", end + 1);
      end = ind;
      ind = next;
    }
    if (end < 0) end = s.length;
    const i = s.indexOf("=", start);
    const f =
      i === -1 || i >= end
        ? s.slice(start, end)
        : `${pyRstrip(s.slice(start, i)).toLowerCase()}=${pyLstrip(s.slice(i + 1, end))}`;
    plist.push(pyStrip(f));
    start = end;
  }
  return plist;
}

/** What Python's `str.strip()` takes for whitespace, among the characters a header's bytes make. */
const isPySpace = (code: number) =>
  (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x20) || code === 0x85 || code === 0xa0;
const pyLstrip = (s: string) => {
  let i = 0;
  while (i < s.length && isPySpace(s.charCodeAt(i))) i++;
  return s.slice(i);
};
const pyRstrip = (s: string) => {
  let i = s.length;
  while (i > 0 && isPySpace(s.charCodeAt(i - 1))) i--;
  return s.slice(0, i);
};
const pyStrip = (s: string) => pyLstrip(pyRstrip(s));

/**
 * Starlette's `_user_safe_decode`: bytes (one character a byte) decoded in a Python codec named `charset`, or, where
 * Python knows no such codec or the bytes are not text in it, one character a byte (latin-1). Python's names are
 * read as its codec registry reads them (`UTF-8`, `utf8`, `latin1`, `iso-8859-1`, `us-ascii`, `cp1252`, `utf-16`, …);
 * a name outside those is decoded as the WHATWG decoder of that name decodes, where there is one.
 */
export function userSafeDecode(bytes: string, charset: string): string {
  const decode = pythonCodec(charset);
  if (decode) {
    try {
      return decode(Buffer.from(bytes, "latin1"));
    } catch {
      // Not text in that charset.
    }
  }
  return bytes;
}

type Decode = (bytes: Buffer) => string;

const strict = (label: string, ignoreBOM = true): Decode => {
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM });
  return (bytes) => decoder.decode(bytes);
};
const UTF8 = strict("utf-8");
const UTF16LE = strict("utf-16le");
const UTF16BE = strict("utf-16be");
/** Python's cp1252 leaves five bytes undefined, where WHATWG's windows-1252 maps them to C1 controls. */
const CP1252: Decode = (bytes) => {
  if (bytes.some((b) => b === 0x81 || b === 0x8d || b === 0x8f || b === 0x90 || b === 0x9d)) throw new Error();
  return strict("windows-1252")(bytes);
};
/** Python's `utf-16`: a byte-order mark says the order (and is dropped), little-endian without one. */
const UTF16: Decode = (bytes) => {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return UTF16BE(bytes.subarray(2));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return UTF16LE(bytes.subarray(2));
  return UTF16LE(bytes);
};
const LATIN1: Decode = (bytes) => bytes.toString("latin1");

/** Python's codec aliases (encodings.aliases) for the codecs above, normalized as Python normalizes a name. */
const PY_CODECS = new Map<string, Decode>();
for (const [decode, names] of [
  [UTF8, "utf_8 utf8 u8 utf utf8_ucs2 utf8_ucs4 cp65001"],
  // ascii: bytes it takes read the same in latin-1, and any other falls back to latin-1.
  [
    LATIN1,
    "latin_1 latin1 latin l1 iso8859_1 iso_8859_1 iso_8859_1_1987 iso_ir_100 ibm819 cp819 8859 csisolatin1 " +
      "ascii us_ascii us 646 ansi_x3.4_1968 ansi_x3_4_1968 ansi_x3.4_1986 cp367 csascii ibm367 iso646_us " +
      "iso_646.irv_1991 iso_ir_6",
  ],
  [CP1252, "cp1252 windows_1252 1252"],
  [UTF16, "utf_16 utf16 u16"],
  [UTF16LE, "utf_16_le utf_16le unicodelittleunmarked"],
  [UTF16BE, "utf_16_be utf_16be unicodebigunmarked"],
] as const) {
  for (const name of names.split(" ")) PY_CODECS.set(name, decode);
}

/** Python's `encodings.normalize_encoding` after `codecs.lookup` lowercases: runs of other characters become `_`. */
function normalizeCodecName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

function pythonCodec(charset: string): Decode | undefined {
  const known = PY_CODECS.get(normalizeCodecName(charset));
  if (known) return known;
  try {
    return strict(charset);
  } catch {
    return undefined;
  }
}
