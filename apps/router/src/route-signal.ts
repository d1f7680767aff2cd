import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import { FixedWindowCounter } from '@signalpost/delivery-policy';
import {
  targetLabels,
  type Logger,
  type Metrics,
} from '@signalpost/observability';
import {
  DEFAULT_DEAD_LETTER_QUEUE,
  deliveryId,
  type DeliveryJobData,
  type RedisKeys,
} from '@signalpost/queues';
import {
  identityHash,
  parseSignal,
  webhookId,
  webhookIdOfIdentity,
  type Signal,
} from '@signalpost/signal';
import {
  createDeliveries,
  deliveryInfoOf,
  type DeadLetterStore,
  type DeliveryStore,
  type RoutingStore,
  type SignalStore,
  type SubscriptionStore,
  type TargetRef,
} from '@signalpost/store';
import type { Subscription, Target } from '@signalpost/subscriptions';
import {
  ExpressionCache,
  evaluateFilter,
  evaluateKey,
} from '@signalpost/transforms';
import type { EnqueueBatcher } from './enqueue-batcher';
import type { SubscriptionCache } from './subscription-cache';

/** Services the router shares across signal jobs. */
export interface RouterDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly keys: RedisKeys;
  readonly cache: SubscriptionCache;
  readonly subscriptions: SubscriptionStore;
  readonly signals: SignalStore;
  readonly routing: RoutingStore;
  readonly deliveries: DeliveryStore;
  readonly deadLetters: DeadLetterStore;
  readonly deliveriesQueue: Queue;
  /** Enqueues the deliveries of concurrent routings in one call. */
  readonly enqueuer: EnqueueBatcher;
  readonly throttles: FixedWindowCounter;
  readonly expressions: ExpressionCache;
  /** `SIGNALPOST_METRICS_TARGET_LABELS`. */
  readonly metricsTargetLabels: boolean;
}

/** A signal to route: a job of the signals queue, or one signal of a batch. */
export interface SignalJob {
  /** Job id the signal routes under; its delivery ids derive from it. */
  readonly id: string;
  /** The signal as enqueued, not yet validated. */
  readonly data: unknown;
  /** Unix ms when the signal was accepted. */
  readonly timestamp: number;
}

/** The router's verdict on one signal job. */
export type RouteResult =
  | 'matched'
  | 'unmatched'
  | 'filtered'
  | 'duplicate'
  | 'already_routed'
  | 'invalid';

/**
 * Routes one job of the signals queue: validates the signal as strictly as
 * the API, drops duplicates of a `(source, id)`, matches subscriptions, and
 * creates one delivery per target. Safe to run twice for one job.
 */
export async function routeSignal(
  dependencies: RouterDependencies,
  job: SignalJob,
): Promise<RouteResult> {
  const jobId = job.id;
  const parsed = parseSignal(job.data, {
    newId: () => `bullmq-${jobId}`,
    now: () => new Date(job.timestamp),
  });
  if (!parsed.ok) {
    await deadLetterInvalidJob(
      dependencies,
      job,
      parsed.issues
        .map((issue) => `${issue.path}: ${issue.message}`)
        .join('; '),
    );
    return 'invalid';
  }
  const signal = parsed.signal;
  const identity = identityHash(signal.source, signal.id);
  const matched = dependencies.cache.match(signal.type);
  const passed = await applyFilters(dependencies, matched, signal);
  const result: RouteResult =
    matched.length === 0
      ? 'unmatched'
      : passed.length === 0
        ? 'filtered'
        : 'matched';
  if (!passed.some(hasThrottle))
    return routeInOneCall(dependencies, job, signal, identity, passed, result);

  const claim = await dependencies.signals.claim(
    { signal, identity, jobId },
    new Date(job.timestamp),
  );
  if (typeof claim === 'object') return 'duplicate';
  if (claim === 'routed') return 'already_routed';

  const { created, skipped } = await createFor(
    dependencies,
    passed,
    signal,
    identity,
    jobId,
    job.timestamp,
  );

  await dependencies.signals.markSkipped(identity, skipped);
  await dependencies.signals.markRouted(
    identity,
    stateOf(result),
    created,
    new Date(),
  );
  dependencies.metrics.signalsRouted.inc({ result });
  return result;
}

