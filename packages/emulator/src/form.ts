/**
 * Streaming form bodies (multipart/form-data and urlencoded) through busboy. File parts go through a counting sink
 * that keeps only the first bytes (for sniffing the media type) and the size: an upload never sits in memory.
 * Limits are enforced while streaming; a body over the limit stops the parse at once.
 */
import type { IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import { Transform, type TransformCallback } from "node:stream";
import busboy from "busboy";
import type { Ctx } from "./http.js";
import { detail, drain, startReading } from "./http.js";
import { isPortraitImage, isPortraitMoov, JpegReader, MoovReader, sniffAnyMediaType } from "./media/index.js";
import { parseOptionsHeader, userSafeDecode } from "./pyheaders.js";
import type { FormField, Loc, ValidationIssue } from "./validation.js";
import { issue } from "./validation.js";

/** Bytes kept from the start of every file part, for sniffing. */
const HEAD_BYTES = 4096;
/**
 * Largest text value: a longer multipart text part is refused as the server refuses it (Starlette's `max_part_size`),
 * a longer urlencoded value is cut and reported as too long.
 */
export const MAX_FIELD_BYTES = 1024 * 1024;
/** Most text parts and most file parts of one multipart body, as Starlette counts them (beyond: 400, its words). */
export const MAX_FIELDS = 1000;
export const MAX_FILES = 1000;
/** Most fields of one urlencoded body (the emulator's own bound, where the server has none; beyond: 413). */
export const MAX_URLENCODED_FIELDS = 1000;
/** Room for text parts and multipart framing on top of the file limit. */
const BODY_SLACK_BYTES = 4 * 1024 * 1024;

export interface FilePart {
  /** The name the part gave, as the server reads it ("" for `filename=""`). */
  filename: string;
  /** The part's Content-Type, its type and subtype in lower case; "" for a part without one. */
  declaredType: string;
  size: number;
  head: Buffer;
  /** The media type read from the first bytes (undefined when unknown). */
  sniffedType: string | undefined;
  /**
   * An MP4 or QuickTime video shown taller than wide (its video track's header, read as its bytes went by: see
   * `MoovReader`), or a PNG, JPEG or WebP image (its header: see `JpegReader`, `isPortraitImage`); undefined when that
   * could not be read (no such file, or no track header in its `moov`, no frame header in a JPEG).
   */
  portrait?: boolean | undefined;
}

export interface FormPart {
  name: string;
  /** Text value of a text part ("" for a file part). */
  text: string;
  file?: FilePart;
  /** The (urlencoded) text was longer than MAX_FIELD_BYTES and was cut. */
  truncated: boolean;
}

export type ParseOutcome =
  | { kind: "ok"; parts: FormPart[] }
  /** The request is finished being answered for: respond with status + detail. */
  | { kind: "error"; status: 400 | 413; detail: string }
  /** The client went away. */
  | { kind: "aborted" };

export interface ParseLimits {
  maxFileBytes: number;
}

const MULTIPART = "multipart/form-data";
const URLENCODED = "application/x-www-form-urlencoded";
/** python-multipart's longest boundary: a longer one is an error. */
const MAX_BOUNDARY_LENGTH = 256;

/**
 * Reads a form body. Content types other than multipart/form-data and urlencoded give an empty form (FastAPI's
 * reading: the body is ignored, so required fields are "missing"); the body is left unread for the server to drain.
 * The type is told as Starlette tells it, by python-multipart's reading of the Content-Type: its case counts where
 * parameters follow it (`Multipart/Form-Data; boundary=…` is no form for the server).
 */
export function parseForm(req: IncomingMessage, limits: ParseLimits, startReading = noop): Promise<ParseOutcome> {
  const contentType = req.headers["content-type"] ?? "";
  const { type, params: typeParams } = parseOptionsHeader(contentType);
  if (type !== MULTIPART && type !== URLENCODED) return Promise.resolve({ kind: "ok", parts: [] });
  const urlencoded = type === URLENCODED;
  const boundary = typeParams.get("boundary") ?? "";
  if (!urlencoded && !typeParams.has("boundary")) {
    return Promise.resolve({ kind: "error", status: 400, detail: "Missing boundary in multipart." });
  }
  if (!urlencoded && boundary.length > MAX_BOUNDARY_LENGTH) {
    return Promise.resolve({ kind: "error", status: 400, detail: PARSE_ERROR });
  }

  const maxBody = limits.maxFileBytes + BODY_SLACK_BYTES;
  const declaredLength = Number(req.headers["content-length"]);
  if (Number.isFinite(declaredLength) && declaredLength > maxBody) {
    return Promise.resolve({ kind: "error", status: 413, detail: tooLargeDetail(limits.maxFileBytes) });
  }

  // Text is read as its bytes (busboy's latin1, one character a byte), then as the server reads it. A urlencoded body
  // is read as Starlette reads it, whatever charset it names: its bytes one character a byte, and each `%` escape
  // unquoted by urllib (see pyUnquote). A multipart body's every text part, name and file name in the charset of the
  // whole body (its Content-Type's `charset`, UTF-8 by default), whatever charset a part names for itself, and where
  // the bytes are not text in that charset, one character a byte.
  // busboy is given the type it reads (a boundary of its own: the body's is put in its search by boundaryAsServer).
  const headers = {
    ...req.headers,
    "content-type": urlencoded ? URLENCODED : `${MULTIPART}; boundary=b`,
  };
  const bodyCharset = typeParams.get("charset") ?? "utf-8";
  const startsRight = urlencoded ? undefined : startReader(boundary);
  const options: busboy.BusboyConfig = {
    headers,
    defCharset: "latin1",
    defParamCharset: "latin1",
    limits: {
      // busboy reports `limit` when a file *reaches* fileSize; +1 lets a file of exactly maxFileBytes through.
      fileSize: limits.maxFileBytes + 1,
      // busboy reports a field cut when it *reaches* fieldSize; +1 lets a value of exactly MAX_FIELD_BYTES through. A
      // urlencoded value comes with its escapes (see EscapePercents), three bytes for one at most: measured once
      // unquoted.
      fieldSize: urlencoded ? 3 * MAX_FIELD_BYTES + 3 : MAX_FIELD_BYTES + 1,
      fieldNameSize: urlencoded ? 600 : 200,
      // A multipart body's parts are counted as the server counts them (readHeadsAsServer's onPart).
      fields: urlencoded ? MAX_URLENCODED_FIELDS : Number.POSITIVE_INFINITY,
      headerPairs: 100,
    },
  };
  let bb: busboy.Busboy;
  /** The head of the part busboy is reading, as the server reads it. */
  let partHead: PartHead | undefined;
  /**
   * What the server refuses as the bytes come (a part without a name, a head over its limits, a text part over
   * MAX_FIELD_BYTES): refused even where the body ends before the part does (set once the parse has begun).
   */
  let refuse: (detail: string) => void = noop;
  /** The multipart body's text parts and file parts so far. */
  let fields = 0;
  let files = 0;
  // Between the request and busboy: urlencoded, every `%` escaped (busboy gives the escapes as sent, for pyUnquote);
  // multipart, the bytes python-multipart skips before its first boundary dropped.
  const through = urlencoded ? new EscapePercents() : new SkipLeadingLines();
  try {
    bb = busboy(options);
    if (!urlencoded) boundaryAsServer(bb, boundary);
    if (!urlencoded) {
      readHeadsAsServer(bb, bodyCharset, {
        onPart: (head) => {
          partHead = head;
          // Starlette's words, once a part's head is read: its name first, then its count.
          if (head.name === undefined) refuse(NO_NAME);
          else if (head.file ? ++files > MAX_FILES : ++fields > MAX_FIELDS) {
            refuse(
              head.file
                ? `Too many files. Maximum number of files is ${MAX_FILES}.`
                : `Too many fields. Maximum number of fields is ${MAX_FIELDS}.`,
            );
          }
        },
        onHeadRefused: () => refuse(PARSE_ERROR),
        onTextTooLarge: () => refuse(PART_TOO_LARGE),
        onNoHead: () => refuse(NO_NAME),
      });
    }
  } catch (err) {
    const message = (err as Error).message ?? "";
    const detail = /boundary/i.test(message) ? "Missing boundary in multipart." : PARSE_ERROR;
    return Promise.resolve({ kind: "error", status: 400, detail });
  }

  return new Promise<ParseOutcome>((resolve) => {
    const parts: FormPart[] = [];
    let settled = false;
    let received = 0;
    /** The last bytes of the body (one character a byte), enough to tell whether it ends in a boundary. */
    let tail = "";

    const finish = (outcome: ParseOutcome) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("aborted", onAborted);
      req.off("close", onClose);
      if (outcome.kind !== "ok") {
        req.unpipe(through);
        through.unpipe(bb);
        through.destroy();
        bb.removeAllListeners();
        bb.on("error", () => {});
        bb.destroy();
      }
      resolve(outcome);
    };
    // Error outcomes raised from inside busboy's callbacks are settled on the next tick: destroying busboy while it
    // is still in its own call stack makes it dereference its torn-down state.
    let failure: ParseOutcome | undefined;
    const fail = (status: 400 | 413, detail: string) => {
      if (failure || settled) return;
      const outcome: ParseOutcome = { kind: "error", status, detail };
      failure = outcome;
      process.nextTick(() => finish(outcome));
    };
    const tooLarge = () => fail(413, tooLargeDetail(limits.maxFileBytes));
    refuse = (detail) => fail(400, detail);
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBody) tooLarge();
      else if (startsRight?.(chunk) === false) fail(400, PARSE_ERROR);
      else if (!urlencoded)
        tail = (tail + chunk.subarray(-(boundary.length + 8)).toString("latin1")).slice(-(boundary.length + 8));
    };
    const onAborted = () => finish({ kind: "aborted" });
    const onClose = () => {
      if (!req.complete) finish({ kind: "aborted" });
    };

    const unnamed = (name: string | undefined): name is undefined => {
      if (typeof name === "string") return false;
      // A multipart part without a name (the server's words).
      fail(400, NO_NAME);
      return true;
    };
    // Text fields as busboy gives them (bytes, one character a byte), read once the whole body is in.
    const texts: { part: FormPart; value: string }[] = [];
    /** A multipart part's name, as the server reads it from its head (undefined when it has none). */
    const partName = () => (partHead?.name === undefined ? undefined : userSafeDecode(partHead.name, bodyCharset));
    bb.on("field", (busboyName, value, info) => {
      const name = urlencoded ? pyUnquote(busboyName) : partName();
      if (unnamed(name)) return;
      if (!urlencoded && info.valueTruncated) return fail(400, PART_TOO_LARGE);
      const truncated = info.valueTruncated || (urlencoded && unquotedLength(value) > MAX_FIELD_BYTES);
      const part: FormPart = { name, text: "", truncated };
      texts.push({ part, value });
      parts.push(part);
    });
    const readTexts = () => {
      for (const { part, value } of texts) {
        part.text = urlencoded ? (part.truncated ? "" : pyUnquote(value)) : userSafeDecode(value, bodyCharset);
      }
    };
    /** File parts whose bytes are still coming, and the ends of all file parts' streams. */
    const unfinished = new Set<FormPart>();
    const fileStreamsClosed: Promise<unknown>[] = [];
    /** The sniffing of each file part's first bytes, which sets its `sniffedType`. */
    const sniffed: Promise<unknown>[] = [];
    bb.on("file", (_name, stream, info) => {
      // busboy tells of a file part from within its reading of the part's head, just read by readHeadsAsServer.
      const read = partHead?.file ?? { filename: info.filename ?? "", declaredType: info.mimeType };
      const name = partName();
      fileStreamsClosed.push(new Promise((resolve) => stream.once("close", resolve)));
      if (unnamed(name)) return void stream.resume();
      // In the parts where it was sent, its file given once it is all in.
      const part: FormPart = { name, text: "", truncated: false };
      parts.push(part);
      unfinished.add(part);
      const head = Buffer.allocUnsafe(HEAD_BYTES);
      let headLength = 0;
      let size = 0;
      const moov = new MoovReader();
      const jpeg = new JpegReader();
      stream.on("data", (chunk: Buffer) => {
        moov.feed(chunk);
        jpeg.feed(chunk);
        if (headLength < HEAD_BYTES) {
          const n = Math.min(HEAD_BYTES - headLength, chunk.length);
          chunk.copy(head, headLength, 0, n);
          headLength += n;
        }
        size += chunk.length;
      });
      stream.on("limit", tooLarge);
      stream.on("error", (err) => {
        if (err.message !== CUT) fail(400, PARSE_ERROR);
      });
      stream.on("end", () => {
        const kept = Buffer.from(head.subarray(0, headLength));
        part.file = {
          filename: read.filename,
          declaredType: read.declaredType,
          size,
          head: kept,
          sniffedType: undefined,
        };
        const movie = moov.moov();
        const portrait = movie ? isPortraitMoov(movie) : (jpeg.portrait() ?? isPortraitImage(kept));
        if (portrait !== undefined) part.file.portrait = portrait;
        const file = part.file;
        sniffed.push(sniffAnyMediaType(kept).then((type) => (file.sniffedType = type)));
        unfinished.delete(part);
      });
    });
    bb.on("fieldsLimit", () => fail(413, `Too many fields in the urlencoded body: at most ${MAX_URLENCODED_FIELDS}.`));
    // A body that ends before its closing boundary is read as the server reads it: the parts it holds in full, the
    // one it cuts dropped (python-multipart ends a part only at a boundary followed by CRLF or `--`, where busboy
    // ends it at the boundary alone).
    let cut = false;
    bb.on("error", (err: Error) => {
      if (err.message === CUT) cut = true;
      else fail(400, PARSE_ERROR);
    });
    bb.on("close", () => {
      void Promise.all(fileStreamsClosed)
        .then(() => Promise.all(sniffed))
        .then(() => {
          if (failure) return finish(failure);
          if (cut && endsInBoundary(tail, boundary)) parts.pop();
          readTexts();
          finish({ kind: "ok", parts: parts.filter((part) => !unfinished.has(part)) });
        });
    });

    startReading();
    req.on("data", onData);
    req.on("aborted", onAborted);
    req.on("close", onClose);
    req.pipe(through).pipe(bb);
  });
}

