import { usageError } from "./exit.js";
import { quoted } from "./output.js";

/**
 * Why an argument ends in a carriage return, and the fix, for a message that refuses it: a script saved with Windows
 * line ends (CRLF) and run by a POSIX shell, which ends a line at its LF only, leaves the CR on the last word of each
 * line (`-o lake.png` is `lake.png\r`).
 */
export const CRLF_ADVICE =
  "a script saved with Windows line ends (CRLF) leaves one on the last word of each line; save the script with LF " +
  'line ends (dos2unix <script>, or "LF" in the editor)';

/** Why a path holds U+FFFD, for a message: the command line and the environment are read as UTF-8. */
const NOT_UTF8 =
  "U+FFFD, the character that a byte no UTF-8 text holds there, such as é written in Latin-1, becomes as the command " +
  "line and the environment are read";

/**
 * Refuses (exit 2, before anything is made or sent) a path the CLI writes to or records, given on the command line
 * (`-o`, `--out`, `--journal`) or in the environment (`DECART_JOURNAL`; `name` says which), that would name another
 * file than the one meant: one that ends in a carriage return (see `CRLF_ADVICE`: the file was named `lake.png\r`), or
 * one that holds U+FFFD (`-o $'caf\xe9.mp4'` typed in a Latin-1 terminal reaches the CLI as `caf\ufffd.mp4`: the file
 * was named so, not with the byte given).
 */
export function checkWrittenPath(path: string, name: string): void {
  const problem = path.endsWith("\r")
    ? `the path ends in a carriage return (\\r), which would end the file's name: ${CRLF_ADVICE}`
    : path.includes("\ufffd")
      ? `the path is not UTF-8 text: it holds ${NOT_UTF8}, and the file would be named with U+FFFD, not that byte; ` +
        "give the name in UTF-8 (for a Latin-1 one: iconv -f latin1 -t utf-8)"
      : undefined;
  if (problem) throw usageError(`${name} ${quoted(path, 300, 280)}: ${problem} (nothing was sent)`);
}

/**
 * What a message that says a file given as a path (an input, a batch file) was not found adds when the path tells why:
 * a carriage return at its end (see `CRLF_ADVICE`); U+FFFD, which a name typed in another encoding than UTF-8 holds
 * in the byte's place (the byte lost as the command line was read: no path the CLI can be given then names that file).
 * Empty otherwise.
 */
export const whyNotFound = (path: string): string =>
  path.endsWith("\r")
    ? `: the path ends in a carriage return (\\r): ${CRLF_ADVICE}`
    : path.includes("\ufffd")
      ? `: the path holds ${NOT_UTF8}, so it cannot name a file whose name holds such a byte; rename the file in ` +
        "UTF-8 (convmv -f latin1 -t utf-8 --notest <file>), or give it on standard input (@-)"
      : "";

/**
 * Refuses (exit 2, before anything is sent) the text of a command-line argument (the prompt, `field=value`) that ends
 * in a carriage return (see `CRLF_ADVICE`), naming the field: no text usefully ends in one, and a prompt so sent was
 * `…\r\n` (a form's encoding makes a lone CR a line break).
 */
export function checkArgumentEnd(name: string, text: string): void {
  if (!text.endsWith("\r")) return;
  throw usageError(
    `"${name}": the argument ends in a carriage return (\\r), which no text usefully ends in: ${CRLF_ADVICE} ` +
      "(nothing was sent)",
  );
}
