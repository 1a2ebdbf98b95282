import { fstatSync } from "node:fs";
import type { Options as BarOptions } from "cli-progress";
import { createColors } from "picocolors";
import { commandLine, globalWords, outsideCommands, type Word } from "./command.js";
import { jsonText } from "./json.js";
import { drawnOn, type LiveBar, liveBar } from "./live-bar.js";
import { addSecret, redact } from "./secrets.js";
import { closed, failures } from "./stream-failures.js";

type Colors = ReturnType<typeof createColors>;
type Stream = NodeJS.WriteStream;

export interface OutputOptions {
  /** `true`: NDJSON on stdout; `false`: human output; undefined: NDJSON when stdout is not a terminal. */
  json?: boolean | undefined;
  verbose?: boolean | undefined;
  quiet?: boolean | undefined;
  /** `false` (from `--no-color`) turns colours off. */
  color?: boolean | undefined;
  /** The API's URL and the journal as given (flags): carried by the commands the CLI prints (see `command`). */
  baseUrl?: string | undefined;
  journal?: string | undefined;
}

/**
 * Whether escape codes may be written at all: not with `--no-color`, a non-empty `NO_COLOR`, `TERM=dumb`, nor
 * `FORCE_COLOR=0` or `false` (colours forced off, as Node's `hasColors()` and chalk read it).
 */
const escapesAllowed = (options: OutputOptions, env: NodeJS.ProcessEnv) =>
  options.color !== false &&
  !env.NO_COLOR &&
  env.TERM !== "dumb" &&
  env.FORCE_COLOR !== "0" &&
  env.FORCE_COLOR !== "false";

/**
 * Colours for one stream: off where escape codes are not allowed (`escapesAllowed`); on with any other `FORCE_COLOR`;
 * otherwise only on a terminal. (picocolors alone turns them on whenever `CI` is set, even into a pipe.)
 */
export function colorsFor(stream: Stream, options: OutputOptions, env: NodeJS.ProcessEnv): Colors {
  return createColors(escapesAllowed(options, env) && (env.FORCE_COLOR !== undefined || stream.isTTY === true));
}

/**
 * Where everything the CLI prints goes. Data on stdout: NDJSON events in JSON mode, lines for a human otherwise.
 * Chatter (progress, status, hints, errors) on stderr. Every string passes through `redact`, so a key the process
 * knows (see secrets.ts) never reaches either stream.
 */
