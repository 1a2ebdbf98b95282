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
 * Python knows no such codec or the bytes are not text in it, one character a byte (latin-1). A name is read as
 * Python's codec registry reads it (`UTF-8`, `utf8`, `latin-1`, `mac-roman`, `cp1251`, `shift-jis`, …: its codec
 * modules' names and their aliases); a name Python does not know is latin-1, whatever a WHATWG decoder makes of it.
 * Python codecs Node has no decoder for (utf-7, the DOS and EBCDIC code pages, iso8859_11 and _16, …) are read as
 * latin-1 too.
 */
export function userSafeDecode(bytes: string, charset: string): string {
  const decode = PY_CODECS.get(normalizeCodecName(charset));
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

const strict = (label: string): Decode => {
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
  return (bytes) => decoder.decode(bytes);
};
/**
 * A Windows code page: where Python's codec leaves a byte undefined, Node's decoder reads it as the C1 control of the
 * same number (U+0080–U+009F), which no byte of Python's codec is, or as `undefinedToo` says (cp874's 0xDB–0xDE and
 * 0xFC–0xFF as private-use characters, cp1253's 0xAA as `ª`).
 */
const windows = (label: string, undefinedToo = ""): Decode => {
  const decode = strict(label);
  const notPython = new RegExp(`[\\x80-\\x9f${undefinedToo}]`);
  return (bytes) => {
    const text = decode(bytes);
    if (notPython.test(text)) throw new Error(`not ${label}`);
    return text;
  };
};
/**
 * Python's cp1252: latin-1 but for its bytes 0x80–0x9F, which Node 20's windows-1252 decoder reads as latin-1 too;
 * the five it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D, `\0` here) are not text in it.
 */
const CP1252_80_9F = "€\0‚ƒ„…†‡ˆ‰Š‹Œ\0Ž\0\0‘’“”•–—˜™š›œ\0žŸ";
const CP1252: Decode = (bytes) =>
  bytes.toString("latin1").replace(/[\x80-\x9f]/g, (c) => {
    const char = CP1252_80_9F[c.charCodeAt(0) - 0x80]!;
    if (char === "\0") throw new Error("not cp1252");
    return char;
  });
/**
 * A decoder of Node's (ICU's IBM tables: shift_jis, ibm866) that reads the bytes 0x1A, 0x1C and 0x7F as U+001C, U+007F
 * and U+001A, each byte its own character in Python's codecs.
 */
const ibmControls = (label: string): Decode => {
  const decode = strict(label);
  return (bytes) => Array.from(decode(bytes), (c) => IBM_CONTROLS[c] ?? c).join("");
};
const IBM_CONTROLS: Record<string, string> = { "\x1c": "\x1a", "\x7f": "\x1c", "\x1a": "\x7f" };
const UTF16LE = strict("utf-16le");
const UTF16BE = strict("utf-16be");
/** Python's `utf-16`: a byte-order mark says the order (and is dropped), little-endian without one. */
const UTF16: Decode = (bytes) => {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return UTF16BE(bytes.subarray(2));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return UTF16LE(bytes.subarray(2));
  return UTF16LE(bytes);
};
/** Python's `utf-32` (`le` given: that order, a mark kept as U+FEFF), which Node has no decoder for. */
const utf32 =
  (le?: boolean): Decode =>
  (bytes) => {
    if (bytes.length % 4 !== 0) throw new Error("not utf-32");
    let little = le ?? true;
    let at = 0;
    if (le === undefined && bytes.length >= 4) {
      if (bytes.readUInt32LE(0) === 0xfeff) at = 4;
      else if (bytes.readUInt32BE(0) === 0xfeff) [little, at] = [false, 4];
    }
    let text = "";
    for (; at < bytes.length; at += 4) {
      const code = little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new Error("not utf-32");
      text += String.fromCodePoint(code);
    }
    return text;
  };
/** Python's iso8859_9: windows-1254 (WHATWG's reading of the name) but for the C1 controls of its bytes 0x80–0x9F. */
let iso8859_9: string[] | undefined;
const ISO8859_9: Decode = (bytes) => {
  if (!iso8859_9) {
    iso8859_9 = [...new TextDecoder("windows-1254").decode(Uint8Array.from({ length: 256 }, (_, i) => i))];
    for (let i = 0x80; i <= 0x9f; i++) iso8859_9[i] = String.fromCharCode(i);
  }
  const table = iso8859_9;
  return Array.from(bytes, (b) => table[b]).join("");
};
const LATIN1: Decode = (bytes) => bytes.toString("latin1");

/**
 * Python's codecs (encodings.aliases, and the modules' own names) that Node decodes, each to Node's decoder of its
 * WHATWG label, names normalized as Python normalizes them. Node 20's multi-byte decoders are ICU's, not WHATWG's, and
 * differ from Python's codecs on some sequences (the README lists those known: cp949 read by euc-kr misses the Unified
 * Hangul Code extension, gbk, gb18030 and big5 take a few Python refuses), as koi8-u takes two letters Python's reads
 * as box drawing.
 */
const PY_CODECS = new Map<string, Decode>();
for (const [decode, names] of [
  [strict("utf-8"), "utf_8 utf8 u8 utf utf8_ucs2 utf8_ucs4 cp65001"],
  // ascii: bytes it takes read the same in latin-1, and any other falls back to latin-1.
  [
    LATIN1,
    "latin_1 latin1 latin l1 iso8859 iso8859_1 iso_8859_1 iso_8859_1_1987 iso_ir_100 ibm819 cp819 8859 csisolatin1 " +
      "ascii us_ascii us 646 ansi_x3.4_1968 ansi_x3_4_1968 ansi_x3.4_1986 cp367 csascii ibm367 iso646_us " +
      "iso_646.irv_1991 iso_ir_6",
  ],
  [UTF16, "utf_16 utf16 u16"],
  [UTF16LE, "utf_16_le utf_16le unicodelittleunmarked"],
  [UTF16BE, "utf_16_be utf_16be unicodebigunmarked"],
  [utf32(), "utf_32 utf32 u32"],
  [utf32(true), "utf_32_le utf_32le"],
  [utf32(false), "utf_32_be utf_32be"],
  ...[1250, 1251, 1253, 1254, 1255, 1256, 1257, 1258].map(
    (n) => [windows(`windows-${n}`, n === 1253 ? "\\xaa" : ""), `cp${n} windows_${n} ${n}`] as const,
  ),
  [CP1252, "cp1252 windows_1252 1252"],
  [windows("windows-874", "\\uf8c1-\\uf8c8"), "cp874"],
  [strict("iso-8859-2"), "iso8859_2 iso_8859_2 iso_8859_2_1987 iso_ir_101 csisolatin2 l2 latin2"],
  [strict("iso-8859-3"), "iso8859_3 iso_8859_3 iso_8859_3_1988 iso_ir_109 csisolatin3 l3 latin3"],
  [strict("iso-8859-4"), "iso8859_4 iso_8859_4 iso_8859_4_1988 iso_ir_110 csisolatin4 l4 latin4"],
  [strict("iso-8859-5"), "iso8859_5 iso_8859_5 iso_8859_5_1988 iso_ir_144 csisolatincyrillic cyrillic"],
  [strict("iso-8859-6"), "iso8859_6 iso_8859_6 iso_8859_6_1987 iso_ir_127 csisolatinarabic arabic asmo_708 ecma_114"],
  [
    strict("iso-8859-7"),
    "iso8859_7 iso_8859_7 iso_8859_7_1987 iso_ir_126 csisolatingreek greek greek8 ecma_118 elot_928",
  ],
  [strict("iso-8859-8"), "iso8859_8 iso_8859_8 iso_8859_8_1988 iso_ir_138 csisolatinhebrew hebrew"],
  [ISO8859_9, "iso8859_9 iso_8859_9 iso_8859_9_1989 iso_ir_148 csisolatin5 l5 latin5"],
  [strict("iso-8859-10"), "iso8859_10 iso_8859_10 iso_8859_10_1992 iso_ir_157 csisolatin6 l6 latin6"],
  [strict("iso-8859-13"), "iso8859_13 iso_8859_13 l7 latin7"],
  [strict("iso-8859-14"), "iso8859_14 iso_8859_14 iso_8859_14_1998 iso_celtic iso_ir_199 l8 latin8"],
  [strict("iso-8859-15"), "iso8859_15 iso_8859_15 l9 latin9"],
  [strict("koi8-r"), "koi8_r cskoi8r"],
  [strict("koi8-u"), "koi8_u"],
  [ibmControls("ibm866"), "cp866 866 csibm866 ibm866"],
  [strict("macintosh"), "mac_roman macroman macintosh"],
  [strict("x-mac-cyrillic"), "mac_cyrillic maccyrillic"],
  [
    strict("gbk"),
    "gbk cp936 ms936 936 gb2312 chinese csiso58gb231280 euc_cn euccn eucgb2312_cn gb2312_1980 " +
      "gb2312_80 iso_ir_58 x_mac_simp_chinese",
  ],
  [strict("gb18030"), "gb18030 gb18030_2000"],
  [strict("big5"), "big5 big5_tw csbig5 cp950 950 ms950 big5hkscs big5_hkscs hkscs x_mac_trad_chinese"],
  [strict("euc-jp"), "euc_jp eucjp ujis u_jis"],
  [strict("iso-2022-jp"), "iso2022_jp csiso2022jp iso2022jp iso_2022_jp"],
  [
    ibmControls("shift_jis"),
    "shift_jis csshiftjis shiftjis sjis s_jis cp932 932 ms932 mskanji ms_kanji x_mac_japanese",
  ],
  [
    strict("euc-kr"),
    "euc_kr euckr korean ksc5601 ks_c_5601 ks_c_5601_1987 ksx1001 ks_x_1001 cp949 949 ms949 uhc x_mac_korean",
  ],
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
