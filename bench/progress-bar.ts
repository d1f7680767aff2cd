/** Redraws per second at most, so the bar costs the benchmark nothing. */
const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 30;

/** Something that can be written to, such as `process.stderr`. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

/**
 * A one-line progress bar redrawn in place with `\r`. It draws only when
 * the output is a terminal, so logs and pipes stay clean.
 */
export class ProgressBar {
  private timer: NodeJS.Timeout | undefined;
  private startedMs = 0;

  constructor(private readonly output: ProgressOutput = process.stderr) {}

  /**
   * Follows `read()` (work done so far) against `total` until
   * {@link ProgressBar.stop}. A new call replaces the previous bar.
   */
  follow(label: string, total: number, read: () => number): void {
    this.stop();
    if (!this.output.isTTY) return;
    this.startedMs = performance.now();
    const draw = (): void => {
      const elapsedMs = performance.now() - this.startedMs;
      this.output.write(
        `\r${renderProgressLine(label, read(), total, elapsedMs, this.width())}`,
      );
    };
    draw();
    this.timer = setInterval(draw, REDRAW_INTERVAL_MS);
    this.timer.unref();
  }

  /** Removes the bar from the line. Safe to call when none is shown. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.output.write(`\r${' '.repeat(this.width())}\r`);
  }

  private width(): number {
    return Math.max(40, (this.output.columns ?? 80) - 1);
  }
}

/**
 * Renders one line: label, bar, percentage, counts and seconds, cut to
 * `width` characters. `done` above `total` shows as full.
 */
export function renderProgressLine(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  width: number,
): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const seconds = (elapsedMs / 1000).toFixed(1);
  const line = `${label} [${bar}] ${percent} ${done}/${total} ${seconds} s`;
  return line.slice(0, width).padEnd(width);
}
