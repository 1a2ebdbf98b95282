import { maxFileBytes, maxFileDocs } from "@decart/api";
import { aborted, InvalidInputError, ignore, invalid, shownUrl, TimeoutError, textOf } from "./errors.js";
import type { ModelDefinition } from "./models.js";
import { type Call, lengthOf, timed } from "./transport.js";
import type { FileInput, UploadBody, UploadPartValue, UploadProgress } from "./types.js";
import {
  checkSchema,
  isBlob,
  isBuffer,
  isFileInput,
  isFileValue,
  isMp4Start,
  mediaOf,
  type Schema,
  tagOf,
} from "./validate.js";

/**
 * Whether a chunk of a stream input can be sent: bytes (an ArrayBuffer or any view of one), or text (sent as UTF-8).
 * Anything else is refused, naming the field, with `notBytes`'s words (a number or an object would be sent as text).
 */
export const isBytes = (chunk: unknown): chunk is string | ArrayBuffer | ArrayBufferView =>
  typeof chunk === "string" || isBuffer(chunk);

/** Why a chunk that is not bytes is refused: what it gave (`null` by its name, as `invalid()` writes it). */
export const notBytes = (chunk: unknown) =>
  `it gave ${chunk === null ? "null" : typeof chunk === "object" ? "an object" : typeof chunk}, not bytes (Uint8Array)`;

/**
 * How the client reads file inputs: its `fetch` (for URLs), whether streams are sent as they come (its upload
 * function), its clock, its `timeoutMs` (each read of a URL's download) and `uploadTimeoutMs` (each read of a stream).
 */
export type Reader = [
  fetch: typeof fetch,
  streams: unknown,
  now: () => number,
  timeoutMs: number,
  uploadTimeoutMs: number,
];

/**
 * Why a file larger than the client takes in one file is refused: `maxFileBytes` of @decart/api, in MiB, the larger
 * reading of the docs' words that the spec holds (their "200 MB" read as MiB, 209715200 bytes), so that no file the
 * server may take is refused before sending. The server's own limit in bytes is not known: the message says what the
 * client holds, and what the docs say (`maxFileDocs` of @decart/api, the spec's words, not a figure made from the
 * client's).
 */
export const tooLarge = `over the client's ${maxFileBytes / 2 ** 20} MiB per file (the docs say ${maxFileDocs}): give a smaller one`;

/** The call's budget a read keeps to: its end (the client's clock), and its length, which a timeout there names. */
type Budget = Pick<Call, "deadline" | "budgetMs">;

/**
 * Turns a `FileInput` into what is sent: a URL is downloaded (with `signal`, without the key), a stream or async
 * iterable collected (unless `streams`: an upload function sends them as they come). Each read (the URL's answer, then
 * each chunk) waits under a timer (`timeoutMs` for a URL, `uploadTimeoutMs` for a stream), never past the call's
 * `deadline` (the client's clock; a timeout there names `budgetMs`), and ends at once when `signal` aborts: a server that never answers or sends a byte
 * now and then, or a stream that stops sending, ends in a `TimeoutError` naming the field (and the URL), the source
 * released. A stream's failure, or a chunk that is not bytes, is an `InvalidInputError` naming the field; so is a
 * stream used already (read from, destroyed, locked), before anything is read or sent. A file larger than the client
 * takes (`maxFileBytes` of @decart/api: see `tooLarge`) is an `InvalidInputError` naming the field too, before
 * anything is sent: a Blob or bytes given by their size, a URL's download or a stream collected as soon as it has come
 * past it (the rest is not read).
 */