export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly quiet: boolean;
  /** Colours for stdout (never on in JSON mode). */
  readonly out: Colors;
  /** Colours for stderr. */
  readonly err: Colors;
  /**
   * True when stderr is an interactive terminal that can show live progress (a bar redrawn in place). Not with
   * `--no-color`, `NO_COLOR`, `TERM=dumb` or `FORCE_COLOR=0`: a bar moves the cursor with escape codes, and those ask
   * for none at all (progress is then the plain lines and events of a pipe).
   */
  readonly live: boolean;
  /** The global options every printed command carries (see `command`). */
  private globals: string[];
  /** Whether stdout and stderr are one terminal (see `oneTerminal`). */
  private readonly together: boolean;

  constructor(
    private readonly options: OutputOptions = {},
    readonly stdout: Stream = process.stdout,
    readonly stderr: Stream = process.stderr,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.json = options.json ?? stdout.isTTY !== true;
    this.verbose = options.verbose === true;
    this.quiet = options.quiet === true;
    this.out = this.json ? createColors(false) : colorsFor(stdout, options, env);
    this.err = colorsFor(stderr, options, env);
    this.live = stderr.isTTY === true && !this.quiet && escapesAllowed(options, env);
    this.globals = globalWords(options, env);
    this.together = oneTerminal(stdout, stderr);
  }

  /**
   * A `decart` command to print, for the user to paste into a shell: the URL and the journal in effect (flags or
   * environment; never the key), then `words` (undefined ones left out), each word quoted for a POSIX shell (a
   * `Placeholder` as it is).
   */
  command(...words: Array<Word | undefined>): string {
    return commandLine(this.globals, words);
  }

  /** The API's URL the printed commands carry, when the command uses another than the options' (see `runWait`). */
  useBaseUrl(baseUrl: string): void {
    this.globals = globalWords({ ...this.options, baseUrl }, this.env);
  }

  /** Never print `secret`, nor write it anywhere (see `addSecret` in secrets.ts, the process's one registry). */
  addSecret(secret: string | undefined): void {
    addSecret(secret);
  }

  /** `text` scrubbed of every key the process knows (see `redact` in secrets.ts). */
  redact(text: string): string {
    return redact(text);
  }

  /**
   * One NDJSON event on stdout (JSON mode only), scrubbed as a whole line: a secret in a string of the event is in the
   * line in the form JSON writes it (escaped once, or twice where the string held it escaped already), each a form
   * that `addSecret` registered, and a secret in a key is caught too. A value nested however deep (a server's answer
   * that `jobs status` gives whole) is written (see `jsonText`).
   */
  event(event: { type: string; [key: string]: unknown }): void {
    if (!this.json) return;
    write(this.stdout, `${this.redact(jsonText(event))}\n`);
  }

  /** A line of data on stdout (human mode only; JSON mode carries the same through `event`). */
  print(line: string): void {
    if (!this.json) write(this.stdout, `${this.shown(line, this.out)}\n`);
  }

  /**
   * A result saved to `path`: the path alone on stdout in human mode (what `path=$(decart … --no-json)` captures), and
   * a line on stderr for the person. That line ends with `:` only where the path follows it on the same terminal;
   * anywhere else (stdout piped, NDJSON, stderr to a log) it names the path itself, so it reads whole on its own.
   * The path on stdout is data where stdout is not a terminal (a pipe, `$(…)`, a file): written as it is, byte for
   * byte, so that it names the file. On a terminal it is for a person, and may come from outside (the path the
   * journal recorded, a job id in a default name): its control characters are written out as `untrusted` writes
   * them, so that an escape code in it (even a colour) cannot act on the terminal.
   */
  saved(what: string, path: string, bytes: number): void {
    const pathFollows = !this.json && this.together;
    this.info(this.err.green(`✓ ${what} saved (${bytes} bytes)${pathFollows ? ":" : ` to ${untrusted(path)}`}`));
    if (this.json) return;
    if (this.stdout.isTTY === true) this.print(untrusted(path));
    else write(this.stdout, `${this.redact(path)}\n`);
  }

  /**
   * Bytes on stdout, as they are (`-o -`). A reader that went away (`| head -c 100`) took what it wanted: no error. A
   * stream that cannot take them (a full disk: ENOSPC) is an error: these bytes are the result.
   */
  raw(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      const failure = () => {
        const error = failures.get(this.stdout);
        return error?.code === "EPIPE" ? undefined : error;
      };
      if (closed(this.stdout)) return failure() ? reject(failure()) : resolve();
      this.stdout.write(bytes, (e) => {
        // The stream's own error (recorded by `failed`) over what a write after it says (ERR_STREAM_DESTROYED).
        const error = failures.get(this.stdout) ?? (e as NodeJS.ErrnoException | null | undefined);
        return error && error.code !== "EPIPE" ? reject(error) : resolve();
      });
    });
  }

  /** Chatter on stderr: status, hints. Silent with `--quiet`. */
  info(line: string): void {
    if (!this.quiet) this.chatter(line);
  }

  /** Diagnostics on stderr with `--verbose`. */
  debug(line: string): void {
    if (this.verbose) this.chatter(this.err.dim(line));
  }

  /** Warnings and errors on stderr, always. */
  warn(line: string): void {
    this.chatter(line);
  }

  /**
   * A progress bar on stderr drawn by cli-progress with `options` (see live-bar.ts), on a terminal only (`live`): while
   * it is drawn, every line written to stderr goes above it. Its `stop` ends it.
   */
  async liveBar(options: BarOptions): Promise<LiveBar | undefined> {
    return this.live ? liveBar(this.stderr, (text) => write(this.stderr, text), options) : undefined;
  }

  /** A line on stderr: above the bar drawn there, if one is (see `liveBar`). */
  private chatter(line: string): void {
    const text = `${this.shown(line, this.err)}\n`;
    const bar = drawnOn(this.stderr);
    if (bar) bar.log(text);
    else write(this.stderr, text);
  }

  /** A line as the terminal gets it: scrubbed (`redact`), its control characters escaped (`escapeControls`). */
  private shown(line: string, colors: Colors): string {
    return escapeControls(this.redact(line), colors.isColorSupported);
  }
}

/**
 * Text a message quotes (a value refused, a model name), JSON-quoted (a control character written out) and cut short:
 * past `max` characters, its first `keep` (by default `max`) and `…`. Counted in characters (code points), so that no
 * character is cut in two. C1's controls and the rest of `SHOWN_AS_CODES` (an invisible U+200B, U+FEFF, U+00A0 …),
 * which JSON leaves as they are, are written as JSON's `\uNNNN` too: the message shows them, in NDJSON as on a
 * terminal.
 */
