/**
 * What a terminal shows of a transcript (what the CLI wrote on a terminal of its own: see `onTerminal` in
 * helpers.ts): the characters written, line ends, the carriage return and the sequences a progress bar uses (the
 * cursor moved, saved and restored, a line cleared, line wrapping and the cursor turned off and on). Enough of a
 * terminal to tell a line cut at its edge, one written over, and the modes a run leaves the terminal in. Colours and
 * the other sequences are skipped. Lines are kept as they scroll (no scrollback limit).
 */
export interface Screen {
  /** Every line, trailing blanks trimmed, the empty ones at the end left out. */
  lines: string[];
  cursorShown: boolean;
  autowrap: boolean;
}

export function render(transcript: string, columns: number): Screen {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  let autowrap = true;
  let cursorShown = true;
  let saved = { row: 0, col: 0 };
  const line = (r: number) => {
    while (rows.length <= r) rows.push([]);
    return rows[r]!;
  };
  const put = (char: string) => {
    if (col >= columns) {
      if (autowrap) {
        row++;
        col = 0;
      } else col = columns - 1;
    }
    const cells = line(row);
    while (cells.length < col) cells.push(" ");
    cells[col] = char;
    col++;
  };
  const chars = [...transcript];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === "\r") col = 0;
    else if (char === "\n") row++;
    else if (char === "\b") col = Math.max(0, Math.min(col, columns - 1) - 1);
    else if (char === "\x1b") {
      const next = chars[i + 1];
      if (next === "7") {
        saved = { row, col };
        i++;
      } else if (next === "8") {
        ({ row, col } = saved);
        i++;
      } else if (next === "[") {
        let j = i + 2;
        let params = "";
        while (j < chars.length && !/[@-~]/.test(chars[j]!)) params += chars[j++];
        const final = chars[j];
        i = j;
        const n = Number.parseInt(params.replace(/^\?/, ""), 10);
        const count = Number.isNaN(n) ? 1 : n;
        if (params === "?25" && (final === "h" || final === "l")) cursorShown = final === "h";
        else if (params === "?7" && (final === "h" || final === "l")) autowrap = final === "h";
        else if (final === "G") col = count - 1;
        else if (final === "A") row = Math.max(0, row - count);
        else if (final === "B") row += count;
        else if (final === "C") col = Math.min(columns - 1, col + count);
        else if (final === "D") col = Math.max(0, col - count);
        else if (final === "K") {
          const cells = line(row);
          const mode = Number.isNaN(n) ? 0 : n;
          const at = Math.min(col, columns);
          if (mode === 0) cells.length = Math.min(cells.length, at);
          else if (mode === 1) for (let k = 0; k <= at && k < cells.length; k++) cells[k] = " ";
          else cells.length = 0;
        } else if (final === "J") {
          line(row).length = Math.min(line(row).length, col);
          rows.length = row + 1;
        }
      } else i++;
    } else if (char >= " " && char !== "\x7f") put(char);
  }
  const lines = rows.map((cells) => cells.join("").trimEnd());
  while (lines.length && lines.at(-1) === "") lines.pop();
  return { lines, cursorShown, autowrap };
}
