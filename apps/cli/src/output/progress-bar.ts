import type { TextSink } from '../cli-io';

/** Cells of the bar between its brackets. */
const BAR_WIDTH = 30;

/** Counts shown beside the bar. */
export interface ProgressCounts {
  readonly sent: number;
  readonly failed: number;
}

/**
 * A progress bar on one terminal line, redrawn in place with `\r`. Write
 * nothing else to the same stream between `update` and `finish`, except
 * through {@link ProgressBar.interrupt}.
 */
export class ProgressBar {
  private lastLength = 0;

  /** @param totalBytes - size of the input, against which bytes read count */
  constructor(
    private readonly sink: TextSink,
    private readonly totalBytes: number,
  ) {}

  /** Redraws the line for `doneBytes` of the input. */
  update(doneBytes: number, counts: ProgressCounts): void {
    this.draw(renderProgress(doneBytes, this.totalBytes, counts));
  }

  /** Clears the line, writes `text`, and leaves the next update a fresh line. */
  interrupt(text: string): void {
    this.clear();
    this.sink.write(text);
  }

  /** Clears the line for the output that follows. */
  finish(): void {
    this.clear();
  }

  private draw(line: string): void {
    const padding = ' '.repeat(Math.max(0, this.lastLength - line.length));
    this.sink.write(`\r${line}${padding}`);
    this.lastLength = line.length;
  }

  private clear(): void {
    if (this.lastLength === 0) return;
    this.sink.write(`\r${' '.repeat(this.lastLength)}\r`);
    this.lastLength = 0;
  }
}

/** Renders the bar line, such as `[#####.....]  50%  500 sent  0 failed`. */
export function renderProgress(
  doneBytes: number,
  totalBytes: number,
  counts: ProgressCounts,
): string {
  const fraction =
    totalBytes > 0 ? Math.min(1, Math.max(0, doneBytes / totalBytes)) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${bar}] ${percent}  ${counts.sent} sent  ${counts.failed} failed`;
}
