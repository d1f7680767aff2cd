import type { ScenarioContext } from '../scenario-context';
import type { ScalingStep } from '../scenario-result';
import { measureBaseline, measureEndToEnd } from './delivery';

/** Settings of the scaling comparison. */
export const SCALING_SETUP = Object.freeze({
  workerCounts: [1, 2, 4],
  /** Deliveries in flight per worker process. */
  concurrency: 5,
  /** Receiver wait per request, so the target, not the CPU, is the limit. */
  receiverDelayMs: 100,
});

/**
 * Runs end-to-end delivery and the baseline for 1, 2 and 4 worker
 * processes of {@link SCALING_SETUP.concurrency} against a receiver that
 * waits {@link SCALING_SETUP.receiverDelayMs} per request. The ideal rate
 * is workers × concurrency × 1000 / delay per second.
 */
export async function measureScaling(
  context: ScenarioContext,
  onStep: (step: ScalingStep) => void,
): Promise<ScalingStep[]> {
  const steps: ScalingStep[] = [];
  const previousDelayMs = context.options.receiverDelayMs;
  context.receiver.setDelayMs(SCALING_SETUP.receiverDelayMs);
  try {
    for (const workers of SCALING_SETUP.workerCounts) {
      const step = {
        signals: context.options.scalingSignals,
        workers,
        concurrency: SCALING_SETUP.concurrency,
        round: 1,
      };
      const signalpost = await measureEndToEnd(context, {
        ...step,
        step: `scaling-${workers}`,
      });
      const baseline = await measureBaseline(context, {
        ...step,
        step: `scaling-baseline-${workers}`,
      });
      steps.push({ workers, signalpost, baseline });
      onStep({ workers, signalpost, baseline });
    }
  } finally {
    context.receiver.setDelayMs(previousDelayMs);
  }
  return steps;
}

/** Returns the rate that perfect scaling would reach with `workers`. */
export function idealScalingRate(workers: number): number {
  return (
    (workers * SCALING_SETUP.concurrency * 1000) / SCALING_SETUP.receiverDelayMs
  );
}
