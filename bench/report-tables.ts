import { BENCH_DEFAULTS, type BenchOptions } from './bench-options';
import { evaluateTargets, type BenchReport } from './bench-report';
import { renderCosts } from './costs/cost-tables';
import { formatMarkdownTable } from './markdown-table';
import type {
  LatencyResult,
  MemoryByProcess,
  ThroughputResult,
} from './scenario-result';
import { LOAD_SHAPE } from './scenarios/load';
import { idealScalingRate } from './scenarios/scaling';
import { summarizeThroughput } from './throughput-summary';

/** Processes shown in the memory table, by name prefix. */
const MEMORY_COLUMNS = Object.freeze([
  ['api', 'api'],
  ['router', 'router'],
  ['worker', 'worker-'],
  ['baseline', 'baseline-'],
  ['redis', 'redis'],
] as const);

/** Renders every table of a report as Markdown sections. */
export function renderReport(report: BenchReport): string {
  const sections = [
    report.throughput.length > 0
      ? section(
          `Throughput (median of ${report.options.rounds} interleaved round(s), range over the rounds)`,
          throughputTable(report.throughput),
        )
      : undefined,
    report.latency.length > 0
      ? section('Latency', latencyTable(report.latency))
      : undefined,
    report.matchTimes.length > 0
      ? section(
          `Router match time (PatternMatcher in process, median of 5 runs of ${report.options.matchLookups} lookups)`,
          matchTable(report),
        )
      : undefined,
    section(
      'Peak RSS in MiB (VmHWM at the end of each step; RSS after the warm-up in brackets)',
      `${memoryTable(report)}${runtimeMemoryLine(report)}`,
    ),
    report.scaling.length > 0
      ? section(
          'Scaling (concurrency 5 per process, receiver waits 100 ms)',
          scalingTable(report),
        )
      : undefined,
    report.costs
      ? section(
          'Costs per signal (untimed run through counting proxies)',
          renderCosts(report.costs),
        )
      : undefined,
    section('Targets', targetSection(report)),
    section('Method', methodNotes(report)),
    notesSection(report),
  ];
  return sections.filter((text) => text !== undefined).join('\n\n');
}

function section(title: string, body: string): string {
  return `### ${title}\n\n${body}`;
}

/** Renders the throughput table, one row per scenario over its rounds. */
export function throughputTable(results: readonly ThroughputResult[]): string {
  return formatMarkdownTable(
    [
      'scenario',
      'processes × concurrency',
      'rate',
      'range',
      'later half',
      'complete rounds',
    ],
    summarizeThroughput(results).map((summary) => [
      summary.title,
      `${summary.workers} × ${summary.concurrency}`,
      `${formatInteger(summary.medianRatePerSec)} ${summary.unit}`,
      `${formatInteger(summary.minRatePerSec)} to ${formatInteger(summary.maxRatePerSec)}`,
      Number.isNaN(summary.medianLaterHalfRatePerSec)
        ? '-'
        : formatInteger(summary.medianLaterHalfRatePerSec),
      `${summary.completeRounds}/${summary.rounds}`,
    ]),
  );
}

function latencyTable(results: readonly LatencyResult[]): string {
  const ms = (value: number | undefined) =>
    value === undefined ? '-' : value.toFixed(1);
  return formatMarkdownTable(
    [
      'scenario',
      'arrived',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'accept p50 ms',
      'accept p99 ms',
      'send lag p99 ms',
    ],
    results.map((result) => [
      result.title,
      `${result.completed}/${result.expected}`,
      ms(result.latency?.p50Ms),
      ms(result.latency?.p90Ms),
      ms(result.latency?.p99Ms),
      ms(result.latency?.maxMs),
      ms(result.acceptLatency?.p50Ms),
      ms(result.acceptLatency?.p99Ms),
      ms(result.scheduleLag?.p99Ms),
    ]),
  );
}

