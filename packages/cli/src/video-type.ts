import { type DecartClient, DecartError, isMp4Start } from "@decart/core";
import type { CliCode } from "./codes.js";
import { quoted } from "./output.js";

/** The leading bytes a result's check needs: a box's size (4 bytes), then its type. */
const LEADING = 8;

/**
 * Whether a result's first bytes are those of the media type the spec gives a job's result (`video/mp4`,
 * `jobContentTypes`): `@decart/core`'s `isMp4Start`, the rule its own check of a result labelled
 * `application/octet-stream` goes by. A real video refused would be a paid result lost, so any box type an MP4 may
 * begin with passes; an error page, JSON, an image or nothing does not.
 */
export const isVideoStart = isMp4Start;

/**
 * The error of a result whose bytes are no video (an error page sent as `application/octet-stream`, an image): code
 * `NOT_A_VIDEO`, as `NOT_AN_IMAGE` for an image (exit 1), naming the content type and the first bytes. Not retryable:
 * the download is not tried again at once.
 */
function notAVideo(jobId: string, bytes: Uint8Array, contentType: string | undefined, ended: boolean): DecartError {
  const start = Buffer.from(bytes.subarray(0, LEADING))
    .toString("hex")
    .replace(/(..)(?!$)/g, "$1 ");
  return new DecartError(
    `the server's answer is not an MP4 video (content type ${contentType ? quoted(contentType, Infinity) : "none"}, ` +
      `${ended ? `${bytes.length} bytes` : "starting"}${bytes.length ? `${ended ? ", starting" : ""} ${start}` : ""}); ` +
      "nothing was saved",
    { code: "NOT_A_VIDEO" satisfies CliCode, jobId },
  );
}

/**
 * `client`, whose `queue.download` (which `saveResult` streams from) holds a result's first bytes until they are a
 * video's (see `isVideoStart`), and fails its stream with `NOT_A_VIDEO` otherwise: nothing of it is written (no file
 * left, an `-o` file kept as it was, nothing sent into a pipe), where an error page would have been saved as the
 * video. Its progress is told from then on, so that `saveResult` sees no byte written before the check (its retry of a
 * pipe depends on it). `onAnswer` is given each answer's `Content-Type` (undefined where it has none) as it comes: a
 * download started again gives the one of its last answer.
 */
export function checkingVideo(
  client: DecartClient,
  onAnswer?: (contentType: string | undefined) => void,
): DecartClient {
  const { queue } = client;
  const download: DecartClient["queue"]["download"] = async (jobId, options) => {
    let checked = false;
    let held: Parameters<NonNullable<typeof onProgress>>[0] | undefined;
    const onProgress = options?.onProgress;
    const answer = await queue.download(jobId, {
      ...options,
      onProgress: (progress) => {
        if (checked) onProgress?.(progress);
        else held = progress;
      },
    });
    onAnswer?.(answer.contentType);
    let leading = new Uint8Array(0);
    const pass = (controller: TransformStreamDefaultController<Uint8Array>) => {
      checked = true;
      if (held) onProgress?.(held);
      controller.enqueue(leading);
    };
    const stream = answer.stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (checked) return controller.enqueue(chunk);
          leading = Buffer.concat([leading, chunk]);
          if (leading.length < LEADING) return;
          if (!isVideoStart(leading)) throw notAVideo(jobId, leading, answer.contentType, false);
          pass(controller);
        },
        flush(controller) {
          if (checked) return;
          if (!isVideoStart(leading)) throw notAVideo(jobId, leading, answer.contentType, true);
          pass(controller);
        },
      }),
    );
    return { ...answer, stream };
  };
  // Everything else of the queue as it is (`saveResult` reads its retry policy there).
  return { ...client, queue: Object.create(queue, { download: { value: download } }) };
}
