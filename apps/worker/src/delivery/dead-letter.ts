import type { DeliveryJobData } from '@signalpost/queues';
import { DEFAULT_DEAD_LETTER_QUEUE } from '@signalpost/queues';
import type { DeadLetterReason } from '@signalpost/store';
import {
  toPublicSubscription,
  type Subscription,
  type Target,
} from '@signalpost/subscriptions';
import { targetLabels } from '@signalpost/observability';
import type { WorkerDependencies } from './worker-dependencies';

/**
 * Ends a delivery in its target's dead-letter queue, once: the entry id is
 * derived from the delivery id, and the ledger counts only the first end.
 */
export async function deadLetterDelivery(
  dependencies: WorkerDependencies,
  job: DeliveryJobData,
  reason: DeadLetterReason,
  details: {
    /** Status and duration of the last attempt, when it reached the target. */
    status?: number;
    durationMs?: number;
    target?: Target;
    subscription?: Subscription;
    attempts: number;
    message?: string;
  },
): Promise<void> {
  const queue = details.target?.deadLetterQueue ?? DEFAULT_DEAD_LETTER_QUEUE;
  await dependencies.deadLetters.add({
    id: `dl_${job.deliveryId}`,
    queue,
    kind: 'delivery',
    signalId: job.signal.id,
    subscriptionId: job.subscriptionId,
    targetId: job.targetId,
    deliveryId: job.deliveryId,
    reason,
    ...(details.message ? { message: details.message } : {}),
    attempts: details.attempts,
    signal: job.signal,
    target:
      details.target && details.subscription
        ? redactedTarget(details.subscription, details.target)
        : null,
    createdAt: new Date().toISOString(),
  });
  const changed = await dependencies.deliveries.finalize(
    job.deliveryId,
    'dead_lettered',
    reason,
    details.message,
  );
  if (!changed) return;
  const labels = targetLabels(
    dependencies.metricsTargetLabels,
    job.subscriptionId,
    job.targetId,
  );
  dependencies.metrics.deliveries.inc({ outcome: 'dead_lettered', ...labels });
  dependencies.logger.warn(
    {
      signalId: job.signal.id,
      deliveryId: job.deliveryId,
      subscriptionId: job.subscriptionId,
      targetId: job.targetId,
      attempt: details.attempts,
      status: details.status,
      durationMs: details.durationMs,
      reason,
      message: details.message,
    },
    'delivery dead-lettered',
  );
}

/** Redacts a target for an entry: secrets as `{set, kind}`, header values hidden. */
function redactedTarget(subscription: Subscription, target: Target): unknown {
  const view = toPublicSubscription({
    ...subscription,
    dispatch: [target],
  }) as { dispatch: Record<string, unknown>[] };
  const shown = { ...view.dispatch[0] };
  if (shown.headers && typeof shown.headers === 'object') {
    shown.headers = Object.fromEntries(
      Object.keys(shown.headers).map((name) => [name, '[redacted]']),
    );
  }
  return shown;
}
