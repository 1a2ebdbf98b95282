import { journalPath } from "./journal.js";

/**
 * One word of a command line as a POSIX shell reads it back: as it is when made only of characters no shell treats
 * specially, else between single quotes, inside which nothing is expanded (`$`, `` ` ``, `\`, `!` …); a `'` in it is
 * written `'\''` (close, an escaped quote, open again).
 */
export const shellWord = (word: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;

/**
 * The global options a printed command must carry to act as this one did: the API's URL and the journal in effect
 * (given as flags or in the environment, which the shell that runs the command may not have), never the key.
 */
export function globalWords(
  options: { baseUrl?: string | undefined; journal?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const words: string[] = [];
  const baseUrl = (options.baseUrl ?? env.DECART_BASE_URL)?.trim();
  if (baseUrl) words.push("--base-url", baseUrl);
  // (A journal set but blank is refused where it is used, not here: see `journalPath`.)
  if ((options.journal ?? env.DECART_JOURNAL)?.trim()) words.push("--journal", journalPath(options.journal, env));
  return words;
}

/** A word printed as it is, unquoted: a placeholder for the user to fill in (`<file>`, `<job id>`). */
export class Placeholder {
  constructor(readonly text: string) {}
}

/** A word of a printed command: quoted for a shell (see `shellWord`), or a `Placeholder` as it is. */
export type Word = string | Placeholder;

/**
 * The words of a command on one job (`jobs wait`, `jobs result`, `jobs status`): `command`, the id, then `options`. An
 * id that starts with `-` (a server may answer `-h`) would be read as an option (`decart jobs wait -h` shows the help
 * and exits 0, as if the job were saved), so it comes last, after the options and `--`, which ends them.
 */
export const jobWords = <W extends Word = string>(
  command: readonly string[],
  jobId: string,
  options: readonly W[] = [],
): Array<string | W> =>
  jobId.startsWith("-") ? [...command, ...options, "--", jobId] : [...command, jobId, ...options];

/**
 * A `decart` command line to print (to paste into a shell): the global options, then `words`, each quoted but
 * placeholders.
 */
export const commandLine = (globals: readonly string[], words: ReadonlyArray<Word | undefined>): string =>
  ["decart", ...globals, ...words.filter((w): w is Word => w !== undefined)]
    .map((w) => (w instanceof Placeholder ? w.text : shellWord(w)))
    .join(" ");
