import type { DeliveryJobData } from '@signalpost/queues';
import type { Target } from '@signalpost/subscriptions';
import type { WorkerDependencies } from '../delivery/worker-dependencies';

/** Delivers to the `logger`, `console` and `noop` adapters, which always succeed. */
export async function deliverLocally(
  dependencies: WorkerDependencies,
  target: Exclude<Target, { adapter: 'webhook' }>,
  data: DeliveryJobData,
): Promise<void> {
  if (target.adapter === 'logger') {
    dependencies.logger[target.level](
      {
        signal: data.signal,
        deliveryId: data.deliveryId,
        subscriptionId: data.subscriptionId,
        targetId: target.id,
      },
      'signal',
    );
  } else if (target.adapter === 'console') {
    process.stdout.write(formatBlock(data));
  }
}

function formatBlock(data: DeliveryJobData): string {
  const { signal } = data;
  const lines = [
    `── signal ${signal.type} ──`,
    `id:      ${signal.id}`,
    `source:  ${signal.source}`,
    `time:    ${signal.time}`,
    ...(signal.subject ? [`subject: ${signal.subject}`] : []),
    `data:    ${JSON.stringify(signal.data ?? signal.data_base64 ?? null, null, 2).replace(/\n/g, '\n         ')}`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
