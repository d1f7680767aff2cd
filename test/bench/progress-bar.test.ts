import { ProgressBar, renderProgressLine } from '../../bench/progress-bar';

describe('renderProgressLine', () => {
  it('draws the share done', () => {
    const line = renderProgressLine('e2e', 50, 100, 1234, 80);
    expect(line).toContain(`[${'#'.repeat(15)}${'-'.repeat(15)}]`);
    expect(line).toContain(' 50% 50/100 1.2 s');
    expect(line).toHaveLength(80);
  });

  it('shows more than total as full', () => {
    const line = renderProgressLine('x', 120, 100, 0, 80);
    expect(line).toContain(`[${'#'.repeat(30)}]`);
    expect(line).toContain('100% 120/100');
  });

  it('cuts the line to the width', () => {
    const line = renderProgressLine('a long label', 1, 2, 0, 40);
    expect(line).toHaveLength(40);
  });

  it('draws an empty bar for a zero total', () => {
    expect(renderProgressLine('x', 0, 0, 0, 80)).toContain('  0% 0/0');
  });
});

describe('ProgressBar', () => {
  const output = (isTTY: boolean) => {
    const writes: string[] = [];
    return {
      writes,
      stream: {
        isTTY,
        columns: 60,
        write: (text: string) => writes.push(text),
      },
    };
  };

  it('writes nothing when the output is no terminal', () => {
    const { writes, stream } = output(false);
    const bar = new ProgressBar(stream);
    bar.follow('x', 10, () => 5);
    bar.stop();
    expect(writes).toEqual([]);
  });

  it('redraws in place and clears on stop', () => {
    const { writes, stream } = output(true);
    const bar = new ProgressBar(stream);
    bar.follow('x', 10, () => 5);
    bar.stop();
    expect(writes[0]?.startsWith('\r')).toBe(true);
    expect(writes[0]).toContain('5/10');
    expect(writes[writes.length - 1]).toBe(`\r${' '.repeat(59)}\r`);
  });

  it('ignores a second stop', () => {
    const { writes, stream } = output(true);
    const bar = new ProgressBar(stream);
    bar.follow('x', 10, () => 1);
    bar.stop();
    const count = writes.length;
    bar.stop();
    expect(writes).toHaveLength(count);
  });
});
