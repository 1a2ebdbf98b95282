import { brokenRules, responseSchemas } from "@decart/api";
import { InvalidInputError, invalid } from "./errors.js";

export { invalid };

import type { ModelDefinition } from "./models.js";
import type { CreateWatchOptions } from "./types.js";

/** A media type without its parameters, in lower case (`Video/MP4; codecs=x` → `video/mp4`). */
export const mediaOf = (type: string) => type.split(";")[0]!.trim().toLowerCase();

/**
 * Whether `bytes` begin as an MP4 does (an ISO base media file, QuickTime's too): their first box's type, bytes 4 to 8,
 * is one such a file may start with: `ftyp`, a CMAF segment's `styp`, or one a QuickTime file or a writer may put first
 * (`free`, `skip`, `wide`, `moov`, `mdat`, `pnot`, `uuid`). An error page, JSON, an image or fewer than 8 bytes is not
 * (`isMp4Start(new TextEncoder().encode("<html>…"))` is false). The client's check of a job's result labelled
 * `application/octet-stream` takes a page that begins so as the video (a paid result is not refused), and so does the
 * `decart` CLI's.
 */
export const isMp4Start = (bytes: Uint8Array): boolean =>
  /^(ftyp|styp|free|skip|wide|moov|mdat|pnot|uuid)$/.test(String.fromCharCode(...bytes.subarray(4, 8)));

/** True for an async iterable of bytes, such as a Node `Readable` (never a string). */
export const isByteIterable = (v: unknown): v is AsyncIterable<Uint8Array> =>
  typeof (v as any)?.[Symbol.asyncIterator] === "function";

/**
 * True when `input` cannot be sent again: a field of it holds a file that can be read only once (a web stream, an
 * async iterable of bytes such as a Node stream: the first request read it, sent again it would be an empty file), or
 * its fields cannot be read. A web stream is one by its class too: Safari's and Chromium's before 124 are not async
 * iterable.
 */
export const readOnce = (input: object): boolean => {
  try {
    return Object.values(input).some((v) => isByteIterable(v) || v instanceof ReadableStream);
  } catch {
    return true;
  }
};

/**
 * The class of `v` by its tag (`Blob`, `File`, `ArrayBuffer` …), whatever realm made it: a same-origin iframe's File
 * or ArrayBuffer is no `instanceof` this realm's classes, and FormData takes it all the same.
 */
export const tagOf = (v: unknown): string => {
  // (A Proxy's `Symbol.toStringTag` read may throw: it is then of no class.)
  try {
    return {}.toString.call(v).slice(8, -1);
  } catch {
    return "";
  }
};

/** True for a Blob or a File, of any realm (or a value that poses as one of this realm: its read refuses it). */
export const isBlob = (v: unknown): v is Blob => v instanceof Blob || /^(Blob|File)$/.test(tagOf(v));

/** True for a value that is sent as a file part as it is: a Blob, a web stream or an async iterable of bytes. */
export const isFileValue = (v: unknown): v is Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> =>
  isBlob(v) || v instanceof ReadableStream || isByteIterable(v);

/** ArrayBuffer's `byteLength` getter: it throws for what is no ArrayBuffer, of any realm (whatever its tag). */
const byteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength")!.get!;

/** True for bytes: an ArrayBuffer (of any realm, detached too), or any view of one. */
export const isBuffer = (v: unknown): v is ArrayBuffer | ArrayBufferView => {
  try {
    return ArrayBuffer.isView(v) || byteLength.call(v) >= 0;
  } catch {
    return false;
  }
};

/** True for what the client can turn into a file part (see `FileInput`). */
export const isFileInput = (v: unknown): boolean =>
  isFileValue(v) || isBuffer(v) || /^https?:\/\//i.test(v instanceof URL ? v.href : typeof v === "string" ? v : "");

