import { mayHaveMade, refusedWith, type UploadTrace } from "./config.js";
import { CliError, EXIT } from "./exit.js";

/** How `submitTimedOut` speaks of what a request makes: a job (`jobs submit`) or an image (`decart image`). */
const WORDS = {
  job: {
    waiting: "the submit's answer",
    none: "no job was made (nothing to find in the journal)",
    made:
      "a job may have been made (and billed) although its id never came back, so the journal holds only its submit, " +
      "as one whose outcome is unknown (decart jobs list shows it)",
    again: "submits (and bills) another one",
  },
  image: {
    waiting: "the image",
    none: "no image was made (nothing billed, nothing saved)",
    made:
      "an image may have been made (and billed) although it never came back, and nothing was saved; an image has no " +
      "job id, so there is nothing to look up",
    again: "asks for (and bills) another one",
  },
};

/**
 * What `--timeout` (`timeout`, as given) of a request that may make something (`jobs submit`: a job; `decart image`: an
 * image) ends with, exit 5: the one rule of both. Told by how the request stopped (`trace`, what its client saw of it;
 * or the client's error as the time ran out, `error`: its `SUBMIT_OUTCOME_UNKNOWN`, or an `AbortError` whose `mayExist`
 * says so). A request whose body had gone whole, not refused by an answer, may have made it, which never came back:
 * code `SUBMIT_OUTCOME_UNKNOWN`, with the answer's request id (`x-request-id`), what support can find it by, or saying
 * that no answer came, or that the one that came (its status named) carried none. One the server refused (a 4xx, a
 * 503: named) or stopped before it was sent whole made none: code `TIMEOUT`.
 */
export function submitTimedOut(
  what: keyof typeof WORDS,
  timeout: string | undefined,
  trace: UploadTrace,
  error: unknown,
): CliError {
  const words = WORDS[what];
  const start = `--timeout ran out after ${timeout} s while waiting for ${words.waiting}`;
  const e = error as { code?: unknown; mayExist?: unknown; requestId?: unknown; status?: unknown } | undefined;
  const unknown = e?.code === "SUBMIT_OUTCOME_UNKNOWN" || e?.mayExist === true;
  const refused = refusedWith(trace);
  const none = (how: string) =>
    new CliError(`${start}, ${how}: ${words.none}; give a longer --timeout`, EXIT.timeout, undefined, false, "TIMEOUT");
  if (!unknown && refused) return none(`after the server refused the request (HTTP ${refused})`);
  if (!unknown && !mayHaveMade(trace)) return none("before the request was sent whole");
  const requestId = typeof e?.requestId === "string" && e.requestId ? e.requestId : trace.requestId;
  const status = trace.status ?? (typeof e?.status === "number" ? e.status : undefined);
  return new CliError(
    `${start}, after the request reached the server: ${words.made}` +
      (requestId
        ? `; the answer's request id, ${requestId}, is what support can find it by. `
        : status !== undefined
          ? `; its answer (HTTP ${status}) carried no request id to give support either. `
          : ", and with no answer there is no request id to give support either. ") +
      `Running the command again ${words.again}; give a longer --timeout`,
    EXIT.timeout,
    undefined,
    false,
    "SUBMIT_OUTCOME_UNKNOWN",
    requestId || undefined,
  );
}
