// Generated from spec/openapi.yaml by packages/api/scripts/generate.mjs. Do not edit: run `pnpm generate`.
import type { components } from "./openapi.js";

/**
 * Inputs of text-to-video models.
 */
export type TextToVideoInput = components["schemas"]["TextToVideoInput"];
/**
 * Inputs of image-to-video models.
 */
export type ImageToVideoInput = components["schemas"]["ImageToVideoInput"];
/**
 * Inputs of the dev image-to-video model (720p only).
 */
export type ImageToVideoDevInput = components["schemas"]["ImageToVideoDevInput"];
/**
 * Inputs of first-and-last-frame models.
 */
export type FirstLastFrameToVideoInput = components["schemas"]["FirstLastFrameToVideoInput"];
/**
 * Inputs of trajectory-guided models.
 */
export type MotionToVideoInput = components["schemas"]["MotionToVideoInput"];
/**
 * Inputs of video-to-video edit models.
 */
export type VideoEditInput = components["schemas"]["VideoEditInput"];
/**
 * Inputs of the Lucy 2.x video models.
 */
export type VideoEdit2Input = components["schemas"]["VideoEdit2Input"];
/**
 * Inputs of restyle models: exactly one of `prompt` or `reference_image`; `enhance_prompt` only with `prompt`.
 */
export type RestyleInput = components["schemas"]["RestyleInput"];
/**
 * Inputs of text-to-image models.
 */
export type TextToImageInput = components["schemas"]["TextToImageInput"];
/**
 * Inputs of image edit models.
 */
export type ImageEditInput = components["schemas"]["ImageEditInput"];
/**
 * What to generate.
 */
export type PromptRequired = components["schemas"]["PromptRequired"];
/**
 * Text prompt. Send an empty string for no text prompt.
 */
export type PromptMayBeEmpty = components["schemas"]["PromptMayBeEmpty"];
/**
 * Random seed, for reproducible results.
 */
export type Seed = components["schemas"]["Seed"];
/**
 * Output resolution.
 */
export type Resolution720 = components["schemas"]["Resolution720"];
/**
 * Output resolution.
 */
export type Resolution720or480 = components["schemas"]["Resolution720or480"];
/**
 * Output orientation.
 */
export type Orientation = components["schemas"]["Orientation"];
/**
 * Let the server rewrite the prompt for better results.
 */
export type EnhancePrompt = components["schemas"]["EnhancePrompt"];
/**
 * An image (PNG, JPEG or WebP).
 */
export type ImageFile = components["schemas"]["ImageFile"];
/**
 * A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).
 */
export type VideoFile = components["schemas"]["VideoFile"];
/**
 * The path to follow, as JSON text: an array of 2 to 1000 `{frame, x, y}` points.
 */
export type Trajectory = components["schemas"]["Trajectory"];
/**
 * `pending` → `processing` → `completed` | `failed`.
 */
export type JobStatus = components["schemas"]["JobStatus"];
/**
 * A submit's answer, `{ job_id, status }`; the job's status is then read by its id.
 */
export type JobSubmitResponse = components["schemas"]["JobSubmitResponse"];
/**
 * A job's status, as a status read answers it; the docs document `job_id` and `status` only.
 */
export type JobStatusResponse = components["schemas"]["JobStatusResponse"];
/**
 * What a client token may do, and for how long; every field is optional.
 */
export type CreateTokenRequest = components["schemas"]["CreateTokenRequest"];
/**
 * A short-lived client token, for a browser; it expires at `expiresAt`.
 */
export type CreateTokenResponse = components["schemas"]["CreateTokenResponse"];
export type UploadFileRequest = components["schemas"]["UploadFileRequest"];
/**
 * A stored file, as an upload or a read of it answers; kept until `expires_at` (`null` for a `persistent` one).
 */
export type FileReference = components["schemas"]["FileReference"];
/**
 * An error's body: `detail` says what went wrong.
 */
export type ErrorDetail = components["schemas"]["ErrorDetail"];
/**
 * One input the server refused, and why.
 */
export type ValidationIssue = components["schemas"]["ValidationIssue"];
/**
 * A 422's body: the inputs the server refused.
 */
export type HTTPValidationError = components["schemas"]["HTTPValidationError"];
