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

/**
 * Refuses (exit 2, before anything is made or sent) a path the CLI writes to or records, given on the command line
 * (`-o`, `--out`, `--journal`) or in the environment (`DECART_JOURNAL`; `name` says which), that would name another
 * file than the one meant: one that ends in a carriage return (see `CRLF_ADVICE`: the file was named `lake.png\r`).
 */
export function checkWrittenPath(path: string, name: string): void {
  if (!path.endsWith("\r")) return;
  throw usageError(
    `${name} ${quoted(path, 300, 280)}: the path ends in a carriage return (\\r), which would end the file's name: ` +
      `${CRLF_ADVICE} (nothing was sent)`,
  );
}

/**
 * What a message that says a file given as a path (an input, a batch file) was not found adds when the path tells why:
 * a carriage return at its end (see `CRLF_ADVICE`). Empty otherwise.
 */
export const whyNotFound = (path: string): string =>
  path.endsWith("\r") ? `: the path ends in a carriage return (\\r): ${CRLF_ADVICE}` : "";

/**
 * Refuses (exit 2, before anything is sent) the text of a command-line argument (the prompt, `field=value`) that ends in
 * a carriage return (see `CRLF_ADVICE`), naming the field: no text usefully ends in one, and a prompt so sent was
 * `…\r\n` (a form's encoding makes a lone CR a line break).
 */
export function checkArgumentEnd(name: string, text: string): void {
  if (!text.endsWith("\r")) return;
  throw usageError(
    `"${name}": the argument ends in a carriage return (\\r), which no text usefully ends in: ${CRLF_ADVICE} ` +
      "(nothing was sent)",
  );
}
