import { constants, createReadStream, fstatSync } from "node:fs";
import { access, stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { type FieldInfo, maxFileBytes, maxFileDocs } from "@decart/api";
import { AbortError, InvalidInputError, invalid, type ModelDefinition } from "@decart/core";
import { fileFromPath } from "@decart/core/node";
import { CliError, usageError } from "./exit.js";
import { fsReason, kindOf } from "./files.js";
import { decimal, inexactIn, MAX_DECIMAL } from "./numbers.js";
import { quoted } from "./output.js";
import { checkArgumentEnd, whyNotFound } from "./path-argument.js";
import { refusedProxy } from "./proxy.js";

/** `name=value`, `name:=json`: a field assignment (any other argument is the prompt). */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(:=|=)([\s\S]*)$/;

/** True for an argument that assigns a field, rather than giving the prompt. */
export const isAssignment = (arg: string): boolean => ASSIGNMENT.test(arg);

/**
 * Splits positional arguments into the prompt (at most one) and field assignments. (Here, not with `image`: `video`
 * and `jobs submit` load without `image-type.ts`, whose file-type and mime-types take tens of ms to import.)
 */
export function splitArguments(args: string[]): { prompt: string | undefined; assignments: string[] } {
  const assignments = args.filter(isAssignment);
  const rest = args.filter((a) => !isAssignment(a));
  if (rest.length > 1) {
    throw usageError(
      `One prompt only (got ${rest.length}: ${rest.map((r) => quoted(r, Infinity)).join(", ")}); quote a prompt with spaces`,
    );
  }
  return { prompt: rest[0], assignments };
}

/**
 * Whether the descriptor `fd` is a directory (one that cannot be looked up is not). Looked up as `bigint` (see
 * `pipeSafeStat` in files.ts): standard input is most often a pipe or a socket.
 */
function isDirectory(fd: number): boolean {
  try {
    return fstatSync(fd, { bigint: true }).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The most bytes of text read for a text field from a file or standard input (`prompt=@file`, `-`, `prompt=@-`), as a
 * batch's own (`MAX_BATCH_BYTES`): more than any field takes, refused as it passes that, before the rest is read
 * (read whole, a 300 MB file took the process past V8's heap, which ended it).
 */
export const MAX_TEXT_BYTES = 64 * 1024 * 1024;

/**
 * The most bytes of a file input read from standard input (`field=@-`), held in memory: the most the client takes in
 * one file, `maxFileBytes` of @decart/api (the spec's limit, the larger reading of the docs' words, `maxFileDocs`).
 */
export const MAX_STDIN_FILE_BYTES = maxFileBytes;

/**
 * What a read of standard input, or of a file, for `field` may hold at most (`bytes`); `why`, what that is and what to
 * do instead, said when it holds more.
 */
export interface Bound {
  field: string;
  bytes: number;
  why: string;
  /** The error of more than `bytes`, when not the usage error that says `why`. */
  refused?: () => Error;
}

/** The usage error of `where` (a file, standard input) holding more than `bound` allows: naming the field. */
const tooLarge = (where: string, bound: Bound) =>
  bound.refused?.() ??
  usageError(
    `"${bound.field}": ${where} holds more than ${bound.bytes / 1024 / 1024} MiB, ${bound.why} (nothing was sent)`,
  );

/**
 * Reads standard input once (a second `-` is a usage error: it was already read), at most `bound.bytes` of it (more is
 * refused as it passes that, standard input let go). Standard input that cannot be read
 * (a directory, `< /`, which Node's stream reads as empty; a read error) is a usage error naming it, not empty text.
 * `signal` (the command's Ctrl-C, SIGTERM or SIGHUP: see `interruptible`) stops the read at once: standard input is
 * let go (the process can end while its writer still writes) and the read rejects with the client's `AbortError`,
 * which the command tells as a signal that came before anything was sent (see `unsentInterrupt`).
 */
export function stdinReader(
  stdin: NodeJS.ReadableStream = process.stdin,
  signal?: AbortSignal,
): (bound: Bound) => Promise<Buffer> {
  let used = false;
  return async (bound) => {
    if (used) throw usageError("Standard input (-) can be read only once per command");
    used = true;
    const chunks: Buffer[] = [];
    let bytes = 0;
    await readStdin(stdin, signal, (chunk) => {
      bytes += chunk.length;
      if (bytes > bound.bytes) throw tooLarge("standard input (-)", bound);
      chunks.push(chunk);
    });
    return Buffer.concat(chunks);
  };
}

/** A file's bytes, at most `bound.bytes` of them: more is refused as it passes that (see `MAX_TEXT_BYTES`). */
async function readBounded(path: string, bound: Bound): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const stream = createReadStream(path);
  for await (const chunk of stream) {
    bytes += (chunk as Buffer).length;
    if (bytes > bound.bytes) throw tooLarge(resolve(path), bound);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads standard input to its end, giving each chunk to `each` as it comes (`decart batch -` checks its lines so,
 * keeping none of the bytes). Fails as `stdinReader` says; an error `each` throws ends the read (standard input let
 * go) and is thrown.
 */
export async function readStdin(
  stdin: NodeJS.ReadableStream,
  signal: AbortSignal | undefined,
  each: (chunk: Buffer) => void,
): Promise<void> {
  const unreadable = (reason: string) =>
    usageError(`Standard input (-) cannot be read (${reason}); pipe the text or the file in (nothing was sent)`);
  const interrupted = () => new AbortError("Interrupted while reading standard input (nothing was sent)");
  if (signal?.aborted) throw interrupted();
  if (stdin === process.stdin && isDirectory(0)) throw unreadable("it is a directory");
  // Destroyed, the stream ends the loop below (with an error, or none), and holds the process no longer.
  const stop = () => (stdin as Readable).destroy();
  signal?.addEventListener("abort", stop, { once: true });
  let inEach = false;
  try {
    for await (const chunk of stdin) {
      inEach = true;
      each(Buffer.from(chunk as Uint8Array));
      inEach = false;
    }
  } catch (e) {
    if (signal?.aborted) throw interrupted();
    // Thrown by `each`: its own error (the loop let standard input go).
    if (inEach) throw e;
    throw unreadable(fsReason(e));
  } finally {
    signal?.removeEventListener("abort", stop);
  }
  if (signal?.aborted) throw interrupted();
}

/** Reads standard input, at most as many bytes as its bound says (see `stdinReader`). */
export type StdinReader = (bound: Bound) => Promise<Buffer>;

/**
 * Standard input for `field` (`-` as the prompt, `field=@-`): its bytes, where there are any. Nothing at all (stdin
 * closed, empty, `/dev/null`) is a usage error naming stdin, rather than an empty value the client would refuse
 * without saying where it came from.
 */
async function fromStdin(bound: Bound, stdin: StdinReader): Promise<Buffer> {
  const { field } = bound;
  const bytes = await stdin(bound);
  if (bytes.length) return bytes;
  throw usageError(
    `"${field}": standard input (-) gave nothing (it is closed or empty); pipe it in, e.g. echo "…" | decart … ` +
      "(nothing was sent)",
  );
}

/** Decodes UTF-8 and nothing else: a byte order mark stays as it is (as `toString("utf8")` keeps it). */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * `bytes` as UTF-8 text; undefined when they are not UTF-8 (Latin-1's `é`, a binary file): decoded leniently, each bad
 * byte would become U+FFFD, sent (and paid for) as if it were what the user gave.
 */
export const utf8Text = (bytes: Uint8Array): string | undefined => {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
};

/**
 * The encoding a byte order mark at the start of `bytes` names, and the mark (UTF-32LE's begins as UTF-16LE's does).
 */
function byteOrderMark(bytes: Uint8Array): [name: string, mark: string] | undefined {
  const mark = /^(fffe0000|0000feff|fffe|feff)/.exec(Buffer.from(bytes.subarray(0, 4)).toString("hex"))?.[0];
  return mark ? [mark.length > 4 ? "UTF-32" : "UTF-16", mark.replace(/(..)(?!$)/g, "$1 ").toUpperCase()] : undefined;
}

/**
 * Whether `bytes` (not UTF-8, no UTF-8 character of theirs counted: see `utf8Scan`) hold a byte of 0x80 to 0x9F: in
 * Windows-1252 a letter or a sign (`“`, `€`, `…`), in Latin-1 a control character no text holds.
 */
const holdsWindows1252 = (bytes: Uint8Array): boolean => bytes.some((byte) => byte >= 0x80 && byte < 0xa0);

/**
 * Where the first byte of `bytes` that no UTF-8 text holds there is (undefined: none), and whether they hold a UTF-8
 * character that Latin-1 or Windows-1252 text does not explain (text mostly UTF-8: edited in two editors, pasted from
 * another file). Two bytes of 0xC4 to 0xDF then 0x80 to 0xBF are valid UTF-8, yet in those encodings an uppercase
 * accented letter or ß before a sign (`É»`, `ß“`, `É”`): they count only next to another UTF-8 character of more than
 * one byte (Cyrillic and Greek words: `Привет` is D0 9F D1 80 …). A character of three or four bytes (`’` is E2 80 99)
 * counts, and one of two led by 0xC2 or 0xC3 (`é` is C3 A9; `Ã` or `Â` before a sign is no Latin-1 text's). A lone
 * letter of two bytes led by 0xC4 to 0xDF (`ş` is C5 9F, `ÅŸ` in Windows-1252) counts for nothing then: every second
 * byte (0x80 to 0xBF) is a sign or a letter in Windows-1252, so no rule on it tells `ş` from `É”`.
 */
export function utf8Scan(bytes: Uint8Array): { at: number | undefined; multibyte: boolean } {
  let at: number | undefined;
  let multibyte = false;
  // Where the last UTF-8 character of more than one byte ended.
  let after = -1;
  for (let i = 0; i < bytes.length && !(multibyte && at !== undefined); ) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      i++;
      continue;
    }
    const length =
      byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
    // The second byte's range (no overlong form, no surrogate, nothing past U+10FFFF), then continuation bytes.
    const [low, high] =
      byte === 0xe0
        ? [0xa0, 0xbf]
        : byte === 0xed
          ? [0x80, 0x9f]
          : byte === 0xf0
            ? [0x90, 0xbf]
            : byte === 0xf4
              ? [0x80, 0x8f]
              : [0x80, 0xbf];
    let k = length ? 1 : 0;
    if (k && bytes[i + 1]! >= low && bytes[i + 1]! <= high) k++;
    while (k > 1 && k < length && (bytes[i + k]! & 0xc0) === 0x80) k++;
    if (length && k === length) {
      multibyte ||= length > 2 || byte < 0xc4 || after === i;
      i += length;
      after = i;
    } else {
      at ??= i;
      i++;
    }
  }
  return { at, multibyte };
}

/**
 * What to say of `bytes` that are not UTF-8 text, after where they came from (`start`: they begin the file or
 * standard input, where a byte order mark names UTF-16 or UTF-32): the encoding they are in as far as their bytes tell
 * it, and how to convert them. UTF-16 (what Windows PowerShell 5.1's `"…" > p.txt` writes) is not Latin-1: converted as
 * Latin-1, it would become other text (`ÿþh\0i\0`), which is refused again for its NUL characters (`utf8Text`'s
 * caller). Text mostly UTF-8 (UTF-8 characters that Latin-1 or Windows-1252 text does not explain, see `utf8Scan`, here
 * or in the lines before them, `utf8Before`, and bytes no UTF-8 text holds) is no text of another encoding: converted
 * whole, its UTF-8 characters would become others (`café` as `cafÃ©`); the first such byte is named, at its line (the
 * first line of `bytes` is `line`) and column.
 */
export function notUtf8(bytes: Uint8Array, start = true, { line = 1, utf8Before = false } = {}): string {
  const [name, mark] = (start && byteOrderMark(bytes)) || [];
  const first = name || bytes.includes(0) ? undefined : utf8Scan(bytes);
  if (first?.at !== undefined && (first.multibyte || utf8Before)) {
    const before = bytes.subarray(0, first.at);
    const from = before.lastIndexOf(0x0a) + 1;
    // A UTF-8 byte order mark is no character of the text.
    const column =
      [
        ...Buffer.from(before.subarray(from))
          .toString("utf8")
          .replace(/^\ufeff/, ""),
      ].length + 1;
    const hex = bytes[first.at]!.toString(16).toUpperCase().padStart(2, "0");
    return (
      `not UTF-8 text throughout: it holds UTF-8 characters, and bytes no UTF-8 text holds, the first at line ` +
      `${line + before.filter((byte) => byte === 0x0a).length}, column ${column} (0x${hex}, such as é written in ` +
      "Latin-1 or “ in Windows-1252: text edited in two editors, or pasted from a file of another encoding); " +
      "converting the whole of it from another encoding would garble its UTF-8 characters: retype the characters " +
      "at those bytes in an editor that writes UTF-8 (nothing was sent)"
    );
  }
  const [what, convert] = name
    ? [
        `it is ${name} text: it starts with ${mark}, the byte order mark of ${name}` +
          (name === "UTF-16" ? `, as Windows PowerShell 5.1 writes text ("…" > file, Out-File)` : ""),
        `iconv -f ${name.toLowerCase()} -t utf-8, or in PowerShell write it with -Encoding utf8 (Out-File, Set-Content)`,
      ]
    : bytes.includes(0)
      ? [
          "it holds NUL bytes (0x00), as UTF-16 text without a byte order mark does, or a file that is not text",
          "if it is UTF-16 text: iconv -f utf-16le -t utf-8",
        ]
      : holdsWindows1252(bytes)
        ? [
            "it holds a byte no UTF-8 text holds there, such as “ or € written in Windows-1252",
            "iconv -f windows-1252 -t utf-8",
          ]
        : ["it holds a byte no UTF-8 text holds there, such as é written in Latin-1", "iconv -f latin1 -t utf-8"];
  return `not UTF-8 text (${what}); convert it to UTF-8 (${convert}) (nothing was sent)`;
}

/**
 * What makes `text` read from a file or standard input no text to send, or undefined: a NUL character (U+0000), which
 * no text holds, but UTF-16 text without a byte order mark (`h\0i\0`) and UTF-16 text converted as if it were Latin-1
 * do (its byte order mark then reads `ÿþ` or `þÿ`): sent, either would be other text than the user wrote.
 */
export function textProblem(text: string): string | undefined {
  if (!text.includes("\0")) return undefined;
  const converted = /^(\u00ff\u00fe|\u00fe\u00ff)/.test(text);
  return (
    "holds NUL characters (U+0000), which no text holds; " +
    (converted
      ? `it is UTF-16 text converted as if it were another encoding (it starts with ${text.slice(0, 2)}, the byte ` +
        "order mark of UTF-16 so read): convert the UTF-16 file itself (iconv -f utf-16 -t utf-8)"
      : "UTF-16 text without a byte order mark holds them, as a file that is not text does: if it is UTF-16 text, " +
        "convert it to UTF-8 (iconv -f utf-16le -t utf-8)") +
    " (nothing was sent)"
  );
}

/**
 * Text from `@path` or `@-`, without a UTF-8 byte order mark at its start nor its final line break (nor a final Ctrl-Z
 * with it), `MAX_TEXT_BYTES` at most; text that is not UTF-8 (see `notUtf8`) or holds NUL (see `textProblem`) is a
 * usage error naming both. For a field with a `maxLength` (the catalogue's `info`, of `model`), at most the bytes a
 * text that long can take (4 a character in UTF-8), a byte order mark, its final line break (CRLF) and a final Ctrl-Z,
 * none sent: one that holds more is refused as the client refuses a text too long (its `InvalidInputError`, in its
 * words), before the rest is read (it was read whole first: a 20 MB prompt file, for a field of 1000 characters).
 */
async function readText(
  path: string,
  field: string,
  stdin: StdinReader,
  info?: FieldInfo,
  model?: string,
): Promise<string> {
  const { minLength = 0, maxLength } = (info ?? {}) as { minLength?: number; maxLength?: number };
  const expected = `${minLength} to ${maxLength} characters long`;
  const bound: Bound = {
    field,
    bytes: MAX_TEXT_BYTES,
    why: "the most read for a text field (far more than any takes): give a shorter text",
  };
  if (maxLength !== undefined && 4 * maxLength + 6 < MAX_TEXT_BYTES) {
    bound.bytes = 4 * maxLength + 6;
    bound.refused = () =>
      new InvalidInputError(`Invalid input for ${model}: "${field}" must be ${expected} (got more than ${maxLength})`, {
        field,
        expected,
      });
  }
  const bytes =
    path === "-"
      ? await fromStdin(bound, stdin)
      : await readBounded(path, bound).catch((e) =>
          // (The bound's refusal as it is; the file's failure named so.)
          e instanceof CliError || InvalidInputError.isInstance(e) ? Promise.reject(e) : fail(field, path, e),
        );
  const where = path === "-" ? "standard input (-)" : resolve(path);
  const text = utf8Text(bytes);
  if (text === undefined) throw usageError(`"${field}": ${where} is ${notUtf8(bytes)}`);
  const problem = textProblem(text);
  if (problem) throw usageError(`"${field}": ${where} ${problem}`);
  // A byte order mark is no character of the text (a batch file's is dropped too: see `batchParser`); nor is Ctrl-Z
  // (U+001A) at its end, the end-of-file mark of old DOS tools (`copy con`), dropped with the line break before it.
  const unmarked = text.replace(/^\ufeff/, "");
  return (unmarked.endsWith("\u001a") ? unmarked.slice(0, -1) : unmarked).replace(/\r?\n$/, "");
}

const fail = (field: string, path: string, thrown: NodeJS.ErrnoException): never => {
  // The client's refusal (fileFromPath's InvalidInputError) carries the system's (EACCES …) as its cause: that one
  // said.
  const cause = thrown.cause as NodeJS.ErrnoException | undefined;
  const e = typeof cause?.syscall === "string" ? cause : thrown;
  const reason = e.code === "ENOENT" ? `no such file${whyNotFound(path)}` : fsReason(e);
  throw usageError(`"${field}": cannot read ${path} (${reason})`);
};

/** The path each file input read from a path was opened at (see `readFileInput`). */
const filePaths = new WeakMap<Blob, string>();

/**
 * Why file input `file` (of `field`), read from a path, could not be read again after it was opened (`error`: the
 * read's; Node's `NotReadableError` says no more than that): told as the command's error (exit 2), naming the field,
 * the path and what is there now (nothing, a directory, a file it may not read, or a file changed since), and what to
 * do. `error` as it is for a file input of another kind (standard input, kept in memory).
 */
export async function unreadableInput(field: string, file: Blob, error: unknown): Promise<unknown> {
  const path = filePaths.get(file);
  if (path === undefined) return error;
  const now = await stat(path).then(
    async (info) =>
      info.isFile()
        ? await access(path, constants.R_OK).then(
            () => "it changed since (its size or time of change)",
            (e: NodeJS.ErrnoException) => fsReason(e),
          )
        : `it is ${info.isDirectory() ? "a directory" : kindOf(info)} now`,
    (e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? "it is no longer there" : fsReason(e)),
  );
  return usageError(
    `"${field}": cannot read ${path} again after it was opened (${now}): it was removed, replaced, changed or made unreadable ` +
      `while the command ran; run the command again once the file is in place (nothing was sent)`,
  );
}

/**
 * A file input: `@-` (stdin), an http(s) URL (the client downloads it), or a path (with or without `@`; relative to
 * `base`, by default the current directory). Its media type is told from its bytes (see `mediaTypeOf`), not from its
 * name, so that the client checks it against what the field takes (`accept`) before anything is sent: standard input
 * whose bytes are of no type the CLI knows is refused here (it has no name to tell one by), a file of that kind keeps
 * the type of its extension, and is refused here when it has none the client knows (`.mp4`, `.png` …): only its first
 * bytes are read.
 */
export async function readFileInput(
  value: string,
  field: string,
  stdin: StdinReader,
  base = ".",
  accept?: readonly string[],
): Promise<unknown> {
  if (value === "@-") {
    const bytes = await fromStdin(
      {
        field,
        bytes: MAX_STDIN_FILE_BYTES,
        why: `the most the client takes for a file (the docs say ${maxFileDocs}): give a smaller one`,
      },
      stdin,
    );
    const { mediaTypeOf } = await import("./media-type.js");
    const type = await mediaTypeOf(bytes);
    if (type === undefined && accept?.length) {
      const start = bytes
        .subarray(0, 8)
        .toString("hex")
        .replace(/(..)(?!$)/g, "$1 ");
      throw usageError(
        `"${field}": standard input (-) is no file of a type "${field}" takes (${accept.join(", ")}): its ` +
          `${bytes.length} bytes, starting ${start}, are none of those (nothing was sent)`,
      );
    }
    const extension = type && type.split("/")[1]!.replace(/^(jpeg|quicktime)$/, (t) => (t === "jpeg" ? "jpg" : "mov"));
    return new File([new Uint8Array(bytes)], extension ? `stdin.${extension}` : "stdin", { type: type ?? "" });
  }
  if (/^https?:\/\//i.test(value)) {
    // Its download through an ALL_PROXY the CLI cannot speak: refused now, before anything is sent.
    refusedProxy(process.env, value);
    return value;
  }
  const path = resolve(base, value.startsWith("@") ? value.slice(1) : value);
  const info = await stat(path).catch((e) => fail(field, path, e));
  // A pipe (`@<(cmd)` is one, `/dev/fd/63`) is read once, as it comes: standard input is the way to give one.
  if (info.isFIFO() || info.isSocket() || info.isCharacterDevice())
    throw usageError(
      `"${field}": ${path} is ${kindOf(info)}, not a file; to give a file input through a pipe, use ` +
        `${field}=@- (standard input): cmd | decart … ${field}=@-`,
    );
  if (!info.isFile()) throw usageError(`"${field}": ${path} is not a file`);
  const { mediaTypeOfFile } = await import("./media-type.js");
  const type = await mediaTypeOfFile(path);
  const file = await fileFromPath(path, type === undefined ? {} : { type }).catch((e) => fail(field, path, e));
  filePaths.set(file, path);
  // Of no type by its first bytes nor by its name (a text file, a key, /etc/passwd): refused here, as standard input of
  // that kind is, not sent untyped for the server to refuse once it has the bytes.
  if (!file.type && accept?.length) {
    throw usageError(
      `"${field}": ${path} is no file of a type "${field}" takes (${accept.join(", ")}): neither its first bytes ` +
        `nor its name say one (nothing was sent)`,
    );
  }
  return file;
}

/** The range a number read from text must be in, for a message that refuses one beyond it (`got`: what was given). */
const inRange = (got: string) =>
  `from -${MAX_DECIMAL} to ${MAX_DECIMAL} (got ${got}: beyond that, a number is not held exactly)`;

/**
 * A value given as text, converted to the field's type when it reads as one (`seed=42` → 42, `enhance_prompt=false`
 * → false). A number is read as `decimal` reads it (`0x10`, `1e3` or ` 7` are refused, naming the field and the form it
 * takes; one beyond ±`MAX_DECIMAL`, which would lose its last digits, naming the range); other text that does not read
 * as its type is passed on unchanged, so the client's check names the field and what it expects.
 */
function convert(field: FieldInfo | undefined, text: string): unknown {
  switch (field?.type as string | undefined) {
    case "integer":
    case "number": {
      const integer = field!.type === "integer";
      const value = decimal(text, { integer });
      if (value === undefined) {
        throw usageError(
          `"${field!.name}" must be ${integer ? "an integer" : "a number"} in decimal digits, such as ` +
            `${field!.name}=${integer ? "42" : "0.5"} (got ${quoted(text, Infinity)}: no spaces, no 0x or exponent)`,
        );
      }
      if (Number.isFinite(value)) return value;
      throw usageError(
        `"${field!.name}" must be ${integer ? "an integer" : "a number"} ${inRange(quoted(text, Infinity))}`,
      );
    }
    case "boolean":
      return /^(true|false)$/i.test(text) ? text.toLowerCase() === "true" : text;
    default:
      return text;
  }
}

/**
 * Refuses the text of a command-line argument (the prompt, `field=value`, `field:=json`) that holds U+FFFD, naming the
 * field. Node reads the command line as UTF-8, each byte that is not (`café` typed in a Latin-1 terminal:
 * `$'caf\xe9'`) becoming U+FFFD; sent, that would be paid for as if it were what the user gave. Where the command
 * line's bytes can be read back (Linux's /proc/self/cmdline), they hold the process's own options too, and are not
 * there elsewhere (macOS; Windows passes UTF-16, where half a character becomes U+FFFD in the same way): a U+FFFD made
 * so cannot be told from one given on purpose on every system, so each is refused, saying how to send one (a file, or
 * `\ufffd` in JSON), both read as they are.
 */
function checkArgument(name: string, text: string): void {
  if (!text.includes("\ufffd")) return;
  throw usageError(
    `"${name}": the argument is not UTF-8 text (it holds U+FFFD, the character that a byte no UTF-8 text holds ` +
      "there, such as é written in Latin-1, becomes as the command line is read, which the CLI cannot tell from one " +
      `typed); convert it to UTF-8 (iconv -f latin1 -t utf-8), or to send U+FFFD itself, give the text in a file, ` +
      `${name}=@file, or as JSON, ${name}:='"\\ufffd"' (nothing was sent)`,
  );
}

/**
 * Turns the command line's `field=value`, `field:=json` and `field=@path` arguments (and the prompt, when given) into
 * a model's inputs. Types come from the catalogue's fields; the rules (required, enums, limits) are the client's to
 * check, before anything is sent. A field the model does not have is refused first, in the client's words (its
 * `InvalidInputError`, listing the model's fields), before any file or standard input is read: a video given to a
 * model without `data` (`data=@input.mp4` without `-m lucy-clip`) would be read as text and refused as no UTF-8, `@-`
 * read whole first, and a missing file said to be unreadable.
 */
export async function parseInputs(
  model: ModelDefinition,
  prompt: string | undefined,
  assignments: string[],
  stdin: StdinReader,
): Promise<Record<string, unknown>> {
  const inputs: Record<string, unknown> = Object.create(null);
  const fields = new Map<string, FieldInfo>(model.fields.map((f) => [f.name, f]));
  const textOf = (path: string, name: string) => readText(path, name, stdin, fields.get(name), model.name);
  const set = (name: string, value: unknown) => {
    if (name in inputs) throw usageError(`"${name}" is given more than once`);
    inputs[name] = value;
  };
  const names = assignments.map((arg) => ASSIGNMENT.exec(arg)?.[1]);
  for (const name of prompt === undefined ? names : ["prompt", ...names]) {
    if (name !== undefined && !fields.has(name)) {
      const known = `a known name (one of ${[...fields.keys()].join(", ")})`;
      throw invalid(`Invalid input for ${model.name}`, name, known);
    }
  }
  // A file input's type is told by file-type (media-type.ts), imported here, before standard input or any file is
  // read: an import made after a stat of a named pipe (standard input piped) does not follow its symbolic links in
  // Node 20 (nodejs/node#51142), and pnpm's packages are reached through them. Only then: a command line without one
  // starts without it (file-type takes tens of ms to import).
  if (assignments.some((arg) => /^[^:=]+=/.test(arg) && fields.get(ASSIGNMENT.exec(arg)?.[1] ?? "")?.type === "file"))
    await import("./media-type.js");
  if (prompt !== undefined && prompt !== "-") {
    checkArgument("prompt", prompt);
    checkArgumentEnd("prompt", prompt);
  }
  if (prompt !== undefined) set("prompt", prompt === "-" ? await textOf("-", "prompt") : prompt);
  for (const arg of assignments) {
    const match = ASSIGNMENT.exec(arg);
    if (!match) throw usageError(`Expected field=value, field:=json or field=@file (got ${quoted(arg, Infinity)})`);
    const [, name, op, text] = match as unknown as [string, string, string, string];
    const field = fields.get(name);
    if (op === ":=" || !(field?.type === "file" || (text.startsWith("@") && text.length > 1)))
      checkArgument(name, text);
    if (op === ":=") {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw usageError(`"${name}": the value after := must be JSON (got ${quoted(text, 40)})`);
      }
      // A number JSON.parse changed silently (beyond ±MAX_DECIMAL, its last digits) is refused, as `field=value` is.
      const changed = inexactIn(value);
      if (changed) {
        throw usageError(
          `"${name}"${changed.at ? ` (at ${changed.at})` : ""}: a number must be ` +
            inRange(`${quoted(text, 60)}, read as ${changed.value}`),
        );
      }
      set(name, value);
    } else if (field?.type === "file") {
      set(name, await readFileInput(text, name, stdin, ".", (field as { accept?: readonly string[] }).accept));
    } else if (text.startsWith("@") && text.length > 1) {
      set(name, convert(field, await textOf(text.slice(1), name)));
    } else {
      checkArgumentEnd(name, text);
      set(name, convert(field, text));
    }
  }
  return { ...inputs };
}