const PARSE_ERROR = "There was an error parsing the body";
const NO_NAME = 'The Content-Disposition header field "name" must be provided.';
const PART_TOO_LARGE = `Part exceeded maximum size of ${MAX_FIELD_BYTES / 1024}KB.`;

const PERCENT = 0x25;
const isHex = (byte: number | undefined) =>
  byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66));

/**
 * A urlencoded body with every `%` written `%25`, so that busboy, which unquotes, gives each value with its escapes as
 * they were sent (and a `%` that starts no escape, which busboy alone refuses), to be unquoted as the server unquotes.
 */
export class EscapePercents extends Transform {
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let count = 0;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === PERCENT) count++;
    if (count === 0) {
      done(null, chunk);
      return;
    }
    // One pass into one buffer: a body of `%` alone is three bytes out for each byte in.
    const out = Buffer.allocUnsafe(chunk.length + 2 * count);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      out[o++] = byte;
      if (byte === PERCENT) {
        out[o++] = 0x32; // "2"
        out[o++] = 0x35; // "5"
      }
    }
    done(null, out);
  }
}

const UTF8_LOSSY = new TextDecoder("utf-8", { ignoreBOM: true });

/** The bytes of text (one character a byte) with its `%` escapes (`%` and two hex digits) unquoted. */
function unquoteToBytes(text: string): Buffer {
  const bytes = Buffer.from(text, "latin1");
  const out = Buffer.allocUnsafe(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === PERCENT && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      out[o++] = Number.parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else out[o++] = bytes[i]!;
  }
  return out.subarray(0, o);
}

