import { aborted, InvalidInputError } from "./errors.js";
import type { ModelDefinition } from "./models.js";
import type { FileInput } from "./types.js";

/** Reads a stream into a Blob, stopping (and cancelling the stream) if `signal` aborts. */
const collect = (stream: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<Blob> =>
  new Response(stream.pipeThrough(new TransformStream(), { signal })).blob().catch((e) => {
    throw signal?.aborted ? aborted(undefined, e) : e;
  });

/** Turns a `FileInput` into a Blob: URLs are downloaded (with `signal`, without the key), streams collected. */
export async function toBlob(value: FileInput, field: string, fetchImpl: typeof fetch, signal?: AbortSignal) {
  if (value instanceof Blob) return value;
  if (value instanceof ReadableStream) return collect(value, signal);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return new Blob([value as BlobPart]);
  const url = String(value);
  let problem: unknown;
  try {
    const response = await fetchImpl(url, { signal: signal ?? null });
    if (response.ok) return await response.blob();
    await response.body?.cancel();
    problem = `HTTP ${response.status}`;
  } catch (e) {
    if (signal?.aborted) throw aborted(undefined, e);
    problem = e;
  }
  throw new InvalidInputError(`Could not download "${field}" from ${url}: ${problem}`, {
    field,
    expected: "a reachable http(s) URL",
    cause: problem,
  });
}

/** Turns every file field of `inputs` into a Blob (downloading URLs and collecting streams with `signal`). */
export async function resolveFiles(
  model: Pick<ModelDefinition, "fields">,
  inputs: Record<string, unknown>,
  fetchImpl: typeof fetch,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const out = { ...inputs };
  for (const { name, type } of model.fields) {
    if (type === "file" && out[name] != null) out[name] = await toBlob(out[name] as FileInput, name, fetchImpl, signal);
  }
  return out;
}

/**
 * The multipart body for a model's inputs (files already Blobs), encoded the way the official SDK does: text as is,
 * numbers in decimal, booleans `true`/`false`, JSON values as JSON text, files as parts (a bare Blob is named
 * `blob`; a File keeps its name). Fields go in the order of `fields` (the catalogue's), then any others; `undefined`
 * and `null` are left out. Nothing is added: the server applies the spec's defaults.
 */
export function encodeForm(inputs: Record<string, unknown>, fields: readonly { name: string }[] = []): FormData {
  const form = new FormData();
  for (const name of new Set([...fields.map((f) => f.name), ...Object.keys(inputs)])) {
    const value = inputs[name];
    if (value instanceof Blob) form.append(name, value);
    else if (value != null) form.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  return form;
}
