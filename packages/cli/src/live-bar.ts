/**
 * The progress bars on stderr, a terminal (`Output.live`): a download's, an upload's and a batch's, each drawn by
 * cli-progress (a `MultiBar` of one bar), loaded only once a bar is drawn. What this adds to cli-progress 3.12.0, and
 * no more (lib/multi-bar.js's lines named):
 * - the bar drawn on each stream now, so that every line `Output` writes there goes above it (`MultiBar.log`), written
 *   at once: `log` only buffers the line (248), written at the next tick's `update` (144-149), and `stop` (185) drops
 *   what is still buffered;
 * - the bar drawn as it starts, as a `SingleBar` is: a `MultiBar` draws a bar it created at its next tick (87);
 * - as the process exits, however it exits (a second Ctrl-C's `process.exit`, an error nothing caught), each bar still
 *   drawn is stopped, the cursor shown again: `gracefulExit` stops a bar on the first SIGINT (70), which lets a batch
 *   go on, and not on `process.exit`;
 * - a bar's timer that does not keep the process alive: cli-progress re-arms a `setTimeout` every 100 ms while a bar
 *   is drawn (174, then its `update-post` event), so a bar some path forgot to stop would hold the CLI for good once
 *   the command ended (`bin/decart.js` only sets `process.exitCode`); unref'd at each re-arm, the process exits and
 *   the exit hook above stops the bar;
 * - nothing written once `Output` saw the stream fail (see `write` there): cli-progress writes to its stream as it is;
 * - Node's own warnings (`process.emitWarning`: an experimental feature's, `MaxListenersExceededWarning` …), and what
 *   any other listener of `warning` writes with `console.error`, written above the bar while one is drawn (see
 *   `routeWarnings`), not onto its line.
 */
import { format } from "node:util";
import type { MultiBar, Options, SingleBar } from "cli-progress";

type Stream = NodeJS.WriteStream;

/** The bar drawn on each stream now (one at a time). */
const drawn = new Map<Stream, LiveBar>();

let hooked = false;

/** The bar drawn on `stream`, if one is: what writes a line there goes through it (`log`). */
export const drawnOn = (stream: Stream): LiveBar | undefined => drawn.get(stream);

type WarningListener = (warning: Error) => void;

/**
 * The listeners of `warning` that a bar took over while one is drawn, as they were registered (`rawListeners`: a
 * `once` one as its wrapper, which holds it as `listener`).
 */
let printers: WarningListener[] = [];

/**
 * Those of `printers` that are `once` wrappers: Node's (`onceWrapper` bound, with the listener as its `listener`). A
 * listener of its own with a `listener` property is not one; nor can `listeners` tell it from one, as it gives the
 * `listener` property of any function that has one.
 */
let once = new Set<WarningListener>();

/** Whether `warning` goes to `aboveBar` now. */
let routing = false;

/**
 * The listeners of `warning` (Node's own printing of warnings, none with `--no-warnings`, and any added before the bar
 * was drawn), each called with `console.error`, by which Node writes a warning to stderr at once, writing above the
 * bar drawn instead (`LiveBar.log`): the same text, as Node's flags make it (`--disable-warning`, `--trace-warnings`,
 * and `--redirect-warnings`, which writes to its file as before). A `once` listener is called once, as Node would,
 * and is not given back.
 */
const aboveBar: WarningListener = (warning) => {
  const bar = drawn.values().next().value;
  const error = console.error;
  if (bar) console.error = (...args: unknown[]) => bar.log(`${format(...args)}\n`);
  const listeners = printers;
  printers = printers.filter((print) => !once.has(print));
  try {
    for (const print of listeners) print.call(process, warning);
  } finally {
    console.error = error;
  }
};

/**
 * While a bar is drawn (`on`), the listeners of `warning` are taken over by `aboveBar`; once none is, those not spent
 * (a `once` one called meanwhile) are given back, first again, as they were registered: a warning emitted then
 * (delivered at the next tick) is theirs.
 */
function routeWarnings(on: boolean): void {
  if (on === routing) return;
  if (on) {
    printers = process.rawListeners("warning") as WarningListener[];
    once = new Set(printers.filter((print) => print.name === "bound onceWrapper" && "listener" in print));
    if (!printers.length) return;
    routing = true;
    for (const print of printers) process.removeListener("warning", print);
    process.on("warning", aboveBar);
    return;
  }
  routing = false;
  process.removeListener("warning", aboveBar);
  for (const print of printers.reverse()) process.prependListener("warning", print);
  printers = [];
}

/**
 * A bar of cli-progress on `stream`, drawn from its first `update`. `options` are cli-progress's (`format`,
 * `clearOnComplete` …) over these: the shades preset, the cursor hidden while it is drawn, line wrapping left on (a
 * bar wider than the terminal is cut at its edge by cli-progress, never wrapped; cli-progress's default turns
 * wrapping off for the bar's whole life, and a line written above it meanwhile is cut; `linewrap: null` is that
 * default too: see `mergeOption` in lib/options.js), redrawn at each tick (after the lines written above it, `update`
 * draws the bar again only if its text changed: lib/multi-bar.js 161, lib/generic-bar.js 80). `write` writes to the
 * stream unless it failed.
 */
export async function liveBar(stream: Stream, write: (text: string) => void, options: Options): Promise<LiveBar> {
  const { default: progress } = await import("cli-progress");
  const guarded = {
    isTTY: true,
    get columns() {
      return stream.columns;
    },
    write: (text: string) => {
      write(text);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const bars = new progress.MultiBar(
    { stream: guarded, hideCursor: true, linewrap: true, forceRedraw: true, ...options },
    progress.Presets.shades_classic,
  );
  // The timer re-armed by each `update` (see above): `timer` is cli-progress's own field, not in its types.
  bars.on("update-post", () => (bars as unknown as { timer?: NodeJS.Timeout | null }).timer?.unref());
  return new LiveBar(stream, bars);
}

export class LiveBar {
  private bar: SingleBar | undefined;
  private stopped = false;

  constructor(
    private readonly stream: Stream,
    private readonly bars: MultiBar,
  ) {}

  /** `value` of `total`, with the format's other values (`payload`); the first call starts the bar. */
  update(value: number, total: number, payload?: object): void {
    if (this.stopped) return;
    if (this.bar) {
      this.bar.setTotal(total);
      this.bar.update(value, payload ?? {});
      return;
    }
    drawn.get(this.stream)?.stop();
    drawn.set(this.stream, this);
    routeWarnings(true);
    if (!hooked) {
      hooked = true;
      process.on("exit", () => {
        for (const bar of drawn.values()) bar.stop();
      });
    }
    this.bar = this.bars.create(total, value, payload);
    // Drawn at once (see above).
    this.bars.update();
  }

  /** Writes `text` (whole lines) above the bar, at once, and draws the bar again below it. */
  log(text: string): void {
    this.bars.log(text);
    this.bars.update();
  }

  /**
   * Ends the bar: its last state kept, or cleared (`clearOnComplete`); the cursor shown again. Nothing if it was never
   * drawn.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.bar) return;
    if (drawn.get(this.stream) === this) drawn.delete(this.stream);
    if (!drawn.size) routeWarnings(false);
    this.bars.stop();
  }
}
