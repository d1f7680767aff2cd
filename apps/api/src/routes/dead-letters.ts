import { Router } from 'express';
import { ApiError } from '@signalpost/errors';
import { derivedDeliveryId, type DeliveryJobData } from '@signalpost/queues';
import { identityHash, webhookId, type Signal } from '@signalpost/signal';
import { createDeliveries, type DeadLetterEntry } from '@signalpost/store';
import { findTarget } from '@signalpost/subscriptions';
import type { ApiContext } from '../context';
import { requireScope } from '../middleware/authenticate';
import { readPage } from './pagination';
import { startReadDeadline } from './read-deadline';

/** Listing and replay of dead-letter entries. */
export function deadLettersRouter(context: ApiContext): Router {
  const router = Router();
  const keys = context.config.apiKeys;

  router.get(
    '/',
    requireScope('signals:read', keys),
    async (request, response) => {
      const { limit, cursor } = readPage(request);
      if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) {
        throw new ApiError(
          'validation_failed',
          'cursor must be a value returned as nextCursor',
          {
            details: [
              {
                path: 'cursor',
                message: 'expected the nextCursor of a previous page',
              },
            ],
          },
        );
      }
      const queue =
        typeof request.query.queue === 'string'
          ? request.query.queue
          : undefined;
      const subscription =
        typeof request.query.subscription === 'string'
          ? request.query.subscription
          : undefined;
      const within = startReadDeadline();
      const page = await within(
        context.deadLetters.list({
          limit,
          ...(cursor ? { cursor } : {}),
          ...(queue ? { queue } : {}),
          ...(subscription ? { subscriptionId: subscription } : {}),
        }),
      );
      response.json(page);
    },
  );

  router.post(
    '/:id/replay',
    requireScope('subscriptions:write', keys),
    async (request, response) => {
      const entry = await context.deadLetters.get(String(request.params.id));
      if (!entry)
        throw new ApiError(
          'not_found',
          `no dead-letter entry with id ${String(request.params.id)}`,
        );
      const deliveryId = await replay(context, entry);
      response.status(202).json({ deliveryId });
    },
  );
  return router;
}

/** Creates a new delivery of a dead-lettered one, under the same webhook-id. */
async function replay(
  context: ApiContext,
  entry: DeadLetterEntry,
): Promise<string> {
  if (
    entry.kind !== 'delivery' ||
    !entry.subscriptionId ||
    !entry.targetId ||
    !entry.deliveryId
  ) {
    throw new ApiError(
      'conflict',
      'only delivery entries can be replayed; this signal was never routed',
    );
  }
  const subscription = await context.subscriptions.get(entry.subscriptionId);
  if (!subscription) {
    throw new ApiError(
      'conflict',
      `subscription ${entry.subscriptionId} no longer exists; recreate it to replay`,
    );
  }
  // The worker would dead-letter the replay at once, so refuse it here.
  const target = findTarget(subscription, entry.targetId);
  if (!subscription.enabled) {
    throw new ApiError(
      'conflict',
      `subscription ${subscription.id} is disabled; enable it to replay`,
    );
  }
  if (!target) {
    throw new ApiError(
      'conflict',
      `target ${entry.targetId} is no longer in subscription ${subscription.id}; add it back to replay`,
    );
  }
  if (target.disabled) {
    throw new ApiError(
      'conflict',
      `target ${target.id} is disabled since ${target.disabled.at} (${target.disabled.reason}); save subscription ${subscription.id} again (PUT, or signalpost subscriptions update) to enable it, then replay`,
    );
  }
  const signal = entry.signal as Signal;
  const now = Date.now();
  const job: DeliveryJobData = {
    deliveryId: derivedDeliveryId(entry.deliveryId, 'replay', String(now)),
    signal,
    signalIdentity: identityHash(signal.source, signal.id),
    subscriptionId: entry.subscriptionId,
    targetId: entry.targetId,
    webhookId: webhookId(signal.source, signal.id),
    createdAtMs: now,
    acceptedAtMs: now,
  };
  await createDeliveries(context.deliveries, context.deliveriesQueue, [job]);
  await context.signals.addDelivery(
    job.signalIdentity,
    job.deliveryId,
    new Date(now),
  );
  await context.deadLetters.markReplayed(
    entry.id,
    job.deliveryId,
    new Date(now),
  );
  context.metrics.deliveriesCreated.inc();
  return job.deliveryId;
}
