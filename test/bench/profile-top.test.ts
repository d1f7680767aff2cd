import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import {
  mapBundledFrames,
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

describe('mapBundledFrames', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'profile-map-'));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('moves a bundled frame to its source line', async () => {
    const source = path.join(folder, 'send.ts');
    writeFileSync(
      source,
      'export function first(): number {\n  return 1;\n}\n\nexport function send(): number {\n  return first() + 1;\n}\n',
    );
    const bundle = path.join(folder, 'bundle.js');
    await build({
      entryPoints: [source],
      outfile: bundle,
      bundle: true,
      format: 'cjs',
      sourcemap: 'linked',
      logLevel: 'silent',
    });
    const lines = readFileSync(bundle, 'utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('function send'));
    const column = lines[line]?.indexOf('send') ?? 0;
    const bundled: CpuProfile = {
      nodes: [
        {
          id: 1,
          callFrame: {
            functionName: 'send',
            url: `file://${bundle}`,
            lineNumber: line,
            columnNumber: column,
          },
        },
      ],
      samples: [1],
      timeDeltas: [1000],
    };

    const [node] = mapBundledFrames(bundled).nodes;

    expect(node?.callFrame.url).toBe(source);
    expect(node?.callFrame.lineNumber).toBe(4);
  });

  it('keeps frames without a source map', () => {
    const plain: CpuProfile = {
      nodes: [{ id: 1, callFrame: frame('write', 'file:///repo/plain.js') }],
      samples: [1],
      timeDeltas: [1000],
    };

    expect(mapBundledFrames(plain)).toEqual(plain);
  });
});
