import {
  escapeXml,
  logAxis,
  niceStep,
  renderBenchChart,
  type ChartData,
} from '../../bench/svg-chart';

describe('niceStep', () => {
  it.each([
    [100, 20],
    [1000, 200],
    [7, 2],
    [48, 10],
    [0.3, 0.1],
  ])('splits %d into round steps', (range, expected) => {
    expect(niceStep(range)).toBeCloseTo(expected, 10);
  });

  it('returns 1 for an empty range', () => {
    expect(niceStep(0)).toBe(1);
  });
});

describe('logAxis', () => {
  it('widens to powers of ten', () => {
    const axis = logAxis(3, 450);
    expect(axis.minimum).toBe(1);
    expect(axis.maximum).toBe(1000);
    expect(axis.ticks).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
  });

  it('places values by their logarithm', () => {
    const axis = logAxis(1, 100);
    expect(axis.position(1)).toBe(0);
    expect(axis.position(10)).toBeCloseTo(0.5, 10);
    expect(axis.position(100)).toBe(1);
  });

  it('clamps values outside the range', () => {
    const axis = logAxis(1, 100);
    expect(axis.position(0)).toBe(0);
    expect(axis.position(10_000)).toBe(1);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters', () => {
    expect(escapeXml('a < b & "c" > d')).toBe(
      'a &lt; b &amp; &quot;c&quot; &gt; d',
    );
  });
});

describe('renderBenchChart', () => {
  const data: ChartData = {
    title: 'Signalpost <beside> baseline',
    latencyTitle: 'Latency at 200/s',
    latency: [
      { label: 'Signalpost', system: 'signalpost', latenciesMs: [2, 3, 4, 50] },
      { label: 'baseline', system: 'baseline', latenciesMs: [1, 1, 2, 3] },
      { label: 'empty', system: 'baseline', latenciesMs: [] },
    ],
    rateTitle: 'rates',
    rates: [
      { label: '1 worker', signalpost: 40, baseline: 48 },
      { label: '2 workers', signalpost: 79, baseline: 96 },
    ],
  };
  const svg = renderBenchChart(data);

  it('writes one standalone SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(
      true,
    );
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('draws one curve per non-empty series', () => {
    expect(svg.match(/<polyline /g)).toHaveLength(2);
  });

  it('draws two bars per group', () => {
    const bars = svg.match(/<rect class="bar" /g);
    expect(bars).toHaveLength(4);
  });

  it('escapes the title', () => {
    expect(svg).toContain('Signalpost &lt;beside&gt; baseline');
  });

  it('labels each bar with its rate', () => {
    for (const rate of ['40', '48', '79', '96']) {
      expect(svg).toContain(`>${rate}</text>`);
    }
  });
});