/** The bytes of a urlencoded value once unquoted (its escapes one byte each; past the end, a char code is NaN). */
function unquotedLength(text: string): number {
  let length = text.length;
  for (let i = text.indexOf("%"); i >= 0; i = text.indexOf("%", i + 1)) {
    if (isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      length -= 2;
      i += 2;
    }
  }
  return length;
}

/**
 * Starlette's reading of a urlencoded name or value: its bytes as latin-1 text (busboy has made `+` a space), then
 * urllib's `unquote`: each run of ASCII characters unquoted and decoded as UTF-8, a bad sequence as U+FFFD, the
 * characters of the bytes over 0x7F between them kept as they are (`café` sent unescaped in UTF-8 is `cafÃ©`, `%FF`
 * is U+FFFD); a `%` that starts no escape stays.
 */
export function pyUnquote(text: string): string {
  if (!text.includes("%")) return text;
  return text.replace(/[^\u0080-\u00ff]+/g, (run) =>
    run.includes("%") ? UTF8_LOSSY.decode(unquoteToBytes(run)) : run,
  );
}

function noop(): void {}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

/**
 * python-multipart's reading of the start of a multipart body, which busboy does not share (it skips whatever comes
 * before the first boundary): from a CR or LF, on to the first `-`; then `--boundary` and CRLF (or `--boundary--`, a
 * body of no part). Fed the body's chunks in order, it answers false once the body has gone another way (the server
 * answers 400), true until then.
 */
