import { aborted, InvalidInputError, shownUrl, textOf } from "./errors.js";
import type { ModelDefinition } from "./models.js";
import type { FileInput, UploadBody, UploadPartValue, UploadProgress } from "./types.js";
import { checkSchema, isByteIterable, isFileValue, type Schema } from "./validate.js";

/** Reads a stream into a Blob, stopping (and cancelling the stream) if `signal` aborts. */
const collect = (stream: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<Blob> =>
  new Response(stream.pipeThrough(new TransformStream(), { signal })).blob().catch((e) => {
    throw signal?.aborted ? aborted(undefined, e) : e;
  });

/**
 * Turns a `FileInput` into what is sent: URLs are downloaded (with `signal`, without the key); streams are collected
 * into a Blob, unless `streams` (an upload function sends them as they come).
 */
export async function toBlob(
  value: FileInput,
  field: string,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
  streams?: boolean,
): Promise<UploadPartValue> {
  if (value instanceof Blob || (streams && isFileValue(value))) return value;
  if (value instanceof ReadableStream) return collect(value, signal);
  if (isByteIterable(value)) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of value) {
      if (signal?.aborted) throw aborted(undefined, signal.reason);
      chunks.push(chunk);
    }
    return new Blob(chunks as BlobPart[]);
  }
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return new Blob([value as BlobPart]);
  const url = String(value);
  let problem: any;
  let status = 0;
  try {
    const response = await fetchImpl(url, { signal: signal as AbortSignal });
    if (response.ok) return await response.blob();
    await response.body?.cancel();
    status = response.status;
    problem = `HTTP ${status}`;
  } catch (e) {
    if (signal?.aborted) throw aborted(undefined, e);
    problem = e;
  }
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
  const shown = shownUrl(url);
  throw new InvalidInputError(
    `Could not download "${field}" from ${shown}: ${textOf(problem).split(url).join(shown)}${code ? ` (${code})` : ""}`,
    {
      field,
      expected: "a reachable http(s) URL",
      // A 408, 429 or 5xx of that server, or a failure of the network, may pass when tried again.
      retryable: [408, 429].includes(status) || status > 499 || network,
    },
  );
}

/**
 * Turns every file field of `inputs` into what is sent (see `toBlob`). With `check`, a file downloaded from a URL is
 * held to the rule a Blob given is held to (its media type, not empty) before anything is sent.
 */
export async function resolveFiles(
  model: Pick<ModelDefinition, "fields" | "name">,
  inputs: Record<string, unknown>,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
  streams?: boolean,
  check?: boolean,
): Promise<Record<string, unknown>> {
  const out = { ...inputs };
  for (const field of model.fields) {
    const { name } = field;
    const value = out[name];
    if (field.type === "file" && value != null) {
      out[name] = await toBlob(value as FileInput, name, fetchImpl, signal, streams);
      if (check && (typeof value === "string" || value instanceof URL))
        checkSchema(
          field as Schema,
          out[name],
          name,
          `Invalid input for ${model.name}, downloaded from ${shownUrl(value)}`,
        );
    }
  }
  return out;
}

/**
 * The multipart body for a model's inputs (files already resolved), encoded the way the official SDK does: text as is,
 * numbers in decimal, booleans `true`/`false`, JSON values as JSON text, files as parts (a bare Blob is named `blob`; a
 * File keeps its name). Fields go in the order of `fields` (the catalogue's), then any others; `undefined` and `null`
 * are left out. Nothing is added: the server applies the spec's defaults. Every part is also listed in `parts` (streams
 * only there), with `onUploadProgress`, for an upload function.
 */
export function encodeForm(
  inputs: Record<string, unknown>,
  fields: readonly { name: string }[],
  onUploadProgress?: (progress: UploadProgress) => void,
): UploadBody {
  const form: UploadBody = Object.assign(new FormData(), { parts: [], onUploadProgress });
  for (const name of new Set([...fields.map((f) => f.name), ...Object.keys(inputs)])) {
    const value = inputs[name];
    if (value == null) continue;
    const part = isFileValue(value) ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
    form.parts!.push([name, part]);
    if (typeof part === "string" || part instanceof Blob) form.append(name, part);
  }
  return form;
}