/**
 * The subset of JSON Schema the catalogue and the spec's request schemas use, plus the client's own types: `file` (or
 * `format: binary`), `json` (a value or its JSON text), `function` and `signal` (an `AbortSignal`).
 */
export interface Schema {
  /** A type, or the spec's list of one and `null` (`["string", "null"]`: the type, or null). */
  type?: string | readonly string[];
  format?: string;
  enum?: readonly unknown[];
  const?: unknown;
  oneOf?: readonly Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  required?: readonly string[] | boolean;
  properties?: Readonly<Record<string, Schema>>;
  /** `false`: only the listed properties may be given. */
  additionalProperties?: boolean | Schema;
  /** Words after an unknown name's list of the known ones: the way past the check (`validateInputs: false`). */
  or?: string;
  /**
   * A call's options (`checkCall`): a name that goes elsewhere is refused saying where (`misplaced`); 2: a call of no
   * client (`openPipe`), not told of the client's options; 0: a view layer's options, told their known names alone.
   */
  call?: 0 | 1 | 2;
  /** For `file`: the accepted media types. */
  accept?: readonly string[];
  /** For `json`: the schema of the parsed value. */
  schema?: Schema;
  /**
   * An object read into a copy, as it is checked: `true`, its own fields (a model definition's, `{ ...v }`); a function,
   * the copy it makes (a watch's `first`, read as `checkJob` reads a job status: `copyOf`).
   */
  once?: boolean | ((value: any) => object);
}

/**
 * A copy of an answer (yours, frozen perhaps) that checking it may change, never the answer itself: its enumerable
 * fields, and those of a job status in the spec however they are given (a class's getters, a field not enumerable).
 * One rule for `checkJob`, a watch's `first` (`once`) and a status read: an answer whose fields cannot be listed, or
 * whose fields the spec requires of a job status (`job_id`, `status`) cannot be read (a getter, a Proxy's trap or a
 * revoked Proxy throws), throws (said as "a value that can be read", not as missing a field it has); any other field
 * that cannot be read is left out.
 */
export const copyOf = (answer: any) => {
  if (!answer || typeof answer !== "object") return answer;
  const copy: any = {};
  const { properties: fields, required } = responseSchemas.JobStatusResponse as Schema;
  const take = (key: string) => {
    try {
      const value = answer[key];
      if (value !== undefined) copy[key] = value;
    } catch (e) {
      if ((required as string[]).includes(key)) throw e;
    }
  };
  for (const key in answer) take(key);
  // (None of them is a name of Object.prototype's: `in` tells those read already.)
  for (const key in fields!) if (!(key in copy)) take(key);
  return copy;
};

const isObject = (v: unknown) => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * A value's length as the API counts it once sent: the rule a field's `minLength` and `maxLength` (an array's
 * `minItems` and `maxItems`) are checked by. A text's is in characters (code points: an emoji is 1, not the 2 UTF-16
 * code units a `<textarea maxlength>` counts), each line break as the CRLF a form sends it as (a lone CR or LF too, per
 * the HTML spec), which counts 2: `sentLength("a\nb")` is 4, `sentLength("🎬")` is 1. An array's is its number of
 * items; anything else's 0.
 */
export const sentLength = (value: string | readonly unknown[]): number =>
  typeof value === "string" ? [...value.replace(/\r?\n|\r/g, "\r\n")].length : Array.isArray(value) ? value.length : 0;

/**
 * Other names of a file's media type, which the server takes as the type they name (it does not judge a file by its
 * label): S3's default for an object stored without a type (`binary/octet-stream`: none known, the server judges), and
 * old names of image types that stores and browsers still give.
 */
const ALIASES: Readonly<Record<string, string>> = {
  "binary/octet-stream": "application/octet-stream",
  "image/jpg": "image/jpeg",
  "image/x-png": "image/png",
  // Safari's and macOS's label for an `.m4v` file: an MP4 container.
  "video/x-m4v": "video/mp4",
};