export async function toBlob(
  value: FileInput,
  field: string,
  [fetchImpl, streams, now, timeoutMs, uploadTimeoutMs]: Reader,
  signal?: AbortSignal,
  { deadline = Infinity, budgetMs }: Budget = {},
): Promise<UploadPartValue> {
  // Text or a URL is downloaded; any other value (a Blob, bytes, a stream) is read as it is.
  const url = value instanceof URL || typeof value !== "object" ? String(value) : "";
  const shown = shownUrl(url);
  const what = url ? `Could not download "${field}" from ${shown}` : `Could not read the input "${field}"`;
  // Aborted by the call's signal, or by the timer of the read waited for (see `timed`).
  const [readSignal, until, , release, cutBy] = timed(signal, url ? timeoutMs : uploadTimeoutMs, deadline, now);
  // What is read (the input, or the URL's body): through a web stream's reader, else its async iterator (a body of a
  // fetch of yours may be a Node stream).
  const source: any = value;
  const iterate = (from: any) => (from instanceof ReadableStream ? from.getReader() : from?.[Symbol.asyncIterator]());
  let it: any;
  let type = "";
  let status = 0;
  // A chunk that is not bytes, or a file too large: why it is refused (what is thrown, then).
  let refused: string | undefined;
  const chunks: BlobPart[] = [];
  // The bytes of what is sent, counted as they come: past the client's limit of one file, refused (nothing more read).
  let size = 0;
  // (A Blob by its size, bytes by their length, text by its UTF-8 bytes; and `ahead`, a URL's Content-Length: past the
  // limit, its body is not read.)
  const sized = <T>(part: T, ahead = 0): T => {
    size += (part as any).size ?? (part as any).byteLength ?? new Blob([part as BlobPart]).size;
    if (size + ahead > maxFileBytes)
      // biome-ignore lint/suspicious/noAssignInExpressions: set and thrown in one (a statement each ships more bytes).
      throw (refused = tooLarge);
    return part;
  };
  try {
    // A File whose name is empty is sent named `blob`, as a bare Blob is: Node's FormData (undici's) leaves the
    // filename of an empty name out, and the server takes a part without one for text (a browser's sends it empty).
    // A value that only poses as a Blob (a Proxy with its prototype, an object made from it) is none, and a form would
    // send it as its text: its slice, which takes only a Blob, fails. So does a Blob whose `size`, `type` or `name`
    // getter throws: all refused here, as a stream that fails is. What is sent is a copy (the same bytes, type and
    // name) whose getters are the platform's: the form, fetch and an upload function read them again, and a getter
    // that throws only then (not on the reads here) would fail the call as a broken connection, after nothing was sent.
    // A Blob of another realm, or of a library (fetch-blob's, node-fetch's), which this realm's Blob would take as its
    // text ("[object Blob]"), is copied by its bytes, read through its own `arrayBuffer()`.
    if (isBlob(value)) {
      const { type } = value;
      const bytes = value instanceof Blob ? value.slice(0, value.size) : await until((value as Blob).arrayBuffer());
      return sized(
        tagOf(value) === "File"
          ? new File([bytes], (value as File).name || "blob", { type })
          : new Blob([bytes], { type }),
      );
    }
    // A Node stream that failed before it was read (heard since the call began, see `resolveFiles`) is refused
    // before anything is sent, with or without an upload function. So is a stream that cannot give its whole content
    // (it gives it once): one read from already (by an earlier call that sent it, or by you: a chunk taken, piped),
    // destroyed (by a call that failed), or locked by a reader of its own would be sent cut short or empty. (A Node
    // stream that ended is destroyed, or was read from, or gave nothing; one paused or heard that gave nothing is whole.
    // A web stream read from or cancelled, then released, is not known without reading it: collected, it is held to
    // the rules of a Blob, see `resolveFiles`.)
    hear(value);
    if (source?.errored || source?.destroyed || source?.readableDidRead || source?.locked)
      throw source.errored ?? "used already: give a new stream for each call";
    if (streams && isFileValue(value)) return value as UploadPartValue;
    // Bytes that cannot be read (a detached ArrayBuffer) are refused as a stream that fails is.
    if (isBuffer(value)) return sized(new Blob([value as BlobPart]));
    // (An abort before the call is heard by no listener.)
    // (Not `throwIfAborted`, which a polyfill's signal may lack.)
    if (signal?.aborted) throw signal.reason;
    if (url) {
      const response = await until(fetchImpl(url, { signal: readSignal }));
      ({ status } = response);
      type = response.headers.get("content-type") ?? "";
      it = iterate(response.body);
      if (status > 299) throw `HTTP ${status}`;
      // A Content-Length past the limit is refused as a count past it is, the body not read (cancelled, see below). A
      // fetch whose answers have no body stream (React Native's, whatwg-fetch's) gives the bytes whole: counted so.
      sized("", lengthOf(response.headers));
      it ??= (await until(response.blob())).stream().getReader();
    } else it = iterate(source);
    for (;;) {
      // (An iterable's that gives no iterator fails here as it is read.)
      const chunk = await until<IteratorResult<unknown>>(it.read ? it.read() : it.next());
      if (chunk.done) return new Blob(chunks, { type });
      // biome-ignore lint/suspicious/noAssignInExpressions: set and thrown in one (a statement each ships more bytes).
      if (!isBytes(chunk.value)) throw (refused = notBytes(chunk.value));
      // (Counted by its bytes, text's in UTF-8; kept as it came.)
      chunks.push(sized(chunk.value as BlobPart));
    }
  } catch (problem: any) {
    // Left before its end (an error status, a failure, an abort): what this read is released (a body or a web stream
    // cancelled through its reader, which the call's own ending leaves locked; an iterator returned). The call ends a
    // Node stream input itself (destroyed), a read waiting for its next chunk too.
    // (A web stream of yours is let go instead: the call cancels it with its error, see `ended` in client.ts.)
    (async () => (it?.cancel ? (url ? it.cancel() : it.releaseLock()) : it?.return?.()))().catch(ignore);
    if (signal?.aborted) throw aborted(undefined, signal.reason);
    // Ended by the timer (the read's timeout, or the call's deadline).
    if (readSignal.aborted)
      throw new TimeoutError(`${what}: timed out (${cutBy(budgetMs)})`, {
        retryable: !!url,
      });
    // The stream's own failure, a chunk that is not bytes, or a file too large (`refused`, the text thrown): the
    // caller's; nothing was sent.
    if (!url || refused)
      throw new InvalidInputError(`${what}: ${textOf(problem, true)}; nothing was sent`, {
        field,
        expected: "a readable file or stream of bytes",
        cause: refused ? undefined : problem,
      });
    // The code of fetch's error's cause is given in the message (ECONNREFUSED, ENOTFOUND, ERR_INVALID_URL …). A failure
    // of the network: fetch's error has a cause with a system's or undici's code (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET
    // …), or, in a browser, is a TypeError without a cause (`Failed to fetch`). A URL fetch cannot parse
    // (ERR_INVALID_URL) or with credentials, or a port it refuses, fails the same way each time, and so does a server
    // whose certificate is not trusted (a TLS-intercepting proxy's CA: UNABLE_TO_GET_ISSUER_CERT_LOCALLY, or
    // SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED …; only undici's codes start with U otherwise).
    const code = problem?.cause?.code;
    let network = /^E(?!RR)|^UND/.test(code);
    // fetch refuses a URL it cannot parse, or one with credentials, with a TypeError as it fails on the network (in a
    // browser without a cause either): told apart by making the Request it would have made.
    if (problem instanceof TypeError && !problem.cause)
      try {
        network = !!new Request(url);
      } catch {}
    // fetch's message may quote the URL (one it cannot parse, or one with credentials, which it refuses): shown without
    // its query, fragment and credentials there too. What it threw is not the cause: its stack and its own causes may
    // quote the URL as well.
    throw new InvalidInputError(`${what}: ${textOf(problem).split(url).join(shown)}${code ? ` (${code})` : ""}`, {
      field,
      expected: "a reachable http(s) URL",
      // A 408, 429 or 5xx of that server, or a failure of the network, may pass when tried again.
      retryable: [408, 429].includes(status) || status >= 500 || network,
    });
  } finally {
    release();
  }
}

