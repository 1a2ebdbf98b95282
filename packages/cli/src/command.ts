import { journalPath } from "./journal.js";

/**
 * The characters a printed command must not hold as they are: C0's and C1's controls but the tab, and those that
 * end a line or change the order text is shown in (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069,
 * U+2028, U+2029). The other format characters and spaces (U+00A0, U+202F, U+3000, U+200D …) stay as they are: a
 * file's name holds them, and the command names that file.
 */
const LINE_AND_ORDER = "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029";
const UNSAFE_IN_COMMAND = new RegExp(`[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f${LINE_AND_ORDER}]`, "gu");

/**
 * One word of a command line as a POSIX shell reads it back: as it is when made only of characters no shell treats
 * specially, else between single quotes, inside which nothing is expanded (`$`, `` ` ``, `\`, `!` …); a `'` in it is
 * written `'\''` (close, an escaped quote, open again). A word holding a character of `UNSAFE_IN_COMMAND` is written
 * as bash's and zsh's `$'…'`, that character as its escape (`\x0a`, `\u202e`), which those shells read back to it.
 */
export const shellWord = (word: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)
    ? word
    : word.search(UNSAFE_IN_COMMAND) < 0
      ? `'${word.replace(/'/g, "'\\''")}'`
      : `$'${word.replace(/[\\']/g, "\\$&").replace(UNSAFE_IN_COMMAND, (char) => {
          const code = char.charCodeAt(0);
          return code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
        })}'`;

/**
 * A node of `printed`, a tree of the commands printed (see `commandLine`) by their characters: from each node, one
 * edge by the first character of its label (a run of characters no other command leaves), and whether a command ends
 * here. Looking up the commands that start at a place of a text walks the text once, however many were printed (a
 * long batch prints a `jobs wait …` for each line).
 */
interface Node {
  edges: Map<string, { label: string; to: Node }>;
  end: boolean;
}

/** The commands printed (see `commandLine`), which `outsideCommands` leaves as they are. */
const printed: Node = { edges: new Map(), end: false };

/** Adds `command` to `printed`. */
function remember(command: string): void {
  let node = printed;
  let rest = command;
  while (rest) {
    const edge = node.edges.get(rest[0]!);
    if (!edge) {
      node.edges.set(rest[0]!, { label: rest, to: { edges: new Map(), end: true } });
      return;
    }
    let same = 1;
    while (same < edge.label.length && edge.label[same] === rest[same]) same++;
    if (same < edge.label.length) {
      // The command leaves the edge's label within it: the label is cut there, a node of its own.
      edge.to = { edges: new Map([[edge.label[same]!, { label: edge.label.slice(same), to: edge.to }]]), end: false };
      edge.label = edge.label.slice(0, same);
    }
    node = edge.to;
    rest = rest.slice(same);
  }
  node.end = true;
}

/** The length of the longest command printed that `text` holds at `at`, or 0: none. */
function printedAt(text: string, at: number): number {
  let node = printed;
  let i = at;
  let longest = 0;
  for (;;) {
    if (node.end) longest = i - at;
    const edge = node.edges.get(text[i] ?? "");
    if (!edge || !text.startsWith(edge.label, i)) return longest;
    node = edge.to;
    i += edge.label.length;
  }
}

/**
 * `text` with `change` applied to all but the commands the CLI printed in it (their words are quoted by `shellWord`,
 * which writes no control character): a character a message writes as its code (U+3000 as `\u3000`) stays as it is
 * in a command, which then names the same file pasted into a shell. Every printed command starts with `decart`: only
 * there is `printed` looked up, for the longest one at the first place that has one, and so on after it.
 */
export function outsideCommands(text: string, change: (part: string) => string): string {
  let result = "";
  let from = 0;
  for (let at = text.indexOf("decart"); at >= 0; at = text.indexOf("decart", at + 1)) {
    const length = printedAt(text, at);
    if (!length) continue;
    result += change(text.slice(from, at)) + text.slice(at, at + length);
    from = at + length;
    at = from - 1;
  }
  return from ? result + change(text.slice(from)) : change(text);
}

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
export function commandLine(globals: readonly string[], words: ReadonlyArray<Word | undefined>): string {
  const line = ["decart", ...globals, ...words.filter((w): w is Word => w !== undefined)]
    .map((w) => (w instanceof Placeholder ? w.text : shellWord(w)))
    .join(" ");
  remember(line);
  return line;
}
