import type { BenchReport } from './bench-report';
import { summarizeThroughput } from './throughput-summary';
import type { ChartData, LatencySeries, RateGroup } from './svg-chart';

/**
 * Chooses what the chart shows: the latency runs, and delivery rates per
 * worker process count when the scaling steps ran, else the single-worker
 * rates of the throughput scenarios.
 */
export function chartDataOf(report: BenchReport): ChartData {
  const latency: LatencySeries[] = report.latency.map((result) => ({
    label: `${result.name === 'latency' ? 'Signalpost' : 'baseline'}, p99 ${result.latency?.p99Ms.toFixed(1) ?? '-'} ms`,
    system: result.name === 'latency' ? 'signalpost' : 'baseline',
    latenciesMs: result.latenciesMs,
  }));
  const title = `Signalpost beside a bare BullMQ worker (${report.machine.cpus} cores, Node ${report.machine.node})`;
  const rate =
    report.latency[0]?.ratePerSec ?? report.options.latencyRatePerSec;
  const latencyTitle = `Latency at ${rate}/s, publish to arrival (cumulative)`;
  if (report.scaling.length > 0) {
    return {
      title,
      latencyTitle,
      latency,
      rateTitle: 'Delivery rate by worker processes (5 each, 100 ms target)',
      rates: report.scaling.map((step) => ({
        label: `${step.workers} worker${step.workers === 1 ? '' : 's'}`,
        signalpost: step.signalpost.ratePerSec,
        baseline: step.baseline.ratePerSec,
      })),
    };
  }
  return {
    title,
    latencyTitle,
    latency,
    rateTitle: 'Delivery rate, one worker process',
    rates: singleWorkerRates(report),
  };
}

function singleWorkerRates(report: BenchReport): RateGroup[] {
  const summaries = summarizeThroughput(report.throughput);
  const rateOf = (name: string) =>
    summaries.find((summary) => summary.name === name)?.medianRatePerSec;
  const baseline = rateOf('baseline') ?? 0;
  return ['end-to-end', 'worker-only'].flatMap((name) => {
    const rate = rateOf(name);
    return rate === undefined
      ? []
      : [{ label: name, signalpost: rate, baseline }];
  });
}