const TYPES: Record<string, (v: unknown) => boolean> = {
  array: Array.isArray,
  object: isObject,
  integer: Number.isInteger,
  number: Number.isFinite,
  file: isFileInput,
  // By its tag too, as a Blob: another realm's (an iframe's) is no `instanceof` this one's, nor a polyfill's.
  signal: (v) => v instanceof AbortSignal || tagOf(v) === "AbortSignal",
};

/**
 * Checks `value` against a schema: type (a file is a Blob, stream, bytes or http(s) URL of an accepted media type; a
 * JSON value may be given as JSON text), enum, const, oneOf, minimum/maximum, lengths, items, required and known
 * properties (own properties only: `constructor` or `__proto__` are unknown names, not the prototype's). Throws
 * `InvalidInputError` naming the innermost field (`trajectory[1].x`, `poll.intervalMs`) and what it takes. Answers an
 * object's fields as read.
 */
export function checkSchema(
  schema: Schema,
  value: unknown,
  path: string,
  where: string,
): [string, unknown][] | undefined {
  // Shows the value at `path` (`options` at the top: a call's options, or an answer, that is no object), or with `at`,
  // what `got` is (nothing when undefined).
  const fail = (expected: string, at?: string, got?: unknown): never => {
    throw invalid(where, at ?? (path || "options"), expected, at === undefined ? value : got);
  };
  const {
    minimum: min = -Infinity,
    maximum: max = Infinity,
    minLength: lo = schema.minItems ?? 0,
    maxLength: hi = schema.maxItems ?? Infinity,
    accept,
  } = schema;
  // A type that may be null is checked as its other (a value of null is none given, below); none reads "undefined",
  // which names no check.
  const type = schema.format === "binary" ? "file" : `${schema.type}`.replace(/,?null,?/, "");
  const at = (key: string) => (path ? `${path}.${key}` : key);
  // The field being read, if any: a getter or a Proxy that throws as a field is read is named (`poll.intervalMs`), and
  // whatever else throws while the value is looked at names the value (the object when its keys cannot be listed; a
  // revoked Proxy, a Blob whose `size` or `type` getter throws, an async iterable's `Symbol.asyncIterator` getter).
  let key: string | undefined;
  try {
    if (schema.oneOf) {
      const errors: any[] = [];
      for (const branch of schema.oneOf) {
        try {
          return checkSchema(branch, value, path, where);
        } catch (e) {
          errors.push(e);
        }
      }
      // A branch that failed inside the value names that field and what it takes (`poll.intervalMs`: within 0..…);
      // else each branch's kind is named (`an object, or a function`), at the top too (where `fail` names "options").
      throw errors.find((e) => e.field !== (path || "options")) ?? fail(errors.map((e) => e.expected).join(", or "));
    }
    // A const is named as itself (ttl_seconds of 59: `within 60..2592000, or "persistent"`, not `or a string`).
    if ("const" in schema && value !== schema.const) fail(JSON.stringify(schema.const));
    if (type === "json" && typeof value === "string") {
      try {
        value = JSON.parse(value);
      } catch {
        fail("JSON");
      }
    }
    // A number out of range is told the range, ±Infinity too (a number, but not one a field takes: `timeoutMs` of
    // Infinity is told 1..2147483647, as 0 and 2^31 are); a range open on one side by its bound (`maxRetries` of -1 or
    // -Infinity: "0 or more", not "within 0..Infinity"; a definition of one's own with a `maximum` alone, 11 where it is
    // 10: "10 or less"; a test holds every range to it). NaN is told it is no number, below, as is Infinity where the
    // range is open (JSON has no Infinity).
    if (typeof value === "number" && (value > max || value < min))
      fail(max === Infinity ? `${min} or more` : min === -Infinity ? `${max} or less` : `within ${min}..${max}`);
    // `string`, `boolean` and `function` are what `typeof` says.
    if (TYPES[type] ? !TYPES[type](value) : /^[sbf]/.test(type) && typeof value !== type) {
      fail(
        type === "file"
          ? "a file, a stream, bytes or an http(s) URL"
          : type === "signal"
            ? "an AbortSignal: an AbortController's signal (a polyfill's tagged \"AbortSignal\")"
            : `${/^[aio]/.test(type) ? "an" : "a"} ${type}`,
      );
    }
    // (A file's type as named: an alias is the type it names, `application/octet-stream` none known; a list of your own
    // that names the alias itself takes it too. A type named as a prototype's key, `constructor`, looks up a function:
    // no accepted type either.)
    const media = isBlob(value) && mediaOf(value.type);
    const named = media && (ALIASES[media] || media);
    if (accept && named && named !== "application/octet-stream" && !accept.includes(named) && !accept.includes(media)) {
      fail(`of type ${accept.join(", ")}`, path, media);
    }
    // A file of no bytes is no media of an accepted type (a stream's length is not known before it is sent). A file to
    // store (no `accept`) may be empty: the spec sets no minimum.
    if (type === "file" && ((value as Blob).size ?? (value as ArrayBuffer).byteLength) === 0 && accept)
      fail("a non-empty file", path, "0 bytes");
    if (schema.enum?.includes(value) === false) fail(`one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}`);
    // (A text's length as sent, an array's number of items; see `sentLength`.)
    const length = sentLength(value as string);
    if (length < lo || length > hi)
      fail(
        `${lo} to ${hi} ${type === "array" ? "items long" : `characters long${/[\r\n]/.test(value as string) ? ", line breaks sent as CRLF" : ""}`}`,
        path,
        length,
      );
    if (schema.schema) checkSchema(schema.schema, value, path, where);
    // (An array by the type's check above.)
    if (type === "array" && schema.items) {
      for (const [i, item] of (value as unknown[]).entries()) checkSchema(schema.items, item, `${path}[${i}]`, where);
    }
    if (type === "object") {
      const props = schema.properties ?? {};
      // Each field is read once, here, and what was read is checked, and answered. So is a model definition's, and a
      // watch's `first` (a submit answer, which a view layer checks with checkJob before the engine reads it): their
      // copies, as their schemas say (`once`: `first` as checkJob reads it, its spec's fields however given), not a
      // model's input of that name (a file called `first` is sent as given).
      // A field of undefined or null is not given: left out.
      const entries: [string, unknown][] = [];
      for (key of Object.keys(value as object)) {
        const v = (value as any)[key];
        const once = typeof v === "object" && props[key]?.once;
        // A definition's fields are read as its own (a copy, `{ ...v }`): one made from it (`Object.create(def)`),
        // whose fields are its prototype's, would be read as none, and is refused saying what to pass.
        if (v && once === true && "path" in v && !Object.hasOwn(v, "path"))
          fail("the definition itself, or { ...definition }", at(key));
        if (v != null) entries.push([key, once ? (once === true ? { ...v } : once(v)) : v]);
      }
      for (const entry of entries) {
        const [key, v] = entry;
        // `poll` goes on as its fields were read, those of undefined or null left out (not given, as at the top).
        if (Object.hasOwn(props, key)) {
          const fields = checkSchema(props[key]!, v, at(key), where);
          if (key === "poll" && fields) entry[1] = Object.fromEntries(fields);
        } else if (schema.additionalProperties === false)
          throw (
            (schema.call && misplaced(where, key, Object.keys(props), undefined, schema.call > 1)) ||
            fail(`a known name (one of ${Object.keys(props).join(", ")})${schema.or ?? ""}`, at(key))
          );
      }
      for (key of (schema.required as string[]) ?? []) {
        const v = (value as any)[key];
        // A required field may be null where its type says so (a stored file's `expires_at`).
        if (v === undefined || (v === null && !/null/.test(props[key]?.type as never))) fail("given", at(key));
      }
      return entries;
    }
  } catch (e) {
    throw e instanceof InvalidInputError ? e : fail("a value that can be read", key ? at(key) : path || "options");
  }
}