/**
 * Routes a signal whose targets have no throttle. One script claims it,
 * creates its deliveries and records the result, then the pending
 * deliveries are enqueued. A throttle is counted between the claim and the
 * creation, so a signal with one takes separate calls.
 */
async function routeInOneCall(
  dependencies: RouterDependencies,
  job: SignalJob,
  signal: Signal,
  identity: string,
  passed: readonly Subscription[],
  result: RouteResult,
): Promise<RouteResult> {
  const jobId = job.id;
  const jobs: DeliveryJobData[] = [];
  const now = Date.now();
  const webhook = webhookIdOfIdentity(identity);
  // Targets disabled by a 410. They are counted only when the routing
  // script shows that this job routes the signal for the first time.
  const skipped: TargetRef[] = [];
  for (const subscription of passed) {
    for (const target of subscription.dispatch) {
      if (target.disabled) {
        skipped.push({ subscriptionId: subscription.id, targetId: target.id });
        continue;
      }
      jobs.push({
        deliveryId: deliveryId(jobId, subscription.id, target.id),
        signal,
        signalIdentity: identity,
        subscriptionId: subscription.id,
        targetId: target.id,
        webhookId: webhook,
        createdAtMs: now,
        acceptedAtMs: job.timestamp,
      });
    }
  }
  const outcome = await dependencies.routing.route(
    { signal, identity, jobId, receivedAt: new Date(job.timestamp) },
    stateOf(result),
    jobs.map(deliveryInfoOf),
    new Date(),
  );
  if (outcome.kind === 'duplicate') return 'duplicate';

  // Before the enqueue, so that a job re-run after a failure writes it too.
  await dependencies.signals.markSkipped(identity, skipped);
  const pending = new Set(outcome.pending);
  await dependencies.enqueuer.enqueue(
    jobs.filter((item) => pending.has(item.deliveryId)),
  );
  if (outcome.kind === 'routed') return 'already_routed';
  for (const { subscriptionId, targetId } of skipped)
    countDisabledSkip(dependencies, subscriptionId, targetId);
  dependencies.metrics.deliveriesCreated.inc(jobs.length);
  dependencies.metrics.signalsRouted.inc({ result });
  return result;
}

/** Counts a delivery left out because a 410 Gone disabled its target. */
function countDisabledSkip(
  dependencies: RouterDependencies,
  subscriptionId: string,
  targetId: string,
): void {
  dependencies.metrics.disabledTargetSkips.inc(
    targetLabels(dependencies.metricsTargetLabels, subscriptionId, targetId),
  );
}

function hasThrottle(subscription: Subscription): boolean {
  return subscription.dispatch.some(
    (target) => !target.disabled && target.throttle !== undefined,
  );
}

function stateOf(result: RouteResult): 'routed' | 'unmatched' | 'filtered' {
  if (result === 'unmatched' || result === 'filtered') return result;
  return 'routed';
}

/**
 * Keeps the subscriptions whose filter is true. A filter that fails at run
 * time counts as not matched, and is logged.
 */
async function applyFilters(
  dependencies: RouterDependencies,
  subscriptions: readonly Subscription[],
  signal: Signal,
): Promise<Subscription[]> {
  const passed: Subscription[] = [];
  for (const subscription of subscriptions) {
    if (subscription.filter === undefined) {
      passed.push(subscription);
      continue;
    }
    const key = `${subscription.id}@${subscription.version}:filter`;
    try {
      const compiled = dependencies.expressions.getOrCompile(
        key,
        subscription.filter,
        'filter',
      );
      if (await evaluateFilter(compiled, signal)) passed.push(subscription);
    } catch (error) {
      dependencies.logger.warn(
        { err: error, subscriptionId: subscription.id, signalId: signal.id },
        'filter failed; signal not routed to this subscription',
      );
    }
  }
  return passed;
}

/**
 * Creates the deliveries of every target; throttled ones end at once.
 * Returns their ids and the targets skipped because they are disabled.
 */
