import type { Job, Queue } from 'bullmq';
import type { Dispatcher } from 'undici';
import type { Logger } from '@signalpost/observability';
import type { MonitorMetrics } from '../monitor-metrics';
import { readCheckJobData } from '../schedule/check-job';
import { scheduledAtMs } from '../schedule/scheduler-job-id';
import { enqueueHealthSignal } from '../signals/enqueue-health-signal';
import {
  buildHealthSignal,
  intervalStartMs,
  type HealthSignal,
} from '../signals/health-signal';
import { checkService, type CheckResult } from './check-service';

/** Dependencies of {@link runCheck}. */
export interface CheckDependencies {
  readonly logger: Logger;
  readonly metrics: MonitorMetrics;
  readonly signalsQueue: Queue;
  /** Deadline of one check. */
  readonly timeoutMs: number;
  readonly dispatcher: Dispatcher;
}

/**
 * Runs one scheduled check: sends the GET, then enqueues the signal that
 * reports it into the signals queue. Safe to run twice for one interval,
 * because the signal's job id is derived from the service and interval.
 */
export async function runCheck(
  dependencies: CheckDependencies,
  job: Job,
): Promise<CheckResult> {
  const data = readCheckJobData(job.data);
  const startMs = intervalStartMs(scheduledAtMs(job), data.intervalMs);
  const outcome = await checkService(data.url, {
    timeoutMs: dependencies.timeoutMs,
    dispatcher: dependencies.dispatcher,
  });
  dependencies.metrics.checks.inc({ result: outcome.result });

  const signal = buildHealthSignal({
    service: data.service,
    url: data.url,
    intervalStartMs: startMs,
    outcome,
    finishedAt: new Date(),
  });
  await enqueueHealthSignal(dependencies.signalsQueue, signal, startMs);
  logOutcome(dependencies.logger, signal);
  return outcome.result;
}

function logOutcome(logger: Logger, signal: HealthSignal): void {
  const fields = { signalId: signal.id, ...signal.data };
  if (signal.type === 'health.service.healthy') {
    logger.debug(fields, 'service healthy');
  } else if (signal.type === 'health.service.degraded') {
    logger.warn(fields, 'service degraded');
  } else {
    logger.warn(fields, 'service unhealthy');
  }
}