/**
 * What breaks one of the spec's `responseSchemas` in an answer, or nothing: `not an object`, or the innermost field and
 * what it must be (`"error" must be a string (got 42)`). A throw that is not the checker's refusal is thrown on.
 */
export const breaks =
  (schema: Schema) =>
  (answer: unknown): string | undefined => {
    try {
      checkSchema(schema, answer, "", "");
    } catch (e) {
      // Only the checker's own refusal says what breaks the spec: anything else (a TypeError of a stale build's missing
      // schema) is thrown on as it is, not cut into a message.
      if (!(e instanceof InvalidInputError)) throw e;
      return e.field === "options" ? "not an object" : e.message.slice(2);
    }
  };

/** A delay in ms that timers can hold (up to 2^31 − 1 ms, about 24.8 days; longer ones would fire at once). */
const delayMs = { type: "number", minimum: 0, maximum: 2 ** 31 - 1 };
/** A time limit in ms: a delay of at least 1 ms. */
const limitMs = { ...delayMs, minimum: 1 };
const fn = { type: "function" };
const pollObject: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    initialDelayMs: delayMs,
    intervalMs: delayMs,
    // A cap under the adaptive schedule's shortest wait (50 ms) would make every schedule read as fast as answers come
    // (`intervalMs: 0` asks that, if wanted).
    maxIntervalMs: { ...delayMs, minimum: 50 },
    schedule: fn,
    delay: fn,
    now: fn,
  },
};
const text = { type: "string" };
const flag = { type: "boolean" };