function startReader(boundary: string): (chunk: Buffer) => boolean {
  const expected = Buffer.from(`--${boundary}`, "latin1");
  let skipping = true;
  let done = false;
  let index = 0;
  let after = 0;
  return (chunk) => {
    for (let i = 0; !done && i < chunk.length; i++) {
      const c = chunk[i]!;
      if (skipping) {
        skipping = false;
        if (c === CR || c === LF) {
          i = chunk.indexOf(DASH, i);
          // No dash in this chunk: the rest of it is skipped, and the next chunk starts afresh.
          if (i < 0) {
            skipping = true;
            return true;
          }
        }
        i--;
      } else if (index < expected.length) {
        if (c !== expected[index++]) return false;
      } else if (after === 0) {
        if (c !== CR && c !== DASH) return false;
        after = c;
      } else {
        if (c !== (after === CR ? LF : DASH)) return false;
        done = true;
      }
    }
    return true;
  };
}

/**
 * A multipart body without what python-multipart skips before its first boundary (a body that starts with a CR or
 * LF, up to its first `-`), which busboy would read as a preamble: a first boundary after a lone CR or LF is one for
 * the server, not for busboy (which looks for CRLF and the boundary).
 */
class SkipLeadingLines extends Transform {
  /** 0: nothing read yet; 1: skipping; 2: passing every byte on. */
  private state = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.state === 0 && chunk.length > 0) this.state = chunk[0] === CR || chunk[0] === LF ? 1 : 2;
    // Skipping (or an empty first chunk): from the first dash, if any.
    const dash = this.state === 2 ? 0 : chunk.indexOf(DASH);
    if (dash >= 0) this.state = 2;
    done(null, dash < 0 ? undefined : chunk.subarray(dash));
  }
}

