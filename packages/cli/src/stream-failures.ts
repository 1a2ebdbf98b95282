/**
 * The streams that failed (stdout or stderr: see `quietOnWriteFailure` in main), in a module of their own that loads
 * nothing else: main records a failure from its start, before `--help` is written, and `Output` reads them.
 */

type Stream = NodeJS.WriteStream;

/** The error each stream failed with (its reader gone: EPIPE; a full disk: ENOSPC; a terminal gone: EIO …). */
export const failures = new WeakMap<Stream, NodeJS.ErrnoException>();

/** Records that `stream` failed (see `quietOnWriteFailure` in main): nothing more is written to it. */
export function failed(stream: Stream, error: NodeJS.ErrnoException): void {
  if (!failures.has(stream)) failures.set(stream, error);
}

/** A stream whose reader went away (an EPIPE destroys it) or that failed otherwise: nothing more is written to it. */
export const closed = (stream: Stream) => stream.destroyed || stream.writableEnded || failures.has(stream);
