import { isUsableId, MAX_ID_LENGTH } from "@decart/core";
import { usageError } from "./exit.js";
import { quoted } from "./output.js";
import { CRLF_ADVICE } from "./path-argument.js";

/**
 * The longest job id: the core's, the spec's `maxLength` of the `job_id` path parameter of `GET /v1/jobs/{job_id}` and
 * `GET /v1/jobs/{job_id}/content` (a string of 1 to 256 characters; the spec gives it no pattern nor format, and
 * test/job-id.test.ts holds this to it).
 */
export const JOB_ID_MAX_LENGTH = MAX_ID_LENGTH;

/**
 * What no job id holds (the spec giving it no pattern): white space, a control or format character, and the
 * characters that end or split a URL's path (`/ ? #`) or make JSON (`{ } "`), so that a line of JSON, a URL or a
 * pasted sentence given where an id goes is told apart from one.
 */
const NOT_IN_AN_ID = /[\s\p{Cc}\p{Cf}/?#{}"]/u;

/**
 * What makes `text` no job id (`"it is empty"`, `"it holds a space"` …), or undefined for one that can be: no lone
 * surrogate (an id the CLI could not read back: see the body; the core refuses one too, told here in the CLI's words),
 * then the core's rule of an id it sends back in a path (`isUsableId`: 1 to 256 characters, counted as code points as
 * the spec counts them, and not `.` or `..`, which the URL's path resolves away: `/v1/jobs/..` is `/v1/`), then
 * `NOT_IN_AN_ID`.
 */
export function jobIdProblem(text: string): string | undefined {
  // Half of a character (a lone surrogate, which `\p{Cs}` finds alone under the `u` flag): no text encoding carries it,
  // so an id holding one comes back as another (U+FFFD in its place, from a journal, a terminal or a pasted command).
  const half = /\p{Cs}/u.exec(text)?.[0];
  if (half !== undefined) {
    return `it holds ${JSON.stringify(half)}, half of a character (a lone surrogate) that no text can carry: read back, it would be another id`;
  }
  if (!isUsableId(text)) {
    const length = [...text].length;
    return !text
      ? "it is empty"
      : length > JOB_ID_MAX_LENGTH
        ? `it is ${length} characters long, a job id at most ${JOB_ID_MAX_LENGTH}`
        : `it is '${text}', which a URL's path resolves away`;
  }
  const found = NOT_IN_AN_ID.exec(text)?.[0];
  if (found === undefined) return undefined;
  const named = found === " " ? "a space" : /[\s\p{Cc}\p{Cf}]/u.test(found) ? quoted(found, 1) : `'${found}'`;
  return `it holds ${named}`;
}

/**
 * The argument as the message shows it: JSON-quoted (a control character written out), cut short past 300 characters.
 */
export const shown = (text: string): string => quoted(text, 300, 280);

/**
 * Refuses (exit 2, before anything is read or sent) a `<job-id>` argument of `jobs status`, `jobs wait` or `jobs
 * result` that cannot be a job id (see `jobIdProblem`), naming it and saying what to give; when it is a JSON line
 * holding a `job_id` that can be one (a `submitted` event, as `jobs submit` prints it off a terminal), with the command
 * on that id (`name`: the command, `jobs wait`; `command`: its command line printed for an id).
 */
export function checkJobIdArgument(text: string, name: string, command: (jobId: string) => string): void {
  const problem = jobIdProblem(text);
  if (problem === undefined) return;
  let field: unknown;
  try {
    field = (JSON.parse(text) as { job_id?: unknown } | null)?.job_id;
  } catch {}
  // An id with a carriage return after it (or two: `id=$(…)` and the line that uses it) comes of a CRLF script.
  const crlf = /\r$/.test(text) && jobIdProblem(text.replace(/\r+$/, "")) === undefined;
  const fix =
    typeof field === "string" && jobIdProblem(field) === undefined
      ? `it is a line of JSON whose job_id is ${field}: ${command(field)}`
      : crlf
        ? `it ends in a carriage return (\\r): ${CRLF_ADVICE}`
        : "give the id alone, as `decart jobs submit … --no-json` prints it (id=$(decart jobs submit … --no-json)), or " +
          `the job_id field of its JSON line (id=$(decart jobs submit … | jq -r .job_id)): decart ${name} -- "$id"`;
  throw usageError(`${shown(text)} is not a job id (${problem}); ${fix} (nothing was sent)`);
}
