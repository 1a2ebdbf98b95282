/**
 * Progress lines redrawn in place on stderr, a terminal (`Output.live`): the bars of a download, an upload and a batch.
 * A line is drawn with the terminal's line wrapping off (a bar wider than the terminal is cut, never wrapped onto a
 * second line that the next draw would leave behind) and back on at once, in one write. Every other line written to
 * that terminal while a bar is drawn goes through the bar (see `Output`): the bar's line is cleared, the text written
 * there (wrapping as any text does) and the bar drawn again below it. The cursor is hidden while a bar is drawn; it is
 * shown again as the bar stops, and as the process exits however it exits (a second Ctrl-C's `process.exit`, an error
 * nothing caught).
 */

type Stream = NodeJS.WriteStream;

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const WRAP_OFF = "\x1b[?7l";
const WRAP_ON = "\x1b[?7h";
/** Back to the line's first column, the line cleared. */
const CLEAR = "\r\x1b[2K";

/** How often a bar is redrawn at most (its last state is drawn in any case as it stops, or as a line goes above it). */
const REDRAW_MS = 100;

/** The bar drawn on each stream now (one at a time). */
const drawn = new Map<Stream, LiveLine>();

/** As the process exits, by whatever path: each bar drawn is ended where it is, the cursor shown again. */
let hooked = false;
const leaveAll = () => {
  for (const line of drawn.values()) line.stop(true);
};

/** The bar drawn on `stream`, if one is: what writes a line there goes through it (`above`). */
export const drawnOn = (stream: Stream): LiveLine | undefined => drawn.get(stream);

/**
 * A line redrawn in place at the bottom of a terminal. `write` writes to the stream (nothing once it failed: see
 * `Output`).
 */
export class LiveLine {
  /** What the terminal shows (`undefined`: nothing drawn yet). */
  private shown: string | undefined;
  /** The latest text, drawn at the next redraw. */
  private text = "";
  private last = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly stream: Stream,
    private readonly write: (text: string) => void,
  ) {}

  /** Shows `text` as the line: at once if the last draw is old enough, else at the next redraw. */
  set(text: string): void {
    if (this.stopped) return;
    this.text = text;
    if (this.shown === undefined) {
      drawn.get(this.stream)?.stop(false);
      drawn.set(this.stream, this);
      if (!hooked) {
        hooked = true;
        process.on("exit", leaveAll);
      }
      this.write(HIDE_CURSOR);
    } else if (this.timer || text === this.shown) return;
    const wait = this.last + REDRAW_MS - performance.now();
    if (wait <= 0) this.draw();
    else this.timer = setTimeout(() => this.draw(), wait).unref();
  }

  /** Writes `text` (whole lines) where the bar is, and draws the bar again below it. */
  above(text: string): void {
    this.write(`${CLEAR}${text}${this.line()}`);
  }

  /**
   * Ends the line: its latest state drawn and kept (`keep`: the cursor moves to the next line) or cleared, the cursor
   * shown again. Nothing if nothing was drawn.
   */
  stop(keep: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.shown === undefined) return;
    if (drawn.get(this.stream) === this) drawn.delete(this.stream);
    this.write(`${keep ? `${CLEAR}${this.line()}\n` : CLEAR}${SHOW_CURSOR}`);
  }

  private draw(): void {
    this.write(`${CLEAR}${this.line()}`);
  }

  /** The latest text, with line wrapping off while it is written (see above); recorded as shown. */
  private line(): string {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.shown = this.text;
    this.last = performance.now();
    return `${WRAP_OFF}${this.text}${WRAP_ON}`;
  }
}

const FULL = "█";
const EMPTY = "░";
const WIDTH = 40;

/** How much of `total` `value` is, from 0 to 1 (all of it for a total of 0). */
const part = (value: number, total: number) => (total > 0 ? Math.min(1, Math.max(0, value / total)) : 1);

/** A bar of `WIDTH` cells for `value` of `total`. */
export const cells = (value: number, total: number): string => {
  const full = Math.round(part(value, total) * WIDTH);
  return FULL.repeat(full) + EMPTY.repeat(WIDTH - full);
};

/** A whole percentage of `value` of `total`, rounded down: 100 only once it is all there. */
export const percent = (value: number, total: number): number => Math.floor(part(value, total) * 100);
