import { ProgressBar, renderProgress } from '../src/output/progress-bar';

describe('renderProgress', () => {
  it.each([
    [0, 100, '[..............................]   0%'],
    [50, 100, '[###############...............]  50%'],
    [100, 100, '[##############################] 100%'],
    [150, 100, '[##############################] 100%'],
    [0, 0, '[##############################] 100%'],
  ])('draws %i of %i bytes', (doneBytes, totalBytes, bar) => {
    const line = renderProgress(doneBytes, totalBytes, { sent: 7, failed: 1 });
    expect(line).toBe(`${bar}  7 sent  1 failed`);
  });
});

describe('ProgressBar', () => {
  it('rewrites one line with a carriage return', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (text) => writes.push(text) }, 10);
    bar.update(5, { sent: 5, failed: 0 });
    bar.update(10, { sent: 10, failed: 0 });
    expect(writes).toHaveLength(2);
    for (const write of writes) {
      expect(write.startsWith('\r')).toBe(true);
      expect(write).not.toContain('\n');
    }
  });

  it('pads over a longer previous line', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (text) => writes.push(text) }, 10);
    bar.update(5, { sent: 1000, failed: 0 });
    bar.update(6, { sent: 1, failed: 0 });
    expect(writes[1]!.length).toBe(writes[0]!.length);
  });

  it('clears the line before other output and at the end', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (text) => writes.push(text) }, 10);
    bar.update(5, { sent: 5, failed: 0 });
    bar.interrupt('line 3: skipped\n');
    bar.finish();
    expect(writes[1]).toMatch(/^\r +\r$/);
    expect(writes[2]).toBe('line 3: skipped\n');
    // Nothing was drawn after the interruption, so there is nothing to clear.
    expect(writes).toHaveLength(3);
  });
});
