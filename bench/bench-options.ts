/** Names of the scenarios that `--scenarios` may select. */
export const SCENARIO_NAMES = Object.freeze([
  'ingest-single',
  'ingest-batch',
  'end-to-end',
  'worker-only',
  'baseline',
  'latency',
  'match-time',
] as const);

/** One selectable scenario. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Settings of one benchmark run, from the command line. */
export interface BenchOptions {
  /** Signals (or delivery jobs) per throughput scenario. @defaultValue 5000 */
  readonly signals: number;
  /**
   * Times the throughput scenarios run, interleaved, so each round's
   * Signalpost and baseline share the machine's load of that moment.
   * @defaultValue 3
   */
  readonly rounds: number;
  /** Size of each signal's JSON-encoded `data`. @defaultValue 512 */
  readonly payloadBytes: number;
  /** Signalpost worker processes. @defaultValue 1 */
  readonly workers: number;
  /**
   * Deliveries in flight per worker process, baseline included.
   * @defaultValue 50
   */
  readonly concurrency: number;
  /** Delay before the receiver responds to each request. @defaultValue 0 */
  readonly receiverDelayMs: number;
  /**
   * `maxInFlight` of the benchmark's subscription. The default is far above
   * any load of the benchmark, so the limit never holds a delivery back.
   * @defaultValue 10000
   */
  readonly maxInFlight: number;
  /** Publish rate of the latency scenario. @defaultValue 200 */
  readonly latencyRatePerSec: number;
  /** Length of the latency scenario's measured part. @defaultValue 10 */
  readonly latencyDurationSec: number;
  /**
   * Length of the latency scenario's unmeasured start at the same rate. It
   * lets the processes compile their hot code before the measured part.
   * @defaultValue 5
   */
  readonly latencyWarmUpSec: number;
  /**
   * Deadline of each scenario, after which it reports what it measured.
   * @defaultValue 120
   */
  readonly scenarioTimeoutSec: number;
  /** Whether to run the worker-count scaling comparison. @defaultValue false */
  readonly scaling: boolean;
  /** Deliveries per step of the scaling comparison. @defaultValue 1000 */
  readonly scalingSignals: number;
  /**
   * Whether to measure Redis round trips, JSON passes and allocations.
   * @defaultValue false
   */
  readonly costs: boolean;
  /**
   * Signals per phase of the cost measurement; the one-at-a-time phase
   * sends a fifth of them.
   * @defaultValue 500
   */
  readonly costSignals: number;
  /**
   * Lookups per subscription count in the match-time scenario.
   * @defaultValue 100000
   */
  readonly matchLookups: number;
  /** Scenarios to run. @defaultValue all of {@link SCENARIO_NAMES} */
  readonly scenarios: readonly ScenarioName[];
  /** File for the JSON results. @defaultValue undefined, none written */
  readonly jsonFile?: string;
  /** File for the SVG chart. @defaultValue undefined, none drawn */
  readonly chartFile?: string;
  /**
   * Folder for CPU profiles of the stack's processes.
   * @defaultValue undefined, no profiling
   */
  readonly cpuProfileDir?: string;
  /** Whether `--help` was given. @defaultValue false */
  readonly help: boolean;
}

/** Defaults of a run without flags. */
export const BENCH_DEFAULTS: BenchOptions = Object.freeze({
  signals: 5000,
  rounds: 3,
  payloadBytes: 512,
  workers: 1,
  concurrency: 50,
  receiverDelayMs: 0,
  maxInFlight: 10_000,
  latencyRatePerSec: 200,
  latencyDurationSec: 10,
  latencyWarmUpSec: 5,
  scenarioTimeoutSec: 120,
  scaling: false,
  scalingSignals: 1000,
  costs: false,
  costSignals: 500,
  matchLookups: 100_000,
  scenarios: SCENARIO_NAMES,
  help: false,
});

/** Overrides of `--quick`, for a smoke run of well under a minute of load. */
export const QUICK_OVERRIDES: Partial<BenchOptions> = Object.freeze({
  signals: 1000,
  rounds: 1,
  latencyDurationSec: 3,
  latencyWarmUpSec: 1,
  scalingSignals: 300,
  costSignals: 200,
  matchLookups: 20_000,
});

/**
 * Raised for a command line that cannot be run; the message gives the reason.
 */
