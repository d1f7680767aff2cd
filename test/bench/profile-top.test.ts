import {
  packageOf,
  summarizeProfiles,
  type CpuProfile,
} from '../../bench/profile-top';

const ROOT = '/repo';

const profile: CpuProfile = {
  nodes: [
    { id: 1, children: [2, 4], callFrame: frame('(root)', '') },
    {
      id: 2,
      children: [3],
      callFrame: frame('send', `file://${ROOT}/apps/worker/src/send.ts`),
    },
    {
      id: 3,
      callFrame: frame(
        'write',
        `file://${ROOT}/node_modules/ioredis/built/Redis.js`,
        9,
      ),
    },
    { id: 4, callFrame: frame('(garbage collector)', '') },
    { id: 5, callFrame: frame('(idle)', '') },
  ],
  samples: [3, 3, 2, 4, 1, 5],
  timeDeltas: [1000, 1000, 2500, 500, 0, 5000],
};

function frame(functionName: string, url: string, lineNumber = 0) {
  return { functionName, url, lineNumber };
}

describe('summarizeProfiles', () => {
  const summary = summarizeProfiles([profile], ROOT);

  it('adds each sample to the node on top', () => {
    expect(summary.totalMs).toBe(10);
    expect(summary.busyMs).toBe(5);
    expect(summary.functions[0]).toEqual({
      name: 'send apps/worker/src/send.ts',
      selfMs: 2.5,
      share: 0.5,
    });
    expect(summary.functions.map((entry) => entry.name)).toContain(
      'write node_modules/ioredis/built/Redis.js:10',
    );
  });

  it('leaves idle time out of the rankings', () => {
    const names = summary.functions.map((entry) => entry.name);
    expect(names).not.toContain('(idle)');
  });

  it('groups self time by package', () => {
    const byName = Object.fromEntries(
      summary.packages.map((entry) => [entry.name, entry.selfMs]),
    );
    expect(byName).toEqual({
      ioredis: 2,
      'apps/worker': 2.5,
      '(garbage collector)': 0.5,
    });
  });

  it('charges library time to the nearest product frame', () => {
    expect(summary.productCallers).toEqual([
      { name: 'send apps/worker/src/send.ts', selfMs: 4.5, share: 0.9 },
    ]);
  });
});

describe('packageOf', () => {
  it.each([
    [frame('f', 'file:///x/node_modules/@scope/pkg/index.js'), '@scope/pkg'],
    [frame('f', 'node:internal/streams'), 'node core'],
    [frame('f', `file://${ROOT}/packages/store/src/a.ts`), 'packages/store'],
    [frame('(idle)', ''), '(idle)'],
    [frame('writeUtf8String', ''), '(native)'],
  ])('files %j under %s', (callFrame, expected) => {
    expect(packageOf(callFrame, ROOT)).toBe(expected);
  });
});
