import { cumulativeDistribution, quantile } from './stats';

/** Colours of the two systems, the same in both panels. */
const SERIES_COLOURS = Object.freeze({
  signalpost: '#1f6fb4',
  baseline: '#e0781f',
});

const PANEL = Object.freeze({
  width: 460,
  height: 340,
  left: 64,
  right: 16,
  top: 40,
  bottom: 52,
});

/** One latency distribution of the chart. */
export interface LatencySeries {
  readonly label: string;
  readonly system: keyof typeof SERIES_COLOURS;
  readonly latenciesMs: readonly number[];
}

/** One group of bars: Signalpost beside the baseline. */
export interface RateGroup {
  readonly label: string;
  readonly signalpost: number;
  readonly baseline: number;
}

/** Input of {@link renderBenchChart}. */
export interface ChartData {
  readonly title: string;
  readonly latencyTitle: string;
  readonly latency: readonly LatencySeries[];
  readonly rateTitle: string;
  readonly rates: readonly RateGroup[];
}

/**
 * Draws two panels as a standalone SVG document: the cumulative latency
 * distribution of each series (cut at the largest 99.5th percentile, so
 * one slow outlier does not flatten the curves), and grouped bars of
 * deliveries per second.
 */
export function renderBenchChart(data: ChartData): string {
  const width = PANEL.width * 2 + 20;
  const height = PANEL.height + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(width / 2, 20, data.title, {
      size: 15,
      anchor: 'middle',
      weight: 'bold',
    }),
    `<g transform="translate(0,30)">${latencyPanel(data.latencyTitle, data.latency)}</g>`,
    `<g transform="translate(${PANEL.width + 20},30)">${ratePanel(data.rateTitle, data.rates)}</g>`,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * Returns a round step (1, 2 or 5 times a power of ten) that splits
 * `range` into about `count` intervals.
 */
export function niceStep(range: number, count = 5): number {
  if (!(range > 0)) return 1;
  const raw = range / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  const factor = [1, 2, 5].find((step) => scaled <= step) ?? 10;
  return factor * power;
}

function latencyPanel(title: string, series: readonly LatencySeries[]): string {
  const drawn = series.filter((entry) => entry.latenciesMs.length > 0);
  const sorted = drawn.map((entry) =>
    [...entry.latenciesMs].sort((a, b) => a - b),
  );
  const axis = logAxis(
    Math.min(...sorted.map((values) => values[0] as number)),
    Math.max(...sorted.map((values) => quantile(values, 0.995))),
  );
  const x = (ms: number) => PANEL.left + axis.position(ms) * plotWidth();
  const y = (fraction: number) => PANEL.top + (1 - fraction) * plotHeight();
  const parts = [
    text(PANEL.width / 2, 18, title, {
      anchor: 'middle',
      weight: 'bold',
    }),
    ...axis.ticks.map((ms) => xTick(x(ms), formatTick(ms))),
    ...[0, 0.25, 0.5, 0.75, 0.9, 1].map((fraction) =>
      yTick(y(fraction), `${Math.round(fraction * 100)}%`),
    ),
    axes(),
    text(
      PANEL.left + plotWidth() / 2,
      PANEL.height - 12,
      'milliseconds (log scale)',
      { anchor: 'middle' },
    ),
  ];
  drawn.forEach((entry, index) => {
    const points = cumulativeDistribution(entry.latenciesMs)
      .map(
        (point) =>
          `${x(point.valueMs).toFixed(1)},${y(point.fraction).toFixed(1)}`,
      )
      .join(' ');
    const colour = SERIES_COLOURS[entry.system];
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points}"/>`,
    );
    // A cumulative curve never reaches the top left corner: high fractions
    // sit at the larger latencies.
    parts.push(
      legend(PANEL.left + 10, PANEL.top + 14 + index * 16, colour, entry.label),
    );
  });
  return parts.join('\n');
}

/** A base-10 logarithmic axis: positions from 0 to 1, and its tick values. */
export interface LogAxis {
  readonly minimum: number;
  readonly maximum: number;
  /** Ticks at 1, 2 and 5 times each power of ten within the range. */
  readonly ticks: readonly number[];
  position(value: number): number;
}

/**
 * Makes a log axis that covers `low` to `high`, widened to the powers of
 * ten around them. Values at or below zero are drawn at the left end.
 */
export function logAxis(low: number, high: number): LogAxis {
  const minimum = 10 ** Math.floor(Math.log10(Math.max(low, 0.01)));
  const maximum = Math.max(
    minimum * 10,
    10 ** Math.ceil(Math.log10(Math.max(high, 0.01))),
  );
  const span = Math.log10(maximum) - Math.log10(minimum);
  const ticks: number[] = [];
  for (let power = minimum; power < maximum; power *= 10) {
    for (const factor of [1, 2, 5])
      ticks.push(Number((power * factor).toPrecision(6)));
  }
  ticks.push(maximum);
  return {
    minimum,
    maximum,
    ticks,
    position: (value) => {
      const clamped = Math.min(Math.max(value, minimum), maximum);
      return (Math.log10(clamped) - Math.log10(minimum)) / span;
    },
  };
}

