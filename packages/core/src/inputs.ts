import { AbortError, DecartError, InvalidInputError } from "./errors.js";
import type { ModelDefinition } from "./models.js";
import type { FileInput } from "./types.js";

const aborted = (signal: AbortSignal | undefined, cause?: unknown) =>
  new AbortError(undefined, { cause: cause ?? signal?.reason });

/** Reads a stream into a Blob, stopping (and cancelling the stream) if `signal` aborts. */
async function collect(stream: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<Blob> {
  const reader = stream.getReader();
  const parts: BlobPart[] = [];
  const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort);
  try {
    for (;;) {
      if (signal?.aborted) throw aborted(signal);
      const { done, value } = await reader.read();
      if (done) return new Blob(parts);
      parts.push(value as Uint8Array<ArrayBuffer>);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Turns any `FileInput` into a Blob: URLs are downloaded (with `signal`), streams collected, bytes wrapped. */
export async function toBlob(
  value: FileInput,
  field: string,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): Promise<Blob> {
  if (value instanceof Blob) return value;
  if (value instanceof ReadableStream) return collect(value, signal);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return new Blob([value as BlobPart]);
  const url = String(value);
  if (!/^https?:\/\//i.test(url)) {
    throw new InvalidInputError(`"${field}" must be a file or an http(s) URL`, { field, expected: "an http(s) URL" });
  }
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: signal ?? null });
  } catch (e) {
    if (signal?.aborted) throw aborted(signal, e);
    throw new InvalidInputError(`Could not download "${field}" from ${url}: ${(e as Error).message}`, {
      field,
      expected: "a reachable http(s) URL",
      cause: e,
    });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new InvalidInputError(`Could not download "${field}" from ${url}: HTTP ${response.status}`, {
      field,
      expected: "a reachable http(s) URL",
    });
  }
  try {
    return await response.blob();
  } catch (e) {
    if (signal?.aborted) throw aborted(signal, e);
    throw DecartError.isInstance(e) ? e : new InvalidInputError(`Could not download "${field}" from ${url}`, { field });
  }
}

/** Turns every file field of `inputs` into a Blob (downloading URLs and collecting streams with `signal`). */
export async function resolveFiles(
  model: ModelDefinition,
  inputs: Record<string, unknown>,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...inputs };
  for (const field of model.fields) {
    const value = inputs[field.name];
    if (field.type === "file" && value !== undefined && value !== null) {
      out[field.name] = await toBlob(value as FileInput, field.name, fetchImpl, signal);
    }
  }
  return out;
}

/**
 * The multipart body for a model's inputs (files already Blobs), encoded the way the official SDK does: text as is,
 * numbers in decimal, booleans `true`/`false`, JSON values as JSON text, files as parts (a bare Blob is named
 * `blob`; a File keeps its name). Fields go in the catalogue's order, then any others; `undefined` and `null` are
 * left out. Nothing is added: the server applies the spec's defaults.
 */
export function encodeForm(model: ModelDefinition, inputs: Record<string, unknown>): FormData {
  const known: string[] = model.fields.map((f) => f.name);
  const form = new FormData();
  for (const name of [...known, ...Object.keys(inputs).filter((k) => !known.includes(k))]) {
    const value = inputs[name];
    if (value === undefined || value === null) continue;
    if (value instanceof Blob) form.append(name, value);
    else form.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  return form;
}
