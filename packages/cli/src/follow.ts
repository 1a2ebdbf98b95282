import { rename, rm, stat } from "node:fs/promises";
import { AbortError, type DecartClient } from "@decart/core";
import { saveResult } from "@decart/core/node";
import { CliError, EXIT, type ExitCode } from "./exit.js";
import { temporaryPath } from "./files.js";
import type { Journal } from "./journal.js";
import type { Output } from "./output.js";
import type { WatchEvent } from "./watch.js";

/** The command that picks up watching a job where an interrupted one left it. */
export const resumeCommand = (jobId: string, path?: string) =>
  `decart jobs wait ${jobId}${path ? ` -o ${JSON.stringify(path)}` : ""}`;

/**
 * Stops watching on the first Ctrl-C (the job is never cancelled; the caller prints how to resume); a second Ctrl-C
 * exits at once. Returns the signal to pass to the watch, and a function that removes the handler.
 */
export function interruptible(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  return { signal: controller.signal, release: () => process.off("SIGINT", onSignal) };
}

/** Download progress as NDJSON: at the start, at each tenth of the total (or each MiB without one), at the end. */
function progressEvents(output: Output, jobId: string) {
  let lastStep = -1;
  return (receivedBytes: number, totalBytes: number | undefined) => {
    const step = totalBytes ? Math.floor((receivedBytes / totalBytes) * 10) : Math.floor(receivedBytes / 1_048_576);
    if (step === lastStep && receivedBytes !== totalBytes) return;
    lastStep = step;
    output.event({ type: "downloading", job_id: jobId, received_bytes: receivedBytes, total_bytes: totalBytes });
  };
}

/** A progress bar on stderr, only on an interactive terminal. */
async function progressBar(output: Output, label: string) {
  if (!output.live) return undefined;
  const { default: progress } = await import("cli-progress");
  const bar = new progress.SingleBar(
    {
      stream: output.stderr,
      format: `${label} {bar} {percentage}% {value}/{total} bytes`,
      hideCursor: true,
      clearOnComplete: true,
    },
    progress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(received: number, total: number | undefined) {
      if (!started) bar.start(total ?? 0, 0);
      started = true;
      if (total !== undefined) bar.setTotal(total);
      bar.update(received);
    },
    stop: () => started && bar.stop(),
  };
}

/**
 * Streams a completed job's result to `path`: into a temporary file beside it (the client's `saveResult`), checked
 * against the answer's `Content-Length`, then renamed. A failure leaves no file behind.
 */
export async function downloadResult(
  client: DecartClient,
  jobId: string,
  path: string,
  output: Output,
  signal: AbortSignal,
): Promise<number> {
  const temp = temporaryPath(path);
  const events = progressEvents(output, jobId);
  const bar = await progressBar(output, "Downloading");
  let total: number | undefined;
  try {
    await saveResult(client, jobId, temp, {
      signal,
      onProgress: ({ receivedBytes, totalBytes }) => {
        total = totalBytes;
        events(receivedBytes, totalBytes);
        bar?.update(receivedBytes, totalBytes);
      },
    });
    const { size } = await stat(temp);
    if (total !== undefined && size !== total) {
      throw new CliError(`The result of ${jobId} is ${size} bytes; the server announced ${total}`, EXIT.error, jobId);
    }
    await rename(temp, path);
    return size;
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  } finally {
    bar?.stop();
  }
}

export interface FollowOptions {
  client: DecartClient;
  output: Output;
  journal: Journal;
  signal: AbortSignal;
  /** Where the result goes; for a job submitted here, recorded in the journal with the job id. */
  path: string | ((jobId: string) => string);
  /** Recorded with `submitted` in the journal. */
  model?: string | undefined;
}

/**
 * Renders a job's events (NDJSON or lines for a human), records the job id in the journal as soon as it is known,
 * downloads the result, and answers the exit code: 0 saved, 3 failed, 130 interrupted (the job goes on; the command
 * that resumes is printed). Other errors are thrown, with the job id when there is one.
 */
export async function follow(events: AsyncIterable<WatchEvent>, options: FollowOptions): Promise<ExitCode> {
  const { client, output, journal, signal } = options;
  const c = output.err;
  let jobId: string | undefined;
  let path: string | undefined;
  const pathOf = (id: string) => (typeof options.path === "string" ? options.path : options.path(id));
  try {
    for await (const event of events) {
      jobId = event.jobId;
      path ??= pathOf(event.jobId);
      switch (event.type) {
        case "submitted":
          journal.append({ job_id: event.jobId, event: "submitted", model: event.model ?? options.model, path });
          output.event({ type: "submitted", job_id: event.jobId, model: event.model });
          output.info(`${c.green("✓")} Submitted ${c.bold(event.jobId)} ${c.dim(`(journal: ${journal.path})`)}`);
          break;
        case "status":
          output.event({ type: "status", job_id: event.jobId, status: event.status });
          output.info(`${c.cyan("…")} ${event.jobId} ${event.status}`);
          break;
        case "failed":
          journal.append({ job_id: event.jobId, event: "failed", error: event.error });
          output.event({ type: "failed", job_id: event.jobId, error: event.error });
          output.warn(c.red(`✗ Job ${event.jobId} failed: ${event.error}`));
          return EXIT.jobFailed;
        case "completed": {
          journal.append({ job_id: event.jobId, event: "completed" });
          output.event({ type: "completed", job_id: event.jobId });
          output.info(`${c.green("✓")} ${event.jobId} completed`);
          const bytes = await downloadResult(client, event.jobId, path, output, signal);
          journal.append({ job_id: event.jobId, event: "saved", path });
          output.event({ type: "saved", job_id: event.jobId, path, bytes });
          output.info(c.green(`✓ Video saved (${bytes} bytes):`));
          output.print(path);
          return EXIT.ok;
        }
      }
    }
    throw new CliError("The job's events ended before it did", EXIT.error, jobId);
  } catch (error) {
    if (!signal.aborted || !AbortError.isInstance(error)) throw error;
    if (!jobId) return EXIT.interrupted;
    const resume = resumeCommand(jobId, path);
    output.event({ type: "interrupted", job_id: jobId, resume });
    output.warn(c.yellow(`Stopped watching ${jobId}; the job goes on. Resume with: ${resume}`));
    return EXIT.interrupted;
  }
}
