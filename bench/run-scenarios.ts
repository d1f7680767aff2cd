import type { ScenarioName } from './bench-options';
import type { CostReport } from './costs/cost-report';
import { measureCosts } from './costs/measure-costs';
import type { ScenarioContext } from './scenario-context';
import type {
  FailedScenario,
  LatencyResult,
  MatchTimeResult,
  ScalingStep,
  ThroughputResult,
} from './scenario-result';
import {
  measureBaseline,
  measureEndToEnd,
  measureWorkerOnly,
  type DeliveryStep,
} from './scenarios/delivery';
import { runIngestBatch, runIngestSingle } from './scenarios/ingest';
import { measureBaselineLatency, measureLatency } from './scenarios/latency';
import { measureMatchTimes } from './scenarios/match-time';
import { measureScaling } from './scenarios/scaling';

/** Results of every scenario that ran, and the scenarios that failed. */
export interface CollectedResults {
  throughput: ThroughputResult[];
  latency: LatencyResult[];
  matchTimes: MatchTimeResult[];
  scaling: ScalingStep[];
  failures: FailedScenario[];
}

/** Returns whether the run was interrupted; then no scenario starts. */
export type InterruptCheck = () => boolean;

/** The throughput scenarios in the order each round runs them. */
const THROUGHPUT_PLAN: readonly {
  readonly name: ScenarioName;
  readonly title: string;
  readonly run: (
    context: ScenarioContext,
    round: number,
  ) => Promise<ThroughputResult>;
}[] = [
  {
    name: 'ingest-single',
    title: 'ingest, single publishes',
    run: runIngestSingle,
  },
  {
    name: 'ingest-batch',
    title: 'ingest, batch publishes',
    run: runIngestBatch,
  },
  {
    name: 'end-to-end',
    title: 'end-to-end delivery',
    run: (context, round) =>
      measureEndToEnd(context, deliveryStep(context, 'end-to-end', round)),
  },
  {
    name: 'worker-only',
    title: 'worker-only delivery',
    run: (context, round) =>
      measureWorkerOnly(context, deliveryStep(context, 'worker-only', round)),
  },
  {
    name: 'baseline',
    title: 'baseline',
    // One baseline process, the unit the per-worker ratios compare with.
    run: (context, round) =>
      measureBaseline(context, {
        ...deliveryStep(context, 'baseline', round),
        workers: 1,
      }),
  },
];

/**
 * Runs the selected scenarios in order: match time first, while no app
 * runs, then the rounds of throughput scenarios, the latency runs, and the
 * scaling steps when asked for. A scenario that fails is recorded and the
 * run goes on, because the other numbers are still worth having.
 */
export async function runScenarios(
  context: ScenarioContext,
  isInterrupted: InterruptCheck,
): Promise<CollectedResults> {
  const collected: CollectedResults = {
    throughput: [],
    latency: [],
    matchTimes: [],
    scaling: [],
    failures: [],
  };
  const runner = new ScenarioRunner(context, collected, isInterrupted);
  const { options } = context;
  if (options.scenarios.includes('match-time')) await runner.matchTimes();
  for (let round = 1; round <= options.rounds; round += 1) {
    await runner.throughputRound(round);
  }
  if (options.scenarios.includes('latency')) await runner.latency();
  if (options.scaling) await runner.scaling();
  return collected;
}

/**
 * Measures the costs per signal, recording a failure with the others.
 * Returns `undefined` when the measurement failed or did not start.
 */
export async function runCosts(
  context: ScenarioContext,
  collected: CollectedResults,
  isInterrupted: InterruptCheck,
): Promise<CostReport | undefined> {
  let costs: CostReport | undefined;
  const runner = new ScenarioRunner(context, collected, isInterrupted);
  await runner.attempt('costs', 'costs per signal', async () => {
    costs = await measureCosts(context);
  });
  return costs;
}