async function createFor(
  dependencies: RouterDependencies,
  subscriptions: readonly Subscription[],
  signal: Signal,
  identity: string,
  signalJobId: string,
  acceptedAtMs: number,
): Promise<{ created: string[]; skipped: TargetRef[] }> {
  const now = Date.now();
  const jobs: DeliveryJobData[] = [];
  const throttled: DeliveryJobData[] = [];
  const skipped: TargetRef[] = [];
  for (const subscription of subscriptions) {
    // The cache's copy carries the disabled marks: a 410 announces a change.
    for (const target of subscription.dispatch) {
      if (target.disabled) {
        countDisabledSkip(dependencies, subscription.id, target.id);
        skipped.push({ subscriptionId: subscription.id, targetId: target.id });
        continue;
      }
      const job: DeliveryJobData = {
        deliveryId: deliveryId(signalJobId, subscription.id, target.id),
        signal,
        signalIdentity: identity,
        subscriptionId: subscription.id,
        targetId: target.id,
        webhookId: webhookId(signal.source, signal.id),
        createdAtMs: now,
        acceptedAtMs,
      };
      if (await isThrottled(dependencies, subscription, target, signal))
        throttled.push(job);
      else jobs.push(job);
    }
  }
  const ids = await createDeliveries(
    dependencies.deliveries,
    dependencies.deliveriesQueue,
    jobs,
  );
  const throttledIds = await endThrottled(dependencies, throttled);
  dependencies.metrics.deliveriesCreated.inc(jobs.length + throttled.length);
  return { created: [...ids, ...throttledIds], skipped };
}

async function isThrottled(
  dependencies: RouterDependencies,
  subscription: Subscription,
  target: Target,
  signal: Signal,
): Promise<boolean> {
  const throttle = target.throttle;
  if (!throttle) return false;
  const cacheKey = `${subscription.id}@${subscription.version}:${target.id}:throttle`;
  let key = '';
  try {
    key = await evaluateKey(
      dependencies.expressions.getOrCompile(
        cacheKey,
        throttle.key,
        'throttleKey',
      ),
      signal,
    );
  } catch (error) {
    dependencies.logger.warn(
      { err: error, subscriptionId: subscription.id },
      'throttle key failed; using ""',
    );
  }
  const keyHash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  const windowKey = dependencies.keys.throttle(
    `${subscription.id}#${target.id}`,
    keyHash,
  );
  const hit = await dependencies.throttles.hit(
    windowKey,
    throttle.maxCalls,
    throttle.windowMs,
  );
  return !hit.allowed;
}

async function endThrottled(
  dependencies: RouterDependencies,
  jobs: readonly DeliveryJobData[],
): Promise<string[]> {
  if (jobs.length === 0) return [];
  await dependencies.deliveries.create(
    jobs.map((job) => ({
      id: job.deliveryId,
      signalId: job.signal.id,
      source: job.signal.source,
      signalIdentity: job.signalIdentity,
      subscriptionId: job.subscriptionId,
      targetId: job.targetId,
      createdAt: new Date(job.createdAtMs).toISOString(),
    })),
  );
  for (const job of jobs) {
    if (
      await dependencies.deliveries.finalize(
        job.deliveryId,
        'throttled',
        'throttle window full',
      )
    ) {
      dependencies.logger.info(
        {
          signalId: job.signal.id,
          deliveryId: job.deliveryId,
          subscriptionId: job.subscriptionId,
          targetId: job.targetId,
          attempt: 0,
        },
        'delivery throttled',
      );
      dependencies.metrics.deliveries.inc({
        outcome: 'throttled',
        ...targetLabels(
          dependencies.metricsTargetLabels,
          job.subscriptionId,
          job.targetId,
        ),
      });
    }
  }
  return jobs.map((job) => job.deliveryId);
}

/** Dead-letters a job whose data is not a valid signal (`invalid_job`). */
export async function deadLetterInvalidJob(
  dependencies: RouterDependencies,
  job: SignalJob,
  message: string,
): Promise<void> {
  const jobId = job.id;
  const entryId = `dl_sig_${createHash('sha256').update(jobId).digest('base64url').slice(0, 22)}`;
  const data = job.data as Record<string, unknown> | null;
  await dependencies.deadLetters.add({
    id: entryId,
    queue: DEFAULT_DEAD_LETTER_QUEUE,
    kind: 'signal',
    signalId: typeof data?.id === 'string' ? data.id : null,
    subscriptionId: null,
    targetId: null,
    deliveryId: null,
    reason: 'invalid_job',
    message: `invalid signal in job ${jobId}: ${message}`.slice(0, 2000),
    attempts: 0,
    signal: job.data as unknown,
    target: null,
    createdAt: new Date().toISOString(),
  });
  dependencies.logger.warn(
    { jobId, reason: 'invalid_job' },
    'invalid signal job dead-lettered',
  );
}
