import {
  BENCH_DEFAULTS,
  BenchUsageError,
  QUICK_OVERRIDES,
  SCENARIO_NAMES,
  parseBenchOptions,
} from '../../bench/bench-options';

describe('parseBenchOptions', () => {
  it('returns the defaults without flags', () => {
    const options = parseBenchOptions([]);
    expect(options).toEqual(BENCH_DEFAULTS);
    expect(options.scenarios).toEqual(SCENARIO_NAMES);
  });

  it('applies --quick overrides', () => {
    const options = parseBenchOptions(['--quick']);
    expect(options.signals).toBe(QUICK_OVERRIDES.signals);
    expect(options.rounds).toBe(1);
    expect(options.latencyDurationSec).toBe(3);
  });

  it('lets explicit flags win over --quick', () => {
    const options = parseBenchOptions(['--signals', '300', '--quick']);
    expect(options.signals).toBe(300);
    expect(options.latencyDurationSec).toBe(3);
  });

  it.each([
    [['--signals', '2000'], 'signals', 2000],
    [['--payload-bytes', '0'], 'payloadBytes', 0],
    [['--workers', '4'], 'workers', 4],
    [['--concurrency', '5'], 'concurrency', 5],
    [['--receiver-delay-ms', '100'], 'receiverDelayMs', 100],
    [['--max-in-flight', '10'], 'maxInFlight', 10],
    [['--rounds', '5'], 'rounds', 5],
    [['--latency-warm-up-sec', '0'], 'latencyWarmUpSec', 0],
    [['--json', 'out.json'], 'jsonFile', 'out.json'],
    [
      ['--chart', 'docs/images/bench.svg'],
      'chartFile',
      'docs/images/bench.svg',
    ],
    [['--cpu-prof', '/tmp/prof'], 'cpuProfileDir', '/tmp/prof'],
    [['--scaling'], 'scaling', true],
    [['--costs'], 'costs', true],
    [['-h'], 'help', true],
  ])('reads %j into %s', (argv, key, expected) => {
    const options = parseBenchOptions(argv) as unknown as Record<
      string,
      unknown
    >;
    expect(options[key]).toBe(expected);
  });

  it('reads a scenario list', () => {
    const options = parseBenchOptions(['--scenarios', 'baseline, latency']);
    expect(options.scenarios).toEqual(['baseline', 'latency']);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['--signals'], '--signals needs a value'],
    [['--signals', '--quick'], '--signals needs a value'],
    [['--signals', '12abc'], 'must be an integer from 1 to'],
    [['--signals', '0'], 'must be an integer from 1 to'],
    [['--workers', '17'], 'must be an integer from 1 to 16, got 17'],
    [['--scenarios', 'ingest,nope'], 'unknown scenario ingest'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseBenchOptions(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(argv)).toThrow(message);
  });

  it('freezes the result', () => {
    expect(Object.isFrozen(parseBenchOptions(['--signals', '10']))).toBe(true);
  });
});