class ScenarioRunner {
  constructor(
    private readonly context: ScenarioContext,
    private readonly collected: CollectedResults,
    private readonly isInterrupted: InterruptCheck,
  ) {}

  async matchTimes(): Promise<void> {
    await this.attempt('match-time', 'router match time', async () => {
      const results = measureMatchTimes(this.context.options.matchLookups);
      this.collected.matchTimes.push(...results);
      for (const result of results) {
        this.context.log(
          `match time at ${result.subscriptions} subscriptions: ${Math.round(result.nsPerMatch)} ns`,
        );
      }
    });
  }

  async throughputRound(round: number): Promise<void> {
    for (const entry of THROUGHPUT_PLAN) {
      if (!this.context.options.scenarios.includes(entry.name)) continue;
      const title = `${entry.title}, round ${round}`;
      await this.attempt(entry.name, title, async () => {
        const result = await entry.run(this.context, round);
        this.collected.throughput.push(result);
        this.logThroughput(result);
      });
    }
  }

  async latency(): Promise<void> {
    await this.attempt('latency', 'latency', async () =>
      this.keepLatency(await measureLatency(this.context)),
    );
    await this.attempt('baseline-latency', 'baseline latency', async () =>
      this.keepLatency(await measureBaselineLatency(this.context)),
    );
  }

  async scaling(): Promise<void> {
    await this.attempt('scaling', 'scaling', async () => {
      const steps = await measureScaling(this.context, (step) => {
        this.logThroughput(step.signalpost);
        this.logThroughput(step.baseline);
      });
      this.collected.scaling.push(...steps);
    });
  }

  async attempt(
    name: string,
    title: string,
    run: () => Promise<void>,
  ): Promise<void> {
    if (this.isInterrupted()) return;
    const lengths = countResults(this.collected);
    try {
      await run();
    } catch (error) {
      if (this.isInterrupted()) return;
      const message = (error as Error).message;
      this.collected.failures.push({
        kind: 'failed',
        name,
        title,
        error: message,
      });
      this.context.log(`${title}: FAILED: ${message}`);
    } finally {
      // A scenario cut short by an interrupt measured its processes being
      // stopped, so whatever it added is dropped.
      if (this.isInterrupted()) dropResultsAfter(this.collected, lengths);
    }
  }

  private keepLatency(result: LatencyResult): void {
    this.collected.latency.push(result);
    this.context.log(
      `${result.title}: p50 ${result.latency?.p50Ms.toFixed(1) ?? '-'} ms, p99 ${result.latency?.p99Ms.toFixed(1) ?? '-'} ms, ${result.completed}/${result.expected} arrived`,
    );
  }

  private logThroughput(result: ThroughputResult): void {
    if (this.isInterrupted()) return;
    const incomplete = result.complete ? '' : ' INCOMPLETE';
    this.context.log(
      `${result.title} (${result.workers} × ${result.concurrency}, round ${result.round}): ${Math.round(result.ratePerSec)} ${result.unit}, ${result.completed}/${result.expected}${incomplete}`,
    );
  }
}

function deliveryStep(
  context: ScenarioContext,
  name: string,
  round: number,
): DeliveryStep {
  const { options } = context;
  return {
    step: `${name}-${round}`,
    signals: options.signals,
    workers: options.workers,
    concurrency: options.concurrency,
    round,
  };
}

type ResultCounts = Record<keyof CollectedResults, number>;

function countResults(collected: CollectedResults): ResultCounts {
  return {
    throughput: collected.throughput.length,
    latency: collected.latency.length,
    matchTimes: collected.matchTimes.length,
    scaling: collected.scaling.length,
    failures: collected.failures.length,
  };
}

function dropResultsAfter(
  collected: CollectedResults,
  lengths: ResultCounts,
): void {
  collected.throughput.length = lengths.throughput;
  collected.latency.length = lengths.latency;
  collected.matchTimes.length = lengths.matchTimes;
  collected.scaling.length = lengths.scaling;
  collected.failures.length = lengths.failures;
}