/**
 * A Node stream's error before it is read (`fs.createReadStream` of a missing path fails at once, while an earlier
 * field's file URL is downloaded) would end the process, unheard: heard from the call's start (a Node stream keeps it as
 * `errored`, and its read fails with it, naming the field). One listener per stream, whatever the number of calls that
 * hear it (the check of a call's inputs, then its read; each call given the same stream again): the one shared
 * `ignore`, taken off before it is added (else Node warns of a leak past 10).
 */
const hear = (value: any) =>
  typeof value?.on === "function" &&
  // biome-ignore lint/complexity/noCommaOperator: one expression (a block's `if` ships a few bytes more to browsers).
  (value.off?.("error", ignore), value.on("error", ignore));

/**
 * A Blob labelled `application/octet-stream` (as storage and CDNs serve files; the client takes it), or with no type
 * (bytes given as a file input), typed by its first bytes: `video/mp4` when they begin as an MP4 does (`isMp4Start`;
 * not an ISO file of an image's or a sound's brand, HEIC, AVIF or M4A), `image/png`, `image/jpeg`, `image/webp` (`RIFF`,
 * a size, `WEBP`) or `video/webm` (Matroska's `1A 45 DF A3`) by their signature. Else as it came (the same bytes, not
 * copied); one labelled otherwise is not read, and a value that is no Blob (a stream) is answered as it is. A result
 * or image of the API's is answered so; a file input is checked so (`resolveFiles`), and sent as given.
 */
