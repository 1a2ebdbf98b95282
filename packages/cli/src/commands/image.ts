import { extname, resolve } from "node:path";
import type { ImageModelName } from "@decart/api";
import { AbortError, models } from "@decart/core";
import { type Code, codeOf } from "../codes.js";
import { clientFor, type GlobalOptions, type UploadTrace, untilTimeout } from "../config.js";
import { imageRequest } from "../errors.js";
import { CliError, EXIT, type ExitCode, interruptedCode, usageError } from "../exit.js";
import {
  checkOutputDirectory,
  checkOutputFile,
  defaultOutputName,
  extensions,
  fsReason,
  graceAfter,
  writeAtomically,
} from "../files.js";
import { heldImage, SUBMIT_GRACE_MS, unknownInterrupt, unsentInterrupt, withInputs } from "../follow.js";
import { parseInputs, splitArguments, stdinReader } from "../inputs.js";
import { checkJournalApart, journalsName } from "../journal.js";
import { timeoutMs, withinTimeout } from "../numbers.js";
import { type Output, untrusted } from "../output.js";
import { submitTimedOut } from "../submit-timeout.js";
import { jobModel, letFinish, stopOf } from "../watch.js";

/** How a warning names an image of each extension's type. */
const NAMES: Record<string, string> = { ".png": "a PNG", ".jpg": "a JPEG", ".webp": "a WebP" };

/** The model `decart image` uses without `--model`. */
export const DEFAULT_IMAGE_MODEL: ImageModelName = "lucy-pro-t2i";

export interface ImageOptions extends GlobalOptions {
  model?: string;
  output?: string;
  timeout?: string;
}

/**
 * `decart image [prompt] [field=value …] [--model m] [-o file] [--timeout s]`: one image through the Process API. A
 * Ctrl-C or SIGTERM while the request, sent whole, waits for its answer lets it finish (the image is paid for), for
 * 5 s at most: it is saved as ever, then exit 130 with an `interrupted` event (an answer that has not come by then is
 * not waited for: exit 130, the image may have been made); a second one exits at once. One while the server cannot
 * have taken the request (before it started, while its body is sent, while it waits to be sent again after a 429)
 * stops it at once: nothing made, exit 130. `--timeout` stops the request (exit 5), saying whether it had reached the
 * server (see `submitTimedOut`).
 */