export class BenchUsageError extends Error {
  readonly code = 'SIGNALPOST_ERR_BENCH_USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

type IntegerFlag = {
  readonly key: keyof BenchOptions;
  readonly min: number;
  readonly max: number;
};

const INTEGER_FLAGS: Readonly<Record<string, IntegerFlag>> = Object.freeze({
  '--signals': { key: 'signals', min: 1, max: 1_000_000 },
  '--rounds': { key: 'rounds', min: 1, max: 10 },
  '--payload-bytes': { key: 'payloadBytes', min: 0, max: 200_000 },
  '--workers': { key: 'workers', min: 1, max: 16 },
  '--concurrency': { key: 'concurrency', min: 1, max: 1000 },
  '--receiver-delay-ms': { key: 'receiverDelayMs', min: 0, max: 10_000 },
  '--max-in-flight': { key: 'maxInFlight', min: 1, max: 10_000 },
  '--latency-rate': { key: 'latencyRatePerSec', min: 1, max: 5000 },
  '--latency-duration-sec': { key: 'latencyDurationSec', min: 1, max: 600 },
  '--latency-warm-up-sec': { key: 'latencyWarmUpSec', min: 0, max: 600 },
  '--scenario-timeout-sec': { key: 'scenarioTimeoutSec', min: 5, max: 3600 },
  '--scaling-signals': { key: 'scalingSignals', min: 10, max: 100_000 },
  '--cost-signals': { key: 'costSignals', min: 10, max: 100_000 },
  '--match-lookups': { key: 'matchLookups', min: 1000, max: 10_000_000 },
});

const PATH_FLAGS: Readonly<Record<string, keyof BenchOptions>> = Object.freeze({
  '--json': 'jsonFile',
  '--chart': 'chartFile',
  '--cpu-prof': 'cpuProfileDir',
});

const SWITCHES: Readonly<Record<string, keyof BenchOptions>> = Object.freeze({
  '--scaling': 'scaling',
  '--costs': 'costs',
  '--help': 'help',
  '-h': 'help',
});

/**
 * Parses the command line after the script name. `--quick` applies
 * {@link QUICK_OVERRIDES} first, so explicit flags still win over it.
 * @throws {@link BenchUsageError} for an unknown flag or an invalid value.
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: Record<string, unknown> = {
    ...BENCH_DEFAULTS,
    ...(quick ? QUICK_OVERRIDES : {}),
  };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index] ?? '';
    // A bare `--` is what npm and shells use to end their own options.
    if (flag === '--quick' || flag === '--') continue;
    const value = argv[index + 1];
    index += applyFlag(options, flag, value) ? 1 : 0;
  }
  return Object.freeze(options) as unknown as BenchOptions;
}

// Returns whether the flag consumed the next argument as its value.
function applyFlag(
  options: Record<string, unknown>,
  flag: string,
  value: string | undefined,
): boolean {
  const switchKey = SWITCHES[flag];
  if (switchKey) {
    options[switchKey] = true;
    return false;
  }
  const integer = INTEGER_FLAGS[flag];
  if (integer) {
    options[integer.key] = readInteger(flag, value, integer);
    return true;
  }
  const pathKey = PATH_FLAGS[flag];
  if (pathKey) {
    options[pathKey] = readValue(flag, value);
    return true;
  }
  if (flag === '--scenarios') {
    options.scenarios = readScenarios(readValue(flag, value));
    return true;
  }
  throw new BenchUsageError(`unknown option ${flag}; see --help`);
}

function readValue(flag: string, value: string | undefined): string {
  if (value === undefined || value.startsWith('--')) {
    throw new BenchUsageError(`${flag} needs a value`);
  }
  return value;
}

function readInteger(
  flag: string,
  value: string | undefined,
  rule: IntegerFlag,
): number {
  const text = readValue(flag, value);
  const number = Number(text);
  if (!/^\d+$/.test(text) || number < rule.min || number > rule.max) {
    throw new BenchUsageError(
      `${flag} must be an integer from ${rule.min} to ${rule.max}, got ${text}`,
    );
  }
  return number;
}

function readScenarios(text: string): ScenarioName[] {
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new BenchUsageError(
        `--scenarios: unknown scenario ${name}; expected some of ${SCENARIO_NAMES.join(', ')}`,
      );
    }
  }
  return names as ScenarioName[];
}

/** Help text of `npm run bench -- --help`. */
export const BENCH_HELP = `Usage: npm run bench -- [options]
       npx tsx bench/run.ts [options]

Starts a private redis-server, a receiver and the Signalpost stack on
127.0.0.1, measures it beside a bare BullMQ worker, and prints the tables.

  --signals N              signals or jobs per throughput scenario (5000)
  --rounds R               interleaved rounds of the throughput scenarios (3)
  --payload-bytes B        size of each signal's JSON data in bytes (512)
  --workers N              Signalpost worker processes (1)
  --concurrency C          deliveries in flight per worker process (50)
  --receiver-delay-ms MS   delay before the receiver responds, in ms (0)
  --max-in-flight N        maxInFlight of the benchmark's subscription (10000,
                           so that the limit never holds a delivery back)
  --latency-rate R         signals per second in the latency scenario (200)
  --latency-duration-sec S measured length of the latency scenario in seconds (10)
  --latency-warm-up-sec S  unmeasured start of the latency scenario at the
                           same rate, in seconds (5)
  --scenario-timeout-sec S deadline of each scenario in seconds (120)
  --scenarios LIST         comma-separated subset of:
                           ${SCENARIO_NAMES.join(', ')}
  --scaling                also compare 1, 2 and 4 worker processes at
                           concurrency 5 against a receiver that waits 100 ms
  --scaling-signals N      deliveries per scaling step (1000)
  --costs                  also count Redis round trips and commands, JSON
                           passes, allocations and CPU time per signal
  --cost-signals N         signals per cost phase (500)
  --match-lookups N        signal types matched per subscription count (100000)
  --quick                  smoke run: 1000 signals, 1 round, 1 + 3 s latency run
  --json FILE              write every result as JSON
  --chart FILE.svg         draw latency and scaling as an SVG chart
  --cpu-prof DIR           write CPU profiles of the stack's processes to DIR
  --help                   print this text

Exit status: 0 when every scenario completed, 1 for an invalid command
line, 2 when a scenario failed or ran out of time, 3 when the benchmark
could not start (for example, no redis-server).
`;