export const typed = async (blob: Blob): Promise<Blob> => {
  if (!/^(application\/octet-stream)?$/.test(mediaOf(`${blob.type}`))) return blob;
  const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  const text = String.fromCharCode(...head);
  // (An ISO file of an image's or a sound's brand, HEIC, AVIF, M4A, Canon raw: `ftyp` then `heic`, `avif`, `mif1`,
  // `miaf`, `M4A `, `F4A `, `crx ` …, is no MP4. F4P is Adobe's protected video.)
  const type =
    isMp4Start(head) && !/^.{8}(avi|he[iv]|mi[af]|msf|[MF]4[AB]|M4P|crx)/s.test(text)
      ? "video/mp4"
      : /^\x89P/.test(text)
        ? "image/png"
        : /^\xff\xd8\xff/.test(text)
          ? "image/jpeg"
          : /^RIFF.{4}WEBP/s.test(text)
            ? "image/webp"
            : // biome-ignore lint/suspicious/noControlCharactersInRegex: Matroska's signature begins with 0x1A.
              /^\x1aE\xdf\xa3/.test(text) && "video/webm";
  return type ? new Blob([blob], { type }) : blob;
};

/**
 * The check of a file input (a stream an upload function sends as it comes, `nodeUpload`'s), which it runs on a Blob of
 * the stream's first bytes (`typed`) before anything is sent: the rule a stream collected whole is held to.
 */
export const heads = new WeakMap<object, (file: Blob) => void>();

/**
 * Turns every file field of `inputs` into what is sent (see `toBlob`). With `check`, a file downloaded from a URL, or a
 * stream collected (without an upload function), is held to the rule a Blob given is held to (its media type, not
 * empty: a stream that gave no bytes is an empty file) before anything is sent.
 */