/** `createDecartClient`'s options, and what each must be (the only ones it takes). */
export const clientOptions: Readonly<Record<string, Schema>> = {
  apiKey: text,
  token: fn,
  dangerouslyAllowBrowser: flag,
  baseUrl: text,
  proxy: text,
  fetch: fn,
  upload: fn,
  timeoutMs: limitMs,
  uploadTimeoutMs: limitMs,
  maxRetries: { type: "integer", minimum: 0 },
  retrySubmit: flag,
  random: fn,
  poll: pollObject,
  integration: text,
  logger: { type: "object" },
  validateInputs: flag,
  telemetry: flag,
};

/**
 * The keys of a call that are options rather than a model's inputs, and what each must be: the one list that splits
 * a call (`submit`, `submitAndPoll`, `process` …) into options and inputs, and checks every call's options. The first
 * four are a watch's (`checkWatchOptions`), the first six those of `queue.wait` and `queue.watch`: taken by their place.
 */
export const callOptions: Readonly<Record<string, Schema>> = {
  model: { once: true },
  timeoutMs: limitMs,
  download: flag,
  poll: { oneOf: [pollObject, fn] },
  signal: { type: "signal" },
  onStatusChange: fn,
  onSubmitted: fn,
  onUploadProgress: fn,
  onProgress: fn,
  // (Taken by `queue.submit` and `process` only.)
  deadline: { type: "number" },
};

/**
 * Checks a call's options object: an object (or nothing) whose `keys` (all of `callOptions` by default) are of the
 * right kind, and whose other keys are those of `rest`, each of its kind (without `rest`, anything: a model's fields,
 * checked against the catalogue apart). Answers the options and the other keys apart, and all of them as read (own
 * properties only). A key it does not take that goes elsewhere is refused saying where (`misplaced`); `alone` 1: a
 * call of no client (see `Schema.call`), 0: a view layer's options, refused by their known names alone.
 */