function matchTable(report: BenchReport): string {
  return formatMarkdownTable(
    [
      'subscriptions',
      'ns per match',
      'ns, 10 hot types',
      'matches per type',
      'nodes visited',
      'build ms',
    ],
    report.matchTimes.map((result) => [
      formatInteger(result.subscriptions),
      formatInteger(result.nsPerMatch),
      formatInteger(result.hotNsPerMatch),
      result.matchesPerType.toFixed(2),
      result.visitedNodesPerType.toFixed(2),
      formatInteger(result.buildMs),
    ]),
  );
}

function memoryTable(report: BenchReport): string {
  const steps = new Map<string, MemoryByProcess[]>();
  const results = [
    ...report.throughput,
    ...report.latency,
    ...report.scaling.flatMap((step) => [step.signalpost, step.baseline]),
  ];
  for (const result of results) {
    const title =
      result.kind === 'throughput'
        ? `${result.title} (${result.workers} × ${result.concurrency})`
        : result.title;
    steps.set(title, [...(steps.get(title) ?? []), result.memory]);
  }
  return formatMarkdownTable(
    ['step', ...MEMORY_COLUMNS.map(([title]) => title)],
    [...steps].map(([title, memories]) => [
      title,
      ...MEMORY_COLUMNS.map(([, prefix]) => memoryCell(memories, prefix)),
    ]),
  );
}

// The largest peak over the step's rounds and processes, with the largest
// RSS after the warm-up in brackets.
function memoryCell(memories: readonly MemoryByProcess[], prefix: string) {
  const figures = memories.flatMap((memory) =>
    Object.entries(memory)
      .filter(([name]) => name.startsWith(prefix))
      .map(([, value]) => value),
  );
  if (figures.length === 0) return '-';
  const peakMiB = Math.max(...figures.map((value) => value.peakRssKiB)) / 1024;
  const warm = figures
    .map((value) => value.rssAfterWarmUpKiB)
    .filter((value): value is number => value !== undefined);
  if (warm.length === 0) return peakMiB.toFixed(0);
  return `${peakMiB.toFixed(0)} (${(Math.max(...warm) / 1024).toFixed(0)})`;
}

function runtimeMemoryLine(report: BenchReport): string {
  const runtime = report.runtimeMemory;
  if (!runtime) return '';
  return `\n\nAn idle \`node -e\` peaks at ${runtime.nodeMiB.toFixed(0)} MiB, and ${runtime.nodeWithTsxMiB.toFixed(0)} MiB with \`--import tsx\`. The apps and the baseline worker here run as esbuild bundles (\`node dist/<app>.js\`), without tsx.`;
}

function scalingTable(report: BenchReport): string {
  return formatMarkdownTable(
    [
      'worker processes',
      'ideal deliveries/s',
      'Signalpost end-to-end',
      'baseline',
      'Signalpost / baseline',
    ],
    report.scaling.map((step) => [
      String(step.workers),
      formatInteger(idealScalingRate(step.workers)),
      rateCell(step.signalpost),
      rateCell(step.baseline),
      step.baseline.ratePerSec > 0
        ? `${(step.signalpost.ratePerSec / step.baseline.ratePerSec).toFixed(2)}×`
        : '-',
    ]),
  );
}

function targetSection(report: BenchReport): string {
  const note = smallRunNote(report.options);
  return note ? `${targetTable(report)}\n\n${note}` : targetTable(report);
}

/**
 * Returns a warning for a run smaller than the default one, such as
 * `--quick`, whose verdicts are rougher than those of a default run.
 */
