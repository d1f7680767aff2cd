import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const RUN_TIMEOUT_MS = 180_000;

interface BenchJson {
  readonly throughput: {
    name: string;
    complete: boolean;
    round: number;
    laterHalfRatePerSec?: number;
  }[];
  readonly latency: {
    name: string;
    complete: boolean;
    expected: number;
    completed: number;
  }[];
  readonly matchTimes: { subscriptions: number; nsPerMatch: number }[];
  readonly failures: unknown[];
}

// A small run of every scenario through the npm script, as a user starts
// it. It checks that the benchmark runs and reports, never how fast.
describe('npm run bench', () => {
  let folder = '';
  let report: BenchJson;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'signalpost-bench-smoke-'));
    const jsonFile = path.join(folder, 'bench.json');
    const args = [
      'run',
      'bench',
      '--',
      '--signals',
      '200',
      '--rounds',
      '1',
      '--latency-duration-sec',
      '1',
      '--latency-warm-up-sec',
      '1',
      '--match-lookups',
      '1000',
      '--json',
      jsonFile,
    ];
    await run('npm', args, { cwd: ROOT, timeout: RUN_TIMEOUT_MS });
    report = JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchJson;
  }, RUN_TIMEOUT_MS + 10_000);

  afterAll(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('completes every throughput scenario', () => {
    const names = report.throughput.map((result) => result.name).sort();

    expect(names).toEqual([
      'baseline',
      'end-to-end',
      'ingest-batch',
      'ingest-single',
      'worker-only',
    ]);
    for (const result of report.throughput) {
      expect({ name: result.name, complete: result.complete }).toEqual({
        name: result.name,
        complete: true,
      });
    }
  });

  it('reports the later-half rate of deliveries', () => {
    const deliveries = report.throughput.filter((result) =>
      ['baseline', 'end-to-end', 'worker-only'].includes(result.name),
    );

    expect(deliveries).toHaveLength(3);
    for (const result of deliveries) {
      expect(result.laterHalfRatePerSec).toBeGreaterThan(0);
    }
  });

  it('completes both latency runs', () => {
    expect(report.latency.map((result) => result.name).sort()).toEqual([
      'baseline-latency',
      'latency',
    ]);
    expect(report.latency.every((result) => result.complete)).toBe(true);
  });

  it('skips the warm-up signals', () => {
    for (const result of report.latency) {
      expect(result.expected).toBe(200);
      expect(result.completed).toBe(200);
    }
  });

  it('times the matcher at three sizes', () => {
    expect(report.matchTimes.map((result) => result.subscriptions)).toEqual([
      10, 10_000, 100_000,
    ]);
    for (const result of report.matchTimes) {
      expect(result.nsPerMatch).toBeGreaterThan(0);
    }
  });

  it('reports no failure', () => {
    expect(report.failures).toEqual([]);
  });
});