export function checkCall(
  call: unknown,
  where: string,
  keys: readonly string[] = Object.keys(callOptions),
  rest?: Readonly<Record<string, Schema>>,
  anyValue?: boolean,
  alone?: 0 | 1,
): [options: Record<string, any>, others: Record<string, unknown>, all: Record<string, any>] {
  // Each field read once, by the check: what was read is what is checked and used.
  const entries = checkSchema(
    {
      type: "object",
      additionalProperties: !rest,
      call: alone ? 2 : (alone ?? 1),
      properties: { ...rest, ...Object.fromEntries(keys.map((k) => [k, anyValue ? {} : callOptions[k]!])) },
    },
    call ?? {},
    "",
    where,
  )!;
  const part = (mine: boolean) => Object.fromEntries(entries.filter(([key]) => keys.includes(key) === mine));
  return [part(true), part(false), Object.fromEntries(entries)];
}

/**
 * Checks a job watch's options, as `queue.createWatch` takes them: `model`, `first` (an object), `timeoutMs` or a
 * `deadline` (a finite number; not both), `poll`, `download`, and nothing else. Throws `InvalidInputError` naming the
 * field; answers the options as read. A view layer that submits before it watches checks them with it first, so that
 * options the watch would refuse refuse the submit too. A view layer's own options (queue-rx's, the React hooks') are
 * `also`, each with its schema (`{}`: any value): taken, checked, answered and named among the known ones when a key
 * that is none is refused, in errors that start with `where`. With `keys`, only the watch's call options (`model`,
 * `timeoutMs`, `download`, `poll`) are taken, of any value: a layer that sets the deadline itself and has the watch
 * check their values when it watches (the React hooks). `T` is what the options are (a layer's own options type, whose
 * keys are those of `also`); by default the watch's, and any other key unknown.
 */
export function checkWatchOptions<T extends object = CreateWatchOptions & { [option: string]: unknown }>(
  options: unknown,
  also?: Readonly<Record<string, Schema>>,
  where = "Invalid options",
  keys?: boolean,
): T {
  const [own, rest, all] = checkCall(
    options,
    where,
    Object.keys(callOptions).slice(0, 4),
    keys ? also : { deadline: { type: "number" }, first: { type: "object", once: copyOf }, ...also },
    keys,
    // (A view layer's options name its own keys: refused by the known ones alone.)
    also && 0,
  );
  if (rest.deadline != null && own.timeoutMs != null) throw invalid(where, "deadline", "given without `timeoutMs`");
  return all as T;
}

/**
 * Other SDKs' options of a call that this client takes otherwise, or not at all: what each is here, worded from the
 * call's own options (`keys`): a `timeout` is `timeoutMs` where the call takes it (the client's, a token route's, a
 * watch's too), else its `deadline` (a submit's, or `submitAndPoll`'s `timeoutMs`), else its `signal`; a `webhook` is
 * told to watch the job only by a call that makes one (a video model's submit; `submitAndPoll`'s: `onSubmitted`), not
 * by a watch of a job that exists (`queue.wait`, `createWatch`), `process` (its image is the answer), `tokens.create`
 * or the client's options; `input` only where the call takes
 * a model's inputs. A `timeoutMs` given to a call that takes none is told what a `timeout` is told: the call's own
 * limit (the client's `timeoutMs` bounds each attempt, not the call).
 */
const elsewhere: Record<string, (keys: string[], inputs?: 1) => string | undefined> = {
  timeout: (keys) =>
    keys.includes("timeoutMs")
      ? "is timeoutMs here (ms)"
      : keys.includes("deadline")
        ? `is deadline here (Date.now() + ms)${keys.includes("model") ? ", or submitAndPoll's timeoutMs" : ""}`
        : "is signal here: AbortSignal.timeout(ms)",
  webhook: (keys) =>
    `has no counterpart: the API has no webhooks${keys.includes("onSubmitted") || (keys.includes("model") && !keys.includes("timeoutMs")) ? " (watch the job)" : ""}`,
  input: (_, inputs) => inputs && "has no counterpart: inputs go in the call itself",
};
elsewhere.timeoutMs = elsewhere.timeout!;