export function quoted(text: string, max: number, keep = max): string {
  const chars = [...text];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, keep).join("")}…` : text).replace(INVISIBLE, (char) =>
    // (A character past U+FFFF as its two halves, as JSON writes one.)
    [...Array(char.length).keys()].map((i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""),
  );
}

/**
 * A control character written out: `\n` for a line end, `\xNN` for the others of C0 and C1 (`\x1b`, `\x0d` …), and
 * `\uNNNN` for the rest of `SHOWN_AS_CODES` (`\u202e`, `\u00a0`; `\u{e0001}` past U+FFFF).
 */
const written = (char: string) => {
  const code = char.codePointAt(0)!;
  const hex = code.toString(16);
  return char === "\n"
    ? "\\n"
    : code < 0xa0
      ? `\\x${hex.padStart(2, "0")}`
      : code > 0xffff
        ? `\\u{${hex}}`
        : `\\u${hex.padStart(4, "0")}`;
};

/**
 * Characters that are not written as they are on a terminal but as their codes (see `written`), besides C0's and
 * C1's controls: the format characters (Unicode's category Cf), among them those that change the order text is shown
 * in (the bidi controls: U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069; U+202E shows what follows it
 * right to left, so that a reason or a path can read as another) and those that show nothing (U+200B, U+200C, U+200D,
 * U+2060, U+FEFF, U+00AD …: a job id holding one looks like another); the spaces other than U+0020 (U+00A0, U+2000 to
 * U+200A, U+202F, U+205F, U+3000, U+1680), which look like it; and the line and paragraph separators U+2028 and
 * U+2029 (a line end to some terminals and viewers). One list, for `untrusted`, `quoted` and every line a terminal
 * gets (`escapeControls`); a regular expression's class, with the `u` flag.
 */
const SHOWN_AS_CODES = "\\p{Cf}\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const UNTRUSTED_CONTROLS = new RegExp(`[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f${SHOWN_AS_CODES}]`, "gu");

/** What `quoted` writes as JSON's `\uNNNN`: what JSON.stringify leaves as it is of `UNTRUSTED_CONTROLS`. */
const INVISIBLE = new RegExp(`[\\x7f-\\x9f${SHOWN_AS_CODES}]`, "gu");

/**
 * Text from outside the CLI (a server's message or reason, a job id, a path or a field of the journal, a batch line's
 * custom_id) as it may be shown on a terminal: one line, every control character written out (a line end as `\n`, the
 * others as `\x1b`, `\x0d` …, a format character, a space other than U+0020 or U+2028 as `\u202e`, `\u200b`,
 * `\u00a0`, `\u2028`: see `SHOWN_AS_CODES`; tabs stay). Applied before the text is coloured or composed into a line: it
 * can then neither end its line and fake the next one (a whole `decart: …` line of its own), nor carry an escape
 * sequence, not even a colour (`\x1b[8m` hides what follows) where the CLI's own colours are on.
 */
export function untrusted(text: string): string {
  return outsideCommands(text, (part) => part.replace(UNTRUSTED_CONTROLS, written));
}

/** The colour sequences picocolors writes (SGR: a colour, bold, dim … and their ends), and the other controls. */
const CONTROLS = new RegExp(`\\x1b\\[\\d{1,3}m|[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f${SHOWN_AS_CODES}]`, "gu");

/**
 * A line with its control characters written out (`\x1b`, `\x07`, `\x9b` …, `\u202e`: see `SHOWN_AS_CODES`), so that
 * text from a server or a file (a failure reason, an error's detail, a job id) cannot retitle, clear or move about the
 * terminal, overwrite a line (`\r`), nor show itself in another order. Tabs and line ends stay. With `colors`, the
 * colour sequences the CLI's own colours write stay too (a colour, never anything else a terminal acts on).
 */
function escapeControls(text: string, colors: boolean): string {
  return outsideCommands(text, (part) =>
    part.replace(CONTROLS, (match) =>
      // (A colour sequence is longer than a character, even one past U+FFFF: two halves.)
      match.length < 3 ? written(match) : colors ? match : written("\x1b") + match.slice(1),
    ),
  );
}

/** Linux's `/dev/tty` (device 5,0): whichever terminal controls the process, not a terminal of its own. */
const CONTROLLING_TERMINAL = (5 << 8) | 0;

/**
 * Whether two streams are one terminal: both terminals, and the same device (`decart … 2>/dev/pts/3` writes stderr to
 * another terminal, which does not show stdout). `2>/dev/tty` is taken as the terminal the other stream is on (the one
 * a command run from a terminal has for its controlling terminal). Streams without a descriptor to ask (a test's) are
 * taken as one.
 */
function oneTerminal(a: Stream, b: Stream): boolean {
  if (a.isTTY !== true || b.isTTY !== true) return false;
  const fds = [a, b].map((stream) => (stream as { fd?: unknown }).fd);
  if (!fds.every((fd) => typeof fd === "number")) return true;
  try {
    const [x, y] = fds.map((fd) => fstatSync(fd as number).rdev);
    return x === y || x === CONTROLLING_TERMINAL || y === CONTROLLING_TERMINAL;
  } catch {
    return true;
  }
}

/** Writes to `stream` unless it is closed: the command goes on without it (see `quietOnWriteFailure` in main). */
function write(stream: Stream, text: string): void {
  if (!closed(stream)) stream.write(text);
}