/**
 * Makes a multipart busboy look for the boundary the server looks for: the bytes of the Content-Type's `boundary`
 * parameter (one character a byte, as a header's value is read), whatever they are. busboy takes a boundary only as
 * a token or a quoted string, and looks for its UTF-8 bytes (a boundary of `é` sent as the byte 0xE9 would never be
 * found): its search is made anew with the boundary's bytes, fed the CRLF busboy gives it on its making.
 */
function boundaryAsServer(bb: busboy.Busboy, boundary: string): void {
  type Search = { _cb: unknown; push(chunk: Buffer): void };
  const reader = bb as unknown as { _bparser?: Search };
  const search = reader._bparser;
  if (typeof search?._cb !== "function") throw new Error("busboy's multipart reader is not the one of busboy 1.6.0");
  const Search = search.constructor as new (needle: Buffer, cb: unknown) => Search;
  const exact = new Search(Buffer.from(`\r\n--${boundary}`, "latin1"), search._cb);
  exact.push(Buffer.from("\r\n"));
  reader._bparser = exact;
}

/** What busboy says of a body that ends before its closing boundary. */
const CUT = "Unexpected end of form";

/** Whether a multipart body ends in a boundary that ends no part for the server (not followed by CRLF or `--`). */
function endsInBoundary(tail: string, boundary: string): boolean {
  const line = `\r\n--${boundary}`;
  return tail.endsWith(line) || tail.endsWith(`${line}\r`) || tail.endsWith(`${line}-`);
}

/** busboy's own reader of a part's Content-Type (busboy 1.6.0, pinned: lib/utils.js). */
interface BusboyHeadReaders {
  parseContentType(value: string): { type: string; subtype: string } | undefined;
}
const { parseContentType } = createRequire(import.meta.url)("busboy/lib/utils.js") as BusboyHeadReaders;

/** A part's head, as busboy's header parser hands it over: header values one character a byte, by lowercase name. */
type PartHeader = Record<string, string[] | undefined>;

/** What the server reads of a file part's head. */
interface FileHead {
  filename: string;
  declaredType: string;
}

/** What the server reads of a part's head: its name (bytes, one character a byte), and its file when it is one. */
interface PartHead {
  name: string | undefined;
  file?: FileHead;
}

/** What readHeadsAsServer tells of the parts as their bytes come. */
interface HeadReading {
  /** A part's head, as the server reads it, just before busboy reads the part. */
  onPart(head: PartHead): void;
  /**
   * A part's head is one the server refuses (the head need not be over): more header lines than it reads, or a
   * longer one; a line folded onto the one before; a header name that is not a token.
   */
  onHeadRefused(): void;
  /** A text part is longer than MAX_FIELD_BYTES (the part need not be over). */
  onTextTooLarge(): void;
  /** A part has no header line at all (the server reads it as a part without a name; busboy refuses the body). */
  onNoHead(): void;
}

/** python-multipart's limits on a part's head: header lines, and bytes in one (name, `:`, spaces and value). */
const MAX_PART_HEADERS = 8;
const MAX_PART_HEADER_BYTES = 4096 + 128;