function ratePanel(title: string, groups: readonly RateGroup[]): string {
  const top = Math.max(
    1,
    ...groups.flatMap((group) => [group.signalpost, group.baseline]),
  );
  const step = niceStep(top);
  const maxRate = Math.ceil(top / step) * step;
  const y = (rate: number) => PANEL.top + (1 - rate / maxRate) * plotHeight();
  const parts = [
    text(PANEL.width / 2, 18, title, { anchor: 'middle', weight: 'bold' }),
    ...ticksUpTo(maxRate, step).map((rate) => yTick(y(rate), String(rate))),
    axes(),
    text(16, PANEL.top + plotHeight() / 2, 'deliveries per second', {
      anchor: 'middle',
      rotate: true,
    }),
  ];
  const groupWidth = plotWidth() / Math.max(1, groups.length);
  const barWidth = Math.min(48, groupWidth / 3);
  groups.forEach((group, index) => {
    const centre = PANEL.left + groupWidth * (index + 0.5);
    parts.push(
      bar(
        centre - barWidth,
        barWidth,
        y,
        group.signalpost,
        SERIES_COLOURS.signalpost,
      ),
    );
    parts.push(
      bar(centre, barWidth, y, group.baseline, SERIES_COLOURS.baseline),
    );
    parts.push(
      text(centre, PANEL.top + plotHeight() + 16, group.label, {
        anchor: 'middle',
      }),
    );
  });
  parts.push(
    legend(
      PANEL.left + 10,
      PANEL.top + 14,
      SERIES_COLOURS.signalpost,
      'Signalpost',
    ),
  );
  parts.push(
    legend(
      PANEL.left + 10,
      PANEL.top + 30,
      SERIES_COLOURS.baseline,
      'baseline (BullMQ + undici)',
    ),
  );
  return parts.join('\n');
}

function bar(
  left: number,
  width: number,
  y: (rate: number) => number,
  rate: number,
  colour: string,
): string {
  const topY = y(rate);
  const bottomY = y(0);
  return [
    `<rect class="bar" x="${left.toFixed(1)}" y="${topY.toFixed(1)}" width="${width.toFixed(1)}" height="${(bottomY - topY).toFixed(1)}" fill="${colour}"/>`,
    text(left + width / 2, topY - 4, String(Math.round(rate)), {
      anchor: 'middle',
      size: 10,
    }),
  ].join('\n');
}

function xTick(atX: number, label: string): string {
  const bottom = PANEL.top + plotHeight();
  return [
    `<line x1="${atX.toFixed(1)}" y1="${PANEL.top}" x2="${atX.toFixed(1)}" y2="${bottom}" stroke="#e6e6e6"/>`,
    text(atX, bottom + 16, label, { anchor: 'middle' }),
  ].join('\n');
}

function yTick(atY: number, label: string): string {
  return [
    `<line x1="${PANEL.left}" y1="${atY.toFixed(1)}" x2="${PANEL.left + plotWidth()}" y2="${atY.toFixed(1)}" stroke="#e6e6e6"/>`,
    text(PANEL.left - 6, atY + 4, label, { anchor: 'end' }),
  ].join('\n');
}

function ticksUpTo(max: number, step: number): number[] {
  const ticks: number[] = [];
  for (let value = 0; value <= max + step / 1000; value += step) {
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}

function axes(): string {
  const bottom = PANEL.top + plotHeight();
  const right = PANEL.left + plotWidth();
  return `<path d="M${PANEL.left},${PANEL.top} V${bottom} H${right}" fill="none" stroke="#333333"/>`;
}

function legend(
  left: number,
  atY: number,
  colour: string,
  label: string,
): string {
  return [
    `<rect x="${left}" y="${atY - 9}" width="12" height="10" fill="${colour}"/>`,
    text(left + 18, atY, label, {}),
  ].join('\n');
}

interface TextStyle {
  /** Turn the text a quarter left, for a vertical axis title. */
  readonly rotate?: boolean;
  readonly size?: number;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly weight?: 'bold';
}

function text(x: number, y: number, content: string, style: TextStyle): string {
  const size = style.size ? ` font-size="${style.size}"` : '';
  const weight = style.weight ? ` font-weight="${style.weight}"` : '';
  const turn = style.rotate
    ? ` transform="rotate(-90 ${x.toFixed(1)} ${y.toFixed(1)})"`
    : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="${style.anchor ?? 'start'}"${size}${weight}${turn}>${escapeXml(content)}</text>`;
}

function formatTick(value: number): string {
  return value >= 1 ? String(Math.round(value)) : String(value);
}

function plotWidth(): number {
  return PANEL.width - PANEL.left - PANEL.right;
}

function plotHeight(): number {
  return PANEL.height - PANEL.top - PANEL.bottom;
}

/** Escapes the characters that XML text may not contain as they are. */
export function escapeXml(content: string): string {
  return content
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