export async function runImage(args: string[], options: ImageOptions, output: Output): Promise<ExitCode> {
  const timeout = timeoutMs(options.timeout);
  const { prompt, assignments } = splitArguments(args);
  if (options.output === "-" && output.json) {
    throw usageError("-o - writes the image to stdout: not with --json (nor -o /dev/stdout; nothing was sent)");
  }
  // Binary bytes on a terminal garble it (as curl refuses too): stdout must be a file or a pipe.
  if (options.output === "-" && process.stdout.isTTY) {
    throw usageError(
      "-o - writes the image's bytes to stdout, which is a terminal: give a file (-o image.png) or send stdout to a " +
        "pipe or a file (-o - | …, -o - > image.png) (nothing was sent)",
    );
  }
  const model = models.image((options.model ?? DEFAULT_IMAGE_MODEL) as ImageModelName);
  // `--timeout` is what the client's retries may wait in all (a `Retry-After` past it fails at once): see `clientFor`.
  // What the client saw of the request, for a `--timeout` that cuts it (see `submitTimedOut`).
  const trace: UploadTrace = {};
  const client = clientFor(options, output, process.env, undefined, timeout, trace);
  // Ctrl-C, SIGTERM or SIGHUP is the CLI's from here on, before standard input is read (`-`, `field=@-`): one that
  // comes while it is read stops the command at once, nothing sent (rather than ending the process by the signal).
  return withInputs(
    (signal) => parseInputs(model, prompt, assignments, stdinReader(process.stdin, signal)),
    () => unsentInterrupt(output, "image request"),
    generate,
  );

  async function generate(inputs: Record<string, unknown>, signal: AbortSignal): Promise<ExitCode> {
    // Where the image goes, checked before it is paid for; printed as an absolute path, as every command does. Without
    // -o: `<model>-<UTC time>.<ext>` (the model that runs for it, as the events name it: an alias by its model; the
    // extension of the image's type, told from its bytes) in the current directory, a name that never replaces a file
    // (nor is the journal's): `-2`, `-3` … is added until it is free (see `placeFile`).
    const stem = options.output === undefined ? defaultOutputName(jobModel(model), "") : undefined;
    const named = (extension: string) => resolve(options.output ?? `${stem}${extension}`);
    if (options.output === undefined) {
      await checkOutputDirectory(process.cwd(), "the image (<model>-<UTC time>.png in the current directory)");
    } else if (options.output !== "-") {
      // The image never writes the journal, but a -o naming it would replace every job id recorded there.
      checkJournalApart(options.journal, [named(".png")], `-o ${options.output}`);
      // A link to a file is written through, as a video's -o is (see `writeAtomically`).
      await checkOutputFile(options.output, `-o ${options.output}`, { throughLinks: true });
    }
    const avoid = options.output === undefined ? journalsName(options.journal) : undefined;
    // The reader of image bytes (image-type.ts: file-type and mime-types, tens of ms to import), loaded once the inputs
    // were read and the -o checked (see `pipeSafeStat` in files.ts), so that a command line refused before does without
    // it; and before the request is sent, so that an image made and billed never waits on a module that fails to load.
    const { imageExtension, keptImage } = await import("../image-type.js");
    const { namesOtherType } = await import("../named-type.js");
    output.info(output.err.dim(`Generating an image with ${model.name}…`));
    // The client checks every input against the catalogue before it sends anything (InvalidInputError → exit 2).
    // Once the request to the API is sent whole, a signal lets it finish, so that the image is not lost, for
    // SUBMIT_GRACE_MS at most (then it is stopped: the image may have been made, and the CLI says so); one before (a
    // file input given as a URL being downloaded, the upload, a wait to send it again after a 429) stops it at once,
    // nothing made (see `letFinish`). `--timeout` bounds
    // it (a file input given as a URL downloaded, the upload, the answer, the client's retries): it is stopped then.
    let answer: { blob: Blob; bytes: Uint8Array };
    try {
      answer = await withinTimeout(
        timeout,
        (limit) =>
          untilTimeout(timeout, limit, (deadline) =>
            letFinish(
              signal,
              heldImage(output),
              async (stop) => {
                const blob = await client
                  .process({
                    model,
                    ...inputs,
                    signal: limit ? AbortSignal.any([stop, limit]) : stop,
                    // The call's budget ends with `--timeout` (see `untilTimeout`); without it, the client's own
                    // (11 minutes by default).
                    ...(deadline !== undefined && { deadline }),
                  } as never)
                  .catch(keptImage);
                return { blob, bytes: new Uint8Array(await blob.arrayBuffer()) };
              },
              SUBMIT_GRACE_MS,
            ),
          ),
        // `--timeout` ran out: said with whether the request had reached the server, as `jobs submit` says it.
        (error) => submitTimedOut("image", options.timeout, trace, error),
      );
    } catch (error) {
      if (error instanceof CliError && error.exitCode === EXIT.timeout) throw error;
      if (signal.aborted && AbortError.isInstance(error))
        return unsentInterrupt(output, "image request", stopOf(error));
      // One let finish after the signal whose answer left its outcome unknown (a 500): interrupted, an image may exist.
      // Said as an image's (see `imageRequest`): no job id, nothing in the journal.
      if (signal.aborted && codeOf(error) === "SUBMIT_OUTCOME_UNKNOWN")
        return unknownInterrupt(output, imageRequest(error));
      throw imageRequest(error);
    }
    const { blob, bytes } = answer;
    const done = (path?: string) => {
      if (!signal.aborted) return EXIT.ok;
      output.event({ type: "interrupted", path, exit_code: interruptedCode() });
      return EXIT.interrupted;
    };
    // Its bytes tell its type (and so its name), whatever the answer's content type says; no image, nothing written.
    const extension = await imageExtension(bytes, blob.type);
    // Its type as its bytes tell it (the `saved` event's `content_type`), whatever the answer's label said.
    const type = Object.keys(extensions).find((t) => extensions[t] === extension)!;
    // An -o whose extension names another media type (`-o x.png` answered with a JPEG, `-o x.mp4`) is written all the
    // same, as given, with a warning: a viewer that goes by the name may refuse it.
    // Told by the extensions each type has (see `namesOtherType`): `.apng` fits a PNG, `.jpeg`, `.jfif` and `.pjpeg`
    // a JPEG.
    const given = extname(options.output ?? "").toLowerCase();
    if (namesOtherType(given, type))
      output.warn(
        output.err.yellow(
          untrusted(
            `The image is ${NAMES[extension]} (its bytes say so), but -o ${options.output} names a ${given} file: ` +
              `written there all the same (a ${extension} name would fit it)`,
          ),
        ),
      );
    if (options.output === "-") {
      await output.raw(bytes);
      return done();
    }
    // A named pipe nobody reads yet is waited on (a reader such as `cat pipe` may come later), saying so. A signal lets
    // a reader come (and read) for SUBMIT_GRACE_MS more, as a paid request is let finish, then stops the write, the
    // image not written; a second one ends the run at once (see `writeAtomically`).
    let path: string;
    // Said at the signal (or at once, a signal having come already) while the pipe has no reader.
    const graceSaid = () =>
      output.warn(
        output.err.yellow(
          untrusted(
            `Waiting for a reader of the named pipe ${named(extension)} ${SUBMIT_GRACE_MS / 1000} s more at most, so ` +
              "that the image (made, and billed) is not lost; Ctrl-C again stops at once",
          ),
        ),
      );
    let waiting = false;
    const onSignal = () => waiting && graceSaid();
    signal.addEventListener("abort", onSignal, { once: true });
    try {
      path = await writeAtomically(
        named(extension),
        bytes,
        avoid,
        () => {
          waiting = true;
          output.info(
            output.err.dim(
              untrusted(
                `Waiting for a reader of the named pipe ${named(extension)} to write the image to (Ctrl-C waits ` +
                  `${SUBMIT_GRACE_MS / 1000} s more for one, Ctrl-C twice stops at once, the image not written)`,
              ),
            ),
          );
          if (signal.aborted) graceSaid();
        },
        graceAfter(signal, SUBMIT_GRACE_MS),
      );
    } catch (error) {
      if (!(signal.aborted && AbortError.isInstance(error))) {
        // The system refused the write (a full disk, /dev/full, a permission): said with the path, and that the image
        // was made and billed, as a batch's image line says it; its code the system's (`ENOSPC` …).
        const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
        if (typeof code !== "string" || typeof syscall !== "string") throw error;
        throw new CliError(
          `Could not write the image to ${named(extension)} (${fsReason(error)}); nothing was saved. The server ` +
            "answered the request with success, so an image was made (and billed), but it was not kept: an image has " +
            "no job id, so no command can fetch it; run again once the place can take it (billed again), or give " +
            "another -o",
          EXIT.error,
          undefined,
          false,
          code as Code,
        );
      }
      output.event({ type: "interrupted", exit_code: interruptedCode() });
      output.warn(
        output.err.yellow(
          untrusted(
            `Interrupted: the image was made (and billed), but no reader of the named pipe ${named(extension)} took it ` +
              `whole within ${SUBMIT_GRACE_MS / 1000} s of the signal, so it was not written`,
          ),
        ),
      );
      return EXIT.interrupted;
    } finally {
      signal.removeEventListener("abort", onSignal);
    }
    // The type the server labelled it with (the client hands the image on typed by its bytes when it came as
    // `application/octet-stream`), as a video's `saved` event names it.
    output.event({
      type: "saved",
      model: jobModel(model),
      path,
      bytes: bytes.length,
      content_type: type,
      ...(trace.contentType && { server_content_type: trace.contentType }),
    });
    output.saved("Image", path, bytes.length);
    return done(path);
  }
}
