import { randomUUID } from 'node:crypto';
import { newSignalId } from '@signalpost/signal';
import {
  validateSubscription,
  type Subscription,
} from '@signalpost/subscriptions';
import type { ApiContext } from './context';

const LOCK_TTL_MS = 30_000;
const LOCK_WAIT_MS = 30_000;

/**
 * Applies the config file's subscriptions under a Redis lock, so several API
 * replicas starting at once apply them one at a time: creates and updates
 * each, and deletes config-managed ones no longer in the file. Throws when
 * one is invalid, naming it, so the API does not start half-configured.
 */
export async function applyConfigSubscriptions(
  context: ApiContext,
): Promise<{ applied: number; deleted: number }> {
  const declared = context.config.file.subscriptions ?? [];
  const token = randomUUID();
  await acquireLock(context, token);
  try {
    const results = await Promise.all(
      declared.map((raw, index) => validateDeclared(context, raw, index)),
    );
    for (const { subscription, changed } of results) {
      if (changed) await context.subscriptions.put(subscription);
    }
    const subscriptions = results.map((result) => result.subscription);
    const keep = new Set(subscriptions.map((subscription) => subscription.id));
    const stale = (await context.subscriptions.all()).filter(
      (subscription) =>
        subscription.managedBy === 'config' && !keep.has(subscription.id),
    );
    for (const subscription of stale)
      await context.subscriptions.delete(subscription.id);
    return { applied: subscriptions.length, deleted: stale.length };
  } finally {
    await releaseLock(context, token);
  }
}

async function validateDeclared(
  context: ApiContext,
  raw: unknown,
  index: number,
): Promise<{ subscription: Subscription; changed: boolean }> {
  const id = (raw as { id?: unknown } | null)?.id;
  if (typeof id !== 'string') {
    throw new Error(
      `subscriptions[${index}].id: subscriptions in the config file need an id`,
    );
  }
  const existing = await context.subscriptions.get(id);
  if (existing && existing.managedBy !== 'config') {
    throw new Error(
      `subscriptions[${index}]: id ${id} exists already and was created through the API`,
    );
  }
  const result = await validateSubscription(raw, {
    origin: 'config',
    allowRules: context.allowRules,
    secretsDir: context.config.secretsDir,
    transformNames: context.transformNames,
    ...(existing ? { existing } : {}),
    newId: newSignalId,
    now: () => new Date(),
  });
  if (!result.ok) {
    const summary = result.issues.map(
      (issue) => `subscriptions[${index}].${issue.path}: ${issue.message}`,
    );
    throw new Error(
      `invalid subscription in the config file: ${summary.join('; ')}`,
    );
  }
  if (existing && sameContent(existing, result.subscription))
    return { subscription: existing, changed: false };
  return { subscription: result.subscription, changed: true };
}

function sameContent(stored: Subscription, next: Subscription): boolean {
  const strip = (subscription: Subscription): string =>
    JSON.stringify({
      ...subscription,
      version: 0,
      createdAt: '',
      updatedAt: '',
    });
  return strip(stored) === strip(next);
}

async function acquireLock(context: ApiContext, token: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (Date.now() < deadline) {
    const reply = await context.redis.set(
      context.keys.configLock,
      token,
      'PX',
      LOCK_TTL_MS,
      'NX',
    );
    if (reply === 'OK') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `could not take the config lock ${context.keys.configLock} within ${LOCK_WAIT_MS} ms`,
  );
}

async function releaseLock(context: ApiContext, token: string): Promise<void> {
  const script =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
  await context.redis.eval(script, 1, context.keys.configLock, token);
}
