/** `POST /v1/files`, `GET /v1/files/{id}`, `DELETE /v1/files/{id}`: uploads whose metadata is kept (never the bytes). */
import { randomBytes } from "node:crypto";
import type { FileReference } from "@decart/api";
import { requestSchemas } from "@decart/api";
import type { Emulation } from "./emulation.js";
import { applyFault, authenticate, iso } from "./emulation.js";
import type { FilePart } from "./form.js";
import { readForm, validateForm } from "./form.js";
import type { Ctx } from "./http.js";
import { detail, invalid, json, noContent, pathId } from "./http.js";
import { bytesAre, readableType, sniffMediaType } from "./media/index.js";
import type { StoredFile } from "./state.js";
import type { JsonSchema, ValidationIssue } from "./validation.js";
import { checkStringLimits, fieldsFromObjectSchema } from "./validation.js";

const FILE_FIELDS = fieldsFromObjectSchema(requestSchemas.UploadFileRequest as unknown as JsonSchema);
const DEFAULT_FILE_TTL_SECONDS = 86_400;
/**
 * What is kept of a file's name and declared media type, at most (the spec bounds neither; a part's head may carry
 * 16 KiB of them, times the 10 000 files kept): a name as long as most file systems' (NAME_MAX, 255), a media type as
 * long as RFC 6838 allows one (type and subtype of 127 characters each, and the slash). Longer answers 422.
 */
export const MAX_FILENAME_CHARS = 255;
export const MAX_MEDIA_TYPE_CHARS = 255;

/** The 422 issue for a file whose name or declared media type is longer than what is kept of it (the first); none when none. */
function tooLongToKeep(file: FilePart): ValidationIssue | undefined {
  const out: ValidationIssue[] = [];
  if (file.filename !== undefined)
    checkStringLimits({ maxLength: MAX_FILENAME_CHARS }, file.filename, ["body", "file", "filename"], out);
  checkStringLimits({ maxLength: MAX_MEDIA_TYPE_CHARS }, file.declaredType, ["body", "file", "content_type"], out);
  return out[0];
}

/**
 * The media type an upload is reported with, one rule for every type the emulator reads from bytes (`readableType`:
 * PNG, JPEG, WebP, GIF, MP4, QuickTime, WebM, and the image formats file-type reads, image/bmp, image/tiff, …):
 * declared so, the bytes must be what it says (undefined otherwise: bytes of another type, or of none, empty or a
 * text). Any other declared type is kept, unless the bytes are one of the seven, which is reported; one that says
 * nothing (no Content-Type, or `application/octet-stream`) takes the type read from the bytes (file-type's too:
 * audio/mpeg, image/bmp, …). A declared type is never replaced by file-type's guess from a few bytes (an SVG with an
 * XML prolog stays image/svg+xml).
 */
async function reportedType(file: FilePart): Promise<string | undefined> {
  const declared = file.declaredType.toLowerCase();
  if (readableType(declared)) return (await bytesAre(declared, file.head)) ? declared : undefined;
  const own = sniffMediaType(file.head);
  if (own !== undefined) return own;
  if (declared !== "" && declared !== "application/octet-stream") return file.declaredType;
  return file.sniffedType ?? "application/octet-stream";
}

function fileReference(f: StoredFile): FileReference {
  return {
    id: f.id,
    filename: f.filename,
    mime_type: f.mimeType,
    size_bytes: f.size,
    created_at: iso(f.createdAt),
    expires_at: f.expiresAt === null ? null : iso(f.expiresAt),
  };
}

export async function handleUpload(ctx: Ctx, em: Emulation): Promise<void> {
  const principal = authenticate(ctx, em);
  if (!principal || !applyFault(ctx, em, "files")) return;
  const parsed = await readForm(ctx, em.settings.maxUploadBytes);
  if (!parsed) return;
  const form = validateForm(FILE_FIELDS, parsed.parts);
  if (form.issues.length > 0) return invalid(ctx, form.issues);
  const file = form.files.get("file") as FilePart;
  const tooLong = tooLongToKeep(file);
  if (tooLong) return invalid(ctx, [tooLong]);
  const mimeType = await reportedType(file);
  if (mimeType === undefined) {
    return detail(ctx, 400, `Invalid file type: declared ${file.declaredType}, which its bytes are not.`);
  }
  const ttl = form.values.get("ttl_seconds");
  const now = em.settings.now();
  const stored: StoredFile = {
    id: `file_${randomBytes(16).toString("hex")}`,
    ownerId: principal.accountId,
    filename: file.filename ?? null,
    mimeType,
    size: file.size,
    createdAt: now,
    expiresAt: ttl === "persistent" ? null : now + (typeof ttl === "number" ? ttl : DEFAULT_FILE_TTL_SECONDS) * 1000,
  };
  em.files.add(stored, now);
  json(ctx, 200, fileReference(stored));
}

export function handleFile(ctx: Ctx, em: Emulation, rawId: string, method: "GET" | "DELETE") {
  const principal = authenticate(ctx, em);
  if (!principal) return;
  const id = pathId(ctx, rawId, "file_id");
  if (id === undefined) return;
  const file = em.files.get(id, principal.accountId, em.settings.now());
  if (!file) return detail(ctx, 404, "File not found");
  if (!applyFault(ctx, em, "files")) return;
  if (method === "DELETE") {
    em.files.delete(id);
    return noContent(ctx);
  }
  json(ctx, 200, fileReference(file));
}