/**
 * The refusal of a name a call does not take that goes elsewhere: another SDK's option (`elsewhere`), or for a call of
 * the client's a client option (`maxRetries`), saying where, with the call's options (`keys`) and, for a model's
 * inputs, `inputs` (their names); else nothing. Every call's one rule: its options (`checkCall`) and a model's inputs
 * alike; the client's own options, a token route's and `createWatch`'s are told where another SDK's option goes (a
 * `timeout`: their `timeoutMs`), not a view layer's (`Schema.call` 0). A client's call is one that takes a `signal`:
 * not the client's own options, a token route's (which makes its own client), nor a watch's; `alone`: a call of no
 * client (`openPipe`), not told of the client's options.
 */
const misplaced = (where: string, key: string, keys: string[], inputs?: string[], alone?: boolean, value?: unknown) => {
  const low = (name: string) => name.toLowerCase().replace(/_/g, "");
  const k = low(key);
  // Among a model's inputs, a name that starts or ends with an option's, in any case, with or without underscores
  // (`on_status_change`, `onStatusChanged`, `pollInterval`, `abortSignal`, `webhookUrl`).
  const near = inputs && [...keys, ...Object.keys(elsewhere)].find((o) => k.startsWith(low(o)) || k.endsWith(low(o)));
  const place = Object.hasOwn(elsewhere, key)
    ? elsewhere[key]!(keys, inputs && 1)
    : (keys.includes("signal") &&
        !alone &&
        Object.hasOwn(clientOptions, key) &&
        `is a client option: createDecartClient({ ${key} })`) ||
      // (A guess: a value that is no function may be a field the catalogue does not know yet, `model_version`; a
      // function never is, and `validateInputs: false` would send its source.)
      (near &&
        (keys.includes(near) ? `is no input: did you mean ${near}?` : elsewhere[near]!(keys)) +
          (typeof value === "function" ? "" : ", or any name with validateInputs: false")) ||
      (typeof value === "function" && "is no input: a function cannot be one");
  return (
    place &&
    new InvalidInputError(
      `${where}: "${key}" ${place} (${inputs ? `inputs: ${inputs.join(", ")}; ` : ""}options: ${keys.join(", ")})`,
      { field: key, expected: place },
    )
  );
};

/**
 * Checks a model's inputs against the catalogue before anything is sent: unknown fields, required fields, types,
 * enums, lengths, limits, file-vs-text (and the file's media type), JSON shapes and the model's cross-field rules. A
 * name that is a client option (`maxRetries`) or another SDK's option (`timeout`, `webhook`, `input`) is refused
 * saying where it goes (`misplaced`), listing the call's options (`keys`, default all of them).
 */
export function validateInputs(
  model: ModelDefinition,
  inputs: Record<string, unknown>,
  keys = Object.keys(callOptions),
): void {
  const where = `Invalid input for ${model.name}`;
  const fields = model.fields as unknown as (Schema & { name: string })[];
  // A name the model lacks that is a client option (`maxRetries`), or another SDK's option of a call: where it goes,
  // and the call's own options (`keys`), rather than the way past the check, which would send it to the API (422).
  const names = fields.map((f) => f.name);
  for (const key in inputs) {
    const error = !names.includes(key) && misplaced(where, key, keys, names, false, inputs[key]);
    if (error) throw error;
  }
  checkSchema(
    {
      type: "object",
      additionalProperties: false,
      or: ", or any with validateInputs: false",
      properties: Object.fromEntries(fields.map((f) => [f.name, f])),
      required: fields.filter((f) => f.required).map((f) => f.name),
    },
    inputs,
    "",
    where,
  );
  const [rule] = brokenRules(model.rules, (name) => inputs[name] != null) as {
    fields?: string[];
    field?: string;
    message: string;
  }[];
  if (rule) {
    throw new InvalidInputError(`${where}: ${rule.message}`, {
      field: rule.fields?.join("|") ?? rule.field,
      expected: rule.message,
    });
  }
}