export function smallRunNote(options: BenchOptions): string | undefined {
  const smaller =
    options.signals < BENCH_DEFAULTS.signals ||
    options.rounds < BENCH_DEFAULTS.rounds ||
    options.latencyWarmUpSec < BENCH_DEFAULTS.latencyWarmUpSec ||
    options.latencyDurationSec < BENCH_DEFAULTS.latencyDurationSec ||
    options.matchLookups < BENCH_DEFAULTS.matchLookups;
  if (!smaller) return undefined;
  return (
    `This run is smaller than the default one (${options.signals} signals, ` +
    `${options.rounds} round(s), latency over ${options.latencyWarmUpSec} + ` +
    `${options.latencyDurationSec} s, ${options.matchLookups} match ` +
    'lookups), so its verdicts are rough: judge the ' +
    'targets by a run of `npm run bench` with the defaults. A missed target ' +
    'does not change the exit status, which reports failed scenarios only.'
  );
}

function targetTable(report: BenchReport): string {
  return formatMarkdownTable(
    ['target', 'wanted', 'measured', 'result'],
    evaluateTargets(report).map((check) => [
      check.name,
      check.target,
      check.measured,
      verdict(check.pass),
    ]),
    ['left', 'left', 'left', 'left'],
  );
}

function methodNotes(report: BenchReport): string {
  const { options } = report;
  return [
    `- ${options.signals} signals or jobs per delivery scenario, data of ${options.payloadBytes} bytes each; single ingest sends a fifth as many.`,
    `- Single publishes: ${LOAD_SHAPE.singleConcurrency} in flight. Batch publishes: ${LOAD_SHAPE.batchSize} signals each, ${LOAD_SHAPE.batchConcurrency} in flight.`,
    '- During ingest the router and the workers run too and deliver what was accepted.',
    `- Worker-only and baseline jobs are enqueued by the benchmark, ${LOAD_SHAPE.enqueueChunkSize} per call, ${LOAD_SHAPE.enqueueConcurrency} calls in flight; the clock starts at the first call.`,
    '- "Later half" is the rate from the middle arrival to the last. By then the benchmark has mostly finished enqueueing or publishing, so it shows the rate of a stack that only delivers, which the run as a whole mixes with the load generator\'s share of the CPU.',
    `- The latency runs send ${options.latencyWarmUpSec} s of signals at the same rate before the ${options.latencyDurationSec} s that are measured, so the measured part sees warm processes.`,
    '- Every step starts fresh processes on a fresh key prefix, warms up with 50 deliveries, and empties Redis afterwards.',
    options.maxInFlight >= options.concurrency * options.workers
      ? `- The subscription sets maxInFlight ${options.maxInFlight}, so the shared in-flight limit never holds a delivery back (its lease is still taken).`
      : `- The subscription sets maxInFlight ${options.maxInFlight}, below the ${options.concurrency * options.workers} deliveries the workers run at once, so the limit holds deliveries back; the baseline has no such limit.`,
    '- Apps log at warn; at the default info level the worker also writes one log line per delivery.',
  ].join('\n');
}

function verdict(pass: boolean | undefined): string {
  if (pass === undefined) return 'not run';
  return pass ? 'pass' : 'FAIL';
}

function notesSection(report: BenchReport): string | undefined {
  const notes = [
    ...[...report.throughput, ...report.latency].flatMap((result) =>
      result.notes.map((note) => `- ${noteTitle(result)}: ${note}`),
    ),
    ...report.failures.map(
      (failure) => `- ${failure.title}: FAILED: ${failure.error}`,
    ),
    ...(report.interruptedBy
      ? [
          `- Interrupted by ${report.interruptedBy}: the scenario then running and those after it are missing.`,
        ]
      : []),
  ];
  return notes.length > 0 ? section('Notes', notes.join('\n')) : undefined;
}

function noteTitle(result: ThroughputResult | LatencyResult): string {
  return result.kind === 'throughput' && result.round > 0
    ? `${result.title} (${result.workers} × ${result.concurrency}, round ${result.round})`
    : result.title;
}

function rateCell(result: ThroughputResult): string {
  const rate = formatInteger(result.ratePerSec);
  return result.complete ? rate : `${rate} (incomplete)`;
}

/** Formats a number rounded to an integer with thousands separators. */
export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