/**
 * Where python-multipart is in a part's head: at the start of a line; in a header's name (token bytes up to its `:`);
 * in the spaces after it; in its value (any byte up to a CR); after the value's CR (an LF must follow); after the CR
 * of the empty line that ends the head (an LF must follow); past the head.
 */
enum HeadState {
  LineStart,
  Name,
  ValueStart,
  Value,
  ValueCr,
  EndCr,
  Done,
}

/** The bytes of a token (RFC 9110), which a header's name is made of. */
const TOKEN = new Set(Buffer.from("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"));
const isToken = (byte: number) => TOKEN.has(byte);
const COLON = 0x3a;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Makes a multipart busboy read each part as the server does: each part's head, as the server reads it, is given to
 * `onPart` just before busboy reads the part.
 *
 * The server (Starlette over python-multipart) names a part by its `name` parameter, "" too, and takes it for a file
 * exactly when its Content-Disposition has a `filename` parameter, an empty one (`filename=""`) too, whatever its
 * Content-Type; it keeps a file's name as sent, directories and all, but for a full Windows path (`C:\…`,
 * `\\server\…`: what Internet Explorer sent), cut to its last segment. busboy (1.6) takes no name for `name=""`,
 * takes a part for a file when its filename is not empty or its Content-Type is application/octet-stream, keeps only
 * the last segment of every file name and has no option for any of it. So the one header parser of a busboy (given
 * to it when its first part begins) is wrapped: each head it hands busboy is read here first, then handed over as
 * `form-data; name="part"` (with `; filename="file"` for a file part) and, for a text part, with the Content-Type
 * `text/plain` and no charset, so that busboy gives the part's bytes: busboy frames the parts, the reading here says
 * what each is. Each head's lines are read here as python-multipart reads them (a name of token bytes, a line folded
 * onto the one before refused, a value of any byte but CR); busboy, which refuses a control byte or DEL in a value,
 * is given such a byte of a head as a space. Not a byte of a part's content is touched.
 *
 * As python-multipart does, a head's bytes and lines, and a text part's bytes, are counted as they come (busboy's
 * header parser is given a head's bytes, and its boundary search the body's, looked at here after busboy): a body
 * that ends within a part over the limits is refused too.
 */