export async function resolveFiles(
  model: Pick<ModelDefinition, "fields" | "name">,
  inputs: Record<string, unknown>,
  reader: Reader,
  signal?: AbortSignal,
  budget?: Budget,
  check?: boolean,
): Promise<Record<string, unknown>> {
  const out = { ...inputs };
  const where = `Invalid input for ${model.name}`;
  // A JSON value (`trajectory`) is written as its text first, before any file is read: one that JSON cannot write (a
  // BigInt in it, a `toJSON` or a getter that throws) is refused, naming the field, with what JSON said. So is a text
  // with a lone surrogate (half an emoji), which a form would send as U+FFFD (not shown: a file's URL may be secret).
  for (const [name, value] of Object.entries(out)) {
    try {
      if (value && typeof value === "object" && !isFileInput(value)) out[name] = JSON.stringify(value);
      else hear(value);
    } catch (e) {
      throw invalid(where, name, `a value that can be sent (${textOf(e, true)})`);
    }
    if (typeof value === "string" && /\p{Cs}/u.test(value))
      throw invalid(where, name, "text without a lone surrogate (U+D800-U+DFFF alone)");
  }
  for (const field of model.fields) {
    const { name } = field;
    const value = out[name];
    if (field.type === "file" && value != null) {
      out[name] = await toBlob(value as FileInput, name, reader, signal, budget);
      // (A Blob or bytes given were checked so already; a stream collected whole is held to it too. One of no type, or
      // `application/octet-stream`, by its first bytes: a PNG or JPEG where a video goes is refused, naming the field.
      // A stream sent as it comes, by an upload function, is checked so by its first bytes as they are read: `heads`.)
      if (check) {
        const check = (file: unknown) =>
          checkSchema(
            field as Schema,
            file,
            name,
            value instanceof URL || typeof value !== "object" ? `${where}, downloaded from ${shownUrl(value)}` : where,
          );
        check(await typed(out[name] as Blob));
        heads.set(out[name] as object, check);
      }
    }
  }
  return out;
}

/**
 * The multipart body for a model's inputs (files already resolved, JSON values written as their text), encoded the way
 * the official SDK does: text as is, numbers in decimal, booleans `true`/`false`, files as parts (a bare Blob is named `blob`; a
 * File keeps its name). Fields go in the order of `fields` (the catalogue's), then any others; `undefined` and `null`
 * are left out. Nothing is added: the server applies the spec's defaults. Every part is also listed in `parts` (streams
 * only there), with `onUploadProgress`, for an upload function.
 */
export function encodeForm(
  inputs: Record<string, unknown>,
  fields: readonly { name: string }[],
  onUploadProgress?: (progress: UploadProgress) => void,
): UploadBody {
  if (!globalThis.FormData) throw invalid("Invalid input", "FormData", "a global of this runtime (add a polyfill)");
  const form: UploadBody = Object.assign(new FormData(), { parts: [], onUploadProgress });
  for (const name of new Set([...fields.map((f) => f.name), ...Object.keys(inputs)])) {
    const value = inputs[name];
    if (value != null) {
      const part = isFileValue(value) ? value : String(value);
      form.parts!.push([name, part]);
      if (typeof part === "string" || isBlob(part)) form.append(name, part);
    }
  }
  return form;
}

/** A text's line breaks (CRLF, a lone CR or LF) each as the CRLF a form sends. */
export const crlf = (text: string): string => text.replace(/\r?\n|\r/g, "\r\n");

/** A part's name or file name as a form writes it in its Content-Disposition: quoted, `"` and line breaks escaped. */
export const quoted = (text: string): string => `"${text.replace(/["\r\n]/g, encodeURIComponent)}"`;

/**
 * A multipart body as a Blob and its type, for a `fetch` you give: one may not take this runtime's `FormData` (undici
 * 7's fetch in Node 20 sends Node's as the text "[object FormData]"), every fetch takes a Blob. The bytes are those a
 * fetch sends for the form (names quoted, a name's and a text's line breaks as CRLF); its file parts are held, not
 * copied, and it has a length.
 */
export const multipart = (form: FormData, boundary = `----decart${Math.random()}`) => {
  // A name's line breaks and a text's are CRLF, as a fetch writes them (a file's name is quoted as it is). An empty
  // file name is written `filename=""`, as a browser's form writes it, not left out as Node's fetch does: the server
  // takes a part without one for text (the client's inputs never have one: see `toBlob`, which names it `blob`).
  const parts: (string | Blob)[] = [];
  form.forEach((value, name) => {
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(crlf(name))}${typeof value === "string" ? "" : `; filename=${quoted(value.name)}\r\nContent-Type: ${value.type || "application/octet-stream"}`}\r\n\r\n`,
      typeof value === "string" ? crlf(value) : value,
      "\r\n",
    );
  });
  return [new Blob([...parts, `--${boundary}--\r\n`]), `multipart/form-data; boundary=${boundary}`] as const;
};
