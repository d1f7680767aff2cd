import { parseProcStatus, readProcessMemory } from '../../bench/proc-status';

const SAMPLE = [
  'Name:\tnode',
  'VmPeak:\t 1234567 kB',
  'VmHWM:\t  181234 kB',
  'VmRSS:\t  170000 kB',
  'Threads:\t11',
].join('\n');

describe('parseProcStatus', () => {
  it('reads VmRSS and VmHWM in KiB', () => {
    expect(parseProcStatus(SAMPLE)).toEqual({
      rssKiB: 170000,
      peakRssKiB: 181234,
    });
  });

  it('returns undefined without VmHWM', () => {
    expect(parseProcStatus('VmRSS:\t 10 kB\n')).toBeUndefined();
  });
});

describe('readProcessMemory', () => {
  // The benchmark reads /proc, so it runs on Linux only, as this test does.
  it('reads this process', () => {
    const memory = readProcessMemory(process.pid);
    expect(memory?.rssKiB).toBeGreaterThan(0);
    expect(memory?.peakRssKiB).toBeGreaterThanOrEqual(memory?.rssKiB ?? 0);
  });

  it('returns undefined for a missing process', () => {
    expect(readProcessMemory(2 ** 30)).toBeUndefined();
  });
});