function readHeadsAsServer(bb: busboy.Busboy, charset: string, reading: HeadReading): void {
  type HeaderParser = {
    cb: (header: PartHeader) => void;
    push(chunk: Buffer, pos: number, end: number): number;
    byteCount: number;
  };
  type Search = (isMatch: boolean, data: Buffer | undefined, start: number, end: number, safe: boolean) => void;
  const reader = bb as unknown as { _hparser?: HeaderParser | null; _bparser?: { _cb?: Search } };
  const search = reader._bparser;
  if (!("_hparser" in reader) || typeof search?._cb !== "function") {
    throw new Error("busboy's multipart reader is not the one of busboy 1.6.0");
  }
  /** The head being read, as python-multipart reads it (see HeadState), and its header lines so far. */
  let state = HeadState.LineStart;
  let lineBytes = 0;
  let lines = 0;
  let fieldName = "";
  let fieldValue = "";
  let headers: [string, string][] = [];
  /** Where in the bytes at hand the head busboy just read ended (-1: none ended). */
  let headEnd = -1;
  /** The bytes of the text part being read (undefined out of one). */
  let textBytes: number | undefined;
  /**
   * Reads a head's bytes as python-multipart does, up to the end of the head: false where it refuses them. Bytes of
   * a value busboy refuses (controls, DEL; the server takes any byte but CR) are listed in `unread`.
   */
  const scanHead = (chunk: Buffer, pos: number, end: number, unread: number[]): boolean => {
    for (let i = pos; i < end && state !== HeadState.Done; i++) {
      const c = chunk[i]!;
      if (state === HeadState.LineStart) {
        if (c === CR) {
          state = HeadState.EndCr;
          continue;
        }
        if (++lines > MAX_PART_HEADERS) return false;
        lineBytes = 0;
        state = HeadState.Name;
      } else if (state === HeadState.ValueStart && c !== SPACE) {
        state = HeadState.Value;
      }
      // The byte read in the state it leads to (a line's first byte is its name's, a value's first byte is its own).
      if (state === HeadState.Name) {
        if (++lineBytes > MAX_PART_HEADER_BYTES) return false;
        if (c === COLON) {
          if (fieldName === "") return false;
          state = HeadState.ValueStart;
        } else if (isToken(c)) fieldName += String.fromCharCode(c);
        // A space or a tab here (a line folded onto the one before, too), a CR, any byte not of a token: refused.
        else return false;
      } else if (state === HeadState.ValueStart) {
        if (++lineBytes > MAX_PART_HEADER_BYTES) return false;
      } else if (state === HeadState.Value) {
        if (c === CR) {
          headers.push([fieldName.toLowerCase(), fieldValue]);
          fieldName = fieldValue = "";
          state = HeadState.ValueCr;
          continue;
        }
        if (++lineBytes > MAX_PART_HEADER_BYTES) return false;
        fieldValue += String.fromCharCode(c);
        if ((c < 0x20 && c !== TAB) || c === 0x7f) unread.push(i);
      } else if (state === HeadState.ValueCr) {
        if (c !== LF) return false;
        state = HeadState.LineStart;
      } else {
        if (c !== LF) return false;
        state = HeadState.Done;
      }
    }
    return true;
  };
  const searched = search._cb;
  search._cb = (isMatch, data, start, end, safe) => {
    const inText = textBytes !== undefined;
    headEnd = -1;
    searched(isMatch, data, start, end, safe);
    if (data && textBytes !== undefined && (inText || headEnd >= 0)) {
      textBytes += end - (headEnd >= 0 ? headEnd : start);
      if (textBytes > MAX_FIELD_BYTES) {
        textBytes = undefined;
        reading.onTextTooLarge();
      }
    }
    if (isMatch) textBytes = undefined;
  };
  let parser = reader._hparser ?? null;
  let wrapped = false;
  Object.defineProperty(reader, "_hparser", {
    configurable: true,
    enumerable: true,
    get: () => parser,
    set(value: HeaderParser | null) {
      if (value && !wrapped) {
        wrapped = true;
        const handOver = value.cb;
        let ended = false;
        value.cb = (header) => {
          const head = partHeadOf(headers, header, charset);
          state = HeadState.LineStart;
          lines = 0;
          headers = [];
          ended = true;
          textBytes = head.file ? undefined : 0;
          reading.onPart(head);
          handOver(header);
        };
        const push = value.push;
        value.push = (chunk, pos, end) => {
          const unread: number[] = [];
          // Refused by the server (a line folded onto the one before, a name not a token, over the limits): refused,
          // and busboy reads no further (-1: its own refusal of a head).
          if (!scanHead(chunk, pos, end, unread)) {
            reading.onHeadRefused();
            return -1;
          }
          if (state === HeadState.Done && headers.length === 0) reading.onNoHead();
          // busboy's limit of 16 KiB on a whole head is not the server's (8 lines of 4224 bytes, counted here).
          value.byteCount = Number.NEGATIVE_INFINITY;
          ended = false;
          let at: number;
          if (unread.length === 0) at = push.call(value, chunk, pos, end);
          else {
            // busboy is given the head with the bytes of a value it refuses as spaces: the values read are the ones
            // read here, busboy's only frame the part.
            const copy = Buffer.from(chunk.subarray(pos, end));
            for (const i of unread) copy[i - pos] = SPACE;
            at = push.call(value, copy, 0, copy.length);
            if (at >= 0) at += pos;
          }
          if (ended) headEnd = at;
          return at;
        };
      }
      parser = value;
    },
  });
}

/**
 * A part's head as the server reads it from its header lines (lowercase names, values one character a byte), the
 * part's header set for busboy (see readHeadsAsServer): the last Content-Disposition, of any type (`attachment` too);
 * a part without one has no name, which the server refuses.
 */
function partHeadOf(lines: [string, string][], header: PartHeader, charset: string): PartHead {
  const valuesOf = (name: string) => lines.filter(([n]) => n === name).map(([, v]) => v);
  const disposition = parseOptionsHeader(valuesOf("content-disposition").at(-1));
  const type = valuesOf("content-type")[0];
  const contentType = type === undefined ? undefined : parseContentType(type);
  // No Content-Type is kept as none (""), not as RFC 7578's text/plain: a client that leaves the part's type out (React
  // Native's FormData) says nothing of its bytes, which are read as for application/octet-stream (see files.ts).
  const declaredType = contentType ? `${contentType.type}/${contentType.subtype}` : "";
  const name = disposition.params.get("name");
  // The extended notation (`filename*=utf-8''…`) is no parameter for the server: without a plain `filename`, text.
  const filename = disposition.params.get("filename");
  const file = filename === undefined ? undefined : { filename: userSafeDecode(filename, charset), declaredType };
  for (const key of Object.keys(header)) delete header[key];
  header["content-disposition"] = [file ? 'form-data; name="part"; filename="file"' : 'form-data; name="part"'];
  if (!file) header["content-type"] = ["text/plain"];
  return { name, file };
}

function tooLargeDetail(limit: number): string {
  return `Upload too large: the limit is ${limit} bytes.`;
}

export interface FormResult {
  /** Parsed text values and defaults, by field name. */
  values: Map<string, unknown>;
  /** Fields the client actually sent (not defaults). */
  given: Set<string>;
  files: Map<string, FilePart>;
  issues: ValidationIssue[];
}

/**
 * Checks the parts against the fields: one issue per bad field, in field order, then unknown fields. A field sent as
 * empty text (a text part, not a file) is taken as not sent, as FastAPI reads a form value of "": an optional field
 * gets its default, a required one is missing; but for a field whose schema takes "" as a value (`takesEmpty`). A
 * field sent more than once is read by the last of its parts, a text after a file too, as FastAPI reads a form.
 */
export function validateForm(fields: readonly FormField[], parts: readonly FormPart[]): FormResult {
  const byName = new Map<string, FormPart[]>();
  for (const part of parts) {
    const list = byName.get(part.name);
    if (list) list.push(part);
    else byName.set(part.name, [part]);
  }
  const values = new Map<string, unknown>();
  const given = new Set<string>();
  const files = new Map<string, FilePart>();
  const issues: ValidationIssue[] = [];
  const known = new Set<string>();

  for (const field of fields) {
    known.add(field.name);
    const loc: Loc = ["body", field.name];
    // A field given more than once: the last one counts (FastAPI reads Starlette's FormData.get).
    const part = byName.get(field.name)?.at(-1);
    if (!part || (isEmptyText(part) && !field.takesEmpty)) {
      if (field.required) issues.push(issue(loc, "missing", "Field required", null));
      else if (field.default !== undefined) values.set(field.name, field.default);
      continue;
    }
    given.add(field.name);
    if (field.kind === "file") {
      if (!part.file) {
        issues.push(
          issue(loc, "value_error", "Value error, Expected UploadFile, received: <class 'str'>", part.text, {
            error: "Expected a file part (with a filename)",
          }),
        );
      } else {
        files.set(field.name, part.file);
      }
      continue;
    }
    if (part.file) {
      issues.push(issue(loc, "string_type", "Input should be a valid string", undefined));
      continue;
    }
    if (part.truncated) {
      issues.push(
        issue(loc, "string_too_long", `String should have at most ${MAX_FIELD_BYTES} bytes`, undefined, {
          max_length: MAX_FIELD_BYTES,
        }),
      );
      continue;
    }
    const before = issues.length;
    const value = field.parse(part.text, loc, issues);
    if (issues.length === before) values.set(field.name, value);
  }
  for (const [name, list] of byName) {
    if (known.has(name)) continue;
    const last = list.at(-1)!;
    issues.push(
      issue(["body", name], "extra_forbidden", "Extra inputs are not permitted", last.file ? undefined : last.text),
    );
  }
  return { values, given, files, issues };
}

/** A text part whose value is the empty string (FastAPI reads it as no value). */
const isEmptyText = (part: FormPart) => !part.file && !part.truncated && part.text === "";

/** The first file whose sniffed type its field does not accept, as a 400 detail; undefined when all fit. */
export function fileTypeProblem(fields: readonly FormField[], files: Map<string, FilePart>): string | undefined {
  for (const field of fields) {
    const file = files.get(field.name);
    if (!file || !field.accept) continue;
    if (!file.sniffedType || !field.accept.includes(file.sniffedType)) {
      const got = file.size === 0 ? "an empty file" : (file.sniffedType ?? "unrecognised bytes");
      return `Invalid file type for '${field.name}': expected ${field.accept.join(", ")}; got ${got}.`;
    }
  }
  return undefined;
}

/** Parses a request's form body; on a bad or abandoned one, answers (or gives up on the gone client): undefined. */
export async function readForm(ctx: Ctx, maxFileBytes: number): Promise<{ parts: FormPart[] } | undefined> {
  const parsed = await parseForm(ctx.req, { maxFileBytes }, () => startReading(ctx));
  // Answered while its body came (a 408 for a body too slow, waiting behind the answer before it on the connection):
  // the request is over, and nothing it asks for is done, however its body ends.
  if (parsed.kind === "aborted" || ctx.responded) {
    ctx.responded = true;
    return undefined;
  }
  if (parsed.kind === "error") {
    drain(ctx);
    detail(ctx, parsed.status, parsed.detail);
    return undefined;
  }
  return parsed;
}
