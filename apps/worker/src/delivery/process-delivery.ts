import { DelayedError, type Job } from 'bullmq';
import {
  CircuitOpenError,
  circuitOutcomeOf,
  decideAfterFailure,
  parseRetryAfter,
  tokenBucketParams,
  type AttemptOutcome,
  type CircuitOutcome,
  type OriginCircuitBreaker,
} from '@signalpost/delivery-policy';
import { targetLabels } from '@signalpost/observability';
import { runHooks } from '@signalpost/plugins';
import { derivedDeliveryId, type DeliveryJobData } from '@signalpost/queues';
import {
  createDeliveries,
  type AttemptLease,
  type AttemptRecord,
  type ReturnTimeRequest,
} from '@signalpost/store';
import {
  findTarget,
  type Subscription,
  type Target,
  type WebhookTarget,
} from '@signalpost/subscriptions';
import type { AttemptResult } from '../adapters/attempt-result';
import { deliverLocally } from '../adapters/local-adapters';
import { buildRequest, TransformFailedError } from './build-request';
import { deadLetterDelivery } from './dead-letter';
import { delayPastHorizon, MAX_SCHEDULED_MS } from './hold-horizon';
import { SecretUnavailableError } from './resolve-secrets';
import type { WorkerDependencies } from './worker-dependencies';

/** Thrown to let BullMQ retry after the delay the retry policy chose. */
export class RetryLaterError extends Error {
  constructor(
    readonly delayMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/**
 * Spread of the release of deliveries held behind an open circuit, so they
 * reach the half-open circuit a few at a time, not all at once.
 */
const CIRCUIT_RELEASE_SPREAD_MS = 2_000;

/**
 * Handles one attempt of a delivery: checks that its subscription and target
 * still exist, delays it while a limit applies, sends it, records the
 * attempt, and either ends it or throws {@link RetryLaterError}.
 */
export async function processDelivery(
  dependencies: WorkerDependencies,
  job: Job<DeliveryJobData>,
  token?: string,
): Promise<string> {
  const data = job.data;
  const attempt = job.attemptsMade + 1;
  observeLag(dependencies, job);

  const quick = await tryQuickStart(dependencies, data);
  if (quick && 'lease' in quick) {
    const { subscription, target, leaseKey, breaker, returnTime } = quick;
    return attemptWithLease(
      dependencies,
      job,
      token,
      { subscription, target, attempt, leaseKey, breaker, returnTime },
      quick.lease,
    );
  }
  const read = quick ?? (await readSubscription(dependencies, data));
  if ('ended' in read) return read.ended;
  const subscription = read.subscription;
  if (!subscription) {
    await deadLetterDelivery(dependencies, data, 'subscription_deleted', {
      attempts: job.attemptsMade,
    });
    return 'dead_lettered';
  }
  const target = findTarget(subscription, data.targetId);
  if (!subscription.enabled || !target) {
    const reason = target ? 'subscription_disabled' : 'subscription_deleted';
    await deadLetterDelivery(dependencies, data, reason, {
      subscription,
      ...(target ? { target } : {}),
      attempts: job.attemptsMade,
    });
    return 'dead_lettered';
  }
  if (target.disabled) {
    const message = `target disabled since ${target.disabled.at}: ${target.disabled.reason}`;
    await deadLetterDelivery(dependencies, data, 'gone', {
      subscription,
      target,
      attempts: job.attemptsMade,
      message,
    });
    return 'dead_lettered';
  }
  const decision = await runHooks(dependencies.hooks, {
    signal: data.signal,
    deliveryId: data.deliveryId,
    subscriptionId: data.subscriptionId,
    targetId: data.targetId,
    attempt,
  });
  if (decision.action === 'drop')
    return drop(dependencies, data, attempt, decision.reason);
  if (decision.action === 'delay')
    await hold(dependencies, job, token, decision.delayMs, 'hook_delay');

  if (target.adapter !== 'webhook') {
    await deliverLocally(dependencies, target, data);
    await markDelivered(dependencies, data, attempt, undefined);
    return 'delivered';
  }
  return deliverWebhook(
    dependencies,
    job,
    token,
    subscription,
    target,
    attempt,
  );
}

/**
 * Reads the state and takes the lease in one round trip when this worker's
 * copy of the subscription is current and shows no check is due first: an
 * enabled webhook target, no rate limit, no hooks, not expired.
 * Returns undefined when the copy rules this out, the lease when taken,
 * and otherwise what {@link readSubscription} returns.
 */
async function tryQuickStart(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
): Promise<
  | undefined
  | { ended: string }
  | { subscription: Subscription | null }
  | ({
      subscription: Subscription;
      target: WebhookTarget;
      lease: AttemptLease;
    } & AttemptResources)
> {
  if (dependencies.hooks.length > 0) return undefined;
  const copies = dependencies.subscriptionCopies;
  const version = copies.versionOf(data.subscriptionId);
  if (version === undefined) return undefined;
  const subscription = copies.get(data.subscriptionId, version);
  if (!subscription?.enabled) return undefined;
  const target = findTarget(subscription, data.targetId);
  if (
    target?.adapter !== 'webhook' ||
    target.disabled ||
    target.rateLimit ||
    Date.now() > giveUpAt(data, target)
  )
    return undefined;

  const resources = attemptResources(dependencies, data, target);
  const start = await dependencies.attempts.beginAndStart(
    data.deliveryId,
    data.subscriptionId,
    version,
    {
      leaseKey: resources.leaseKey,
      limit: target.maxInFlight,
      leaseMs: leaseMsOf(target),
      breakerKey: resources.breaker.keys.breaker,
      returnTime: resources.returnTime,
    },
  );
  if (start.ended) return { ended: start.state };
  if (start.lease)
    return {
      subscription,
      target,
      lease: start.lease,
      leaseKey: resources.leaseKey,
      breaker: resources.breaker,
      returnTime: resources.returnTime,
    };
  if (start.subscription === undefined) return undefined;
  copies.set(data.subscriptionId, start.version, start.subscription);
  return { subscription: start.subscription };
}

/**
 * Reads the delivery's state and its subscription in one round trip,
 * reusing this worker's copy of the subscription while it is current.
 */
async function readSubscription(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
): Promise<{ ended: string } | { subscription: Subscription | null }> {
  const copies = dependencies.subscriptionCopies;
  const id = data.subscriptionId;
  let known = copies.versionOf(id);
  for (;;) {
    const start = await dependencies.attempts.begin(data.deliveryId, id, known);
    if (start.ended) return { ended: start.state };
    if (start.subscription !== undefined) {
      copies.set(id, start.version, start.subscription);
      return { subscription: start.subscription };
    }
    const copy = copies.get(id, start.version);
    if (copy) return { subscription: copy };
    // Another attempt replaced the copy meanwhile, so read it in full.
    known = undefined;
  }
}

async function deliverWebhook(
  dependencies: WorkerDependencies,
  job: Job<DeliveryJobData>,
  token: string | undefined,
  subscription: Subscription,
  target: WebhookTarget,
  attempt: number,
): Promise<string> {
  const data = job.data;
  if (Date.now() > data.createdAtMs + target.retry.giveUpAfterMs) {
    const message = `gave up ${target.retry.giveUpAfterMs} ms after the delivery was created`;
    await deadLetterDelivery(dependencies, data, 'expired', {
      subscription,
      target,
      attempts: job.attemptsMade,
      message,
    });
    return 'dead_lettered';
  }
  await holdIfLimited(dependencies, job, token, target);

  const resources = attemptResources(dependencies, data, target);
  const lease = await dependencies.attempts.start(
    data.deliveryId,
    resources.leaseKey,
    target.maxInFlight,
    leaseMsOf(target),
    resources.breaker.keys.breaker,
    resources.returnTime,
  );
  return attemptWithLease(
    dependencies,
    job,
    token,
    { subscription, target, attempt, ...resources },
    lease,
  );
}

/** Keys and breaker an attempt needs to take a lease and pass the circuit. */
interface AttemptResources {
  readonly leaseKey: string;
  readonly breaker: OriginCircuitBreaker;
  /** The return time the attempt reserves if no lease is free. */
  readonly returnTime: ReturnTimeRequest;
}

function attemptResources(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  target: WebhookTarget,
): AttemptResources {
  const leaseKey = dependencies.keys.inFlight(target.id);
  return {
    leaseKey,
    breaker: dependencies.breakers.forUrl(target.url, target.circuitBreaker),
    returnTime: returnTimeOf(dependencies, data, target, leaseKey),
  };
}

/**
 * Returns the return time an attempt that finds no lease free reserves:
 * the next of the target's schedule, shared by every worker, with this
 * worker's view of the spacing once it has seen a lease end.
 */
function returnTimeOf(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  target: WebhookTarget,
  leaseKey: string,
): ReturnTimeRequest {
  const spacingMs = dependencies.inFlightHolds.spacing(
    leaseKey,
    target.maxInFlight,
  );
  return {
    scheduleKey: dependencies.keys.holdSchedule(target.id),
    spacingMs: spacingMs ?? 0,
    horizonMs: scheduleHorizonOf(data, target),
  };
}

/**
 * Returns how far ahead a held delivery may be given a return time: the
 * schedule's horizon, or the delivery's give-up time where that is
 * sooner, since it ends by then.
 */
function scheduleHorizonOf(
  data: DeliveryJobData,
  target: WebhookTarget,
): number {
  const untilGiveUpMs = giveUpAt(data, target) - Date.now();
  return Math.max(1, Math.min(MAX_SCHEDULED_MS, untilGiveUpMs));
}

/** Returns the in-flight lease time: the request's timeout plus a margin. */
function leaseMsOf(target: WebhookTarget): number {
  return target.timeoutMs + 5_000;
}

/**
 * Sends the attempt if the lease was granted, else holds the delivery
 * back. Releases the lease unless recording the attempt did.
 */
async function attemptWithLease(
  dependencies: WorkerDependencies,
  job: Job<DeliveryJobData>,
  token: string | undefined,
  attemptInfo: {
    readonly subscription: Subscription;
    readonly target: WebhookTarget;
    readonly attempt: number;
  } & AttemptResources,
  lease: AttemptLease,
): Promise<string> {
  const data = job.data;
  if (!lease.acquired) {
    await hold(
      dependencies,
      job,
      token,
      inFlightHoldDelay(dependencies, attemptInfo, lease),
      'max_in_flight',
      giveUpAt(data, attemptInfo.target),
    );
  }
  dependencies.inFlightHolds.leased(attemptInfo.leaseKey);
  const leasedAtMs = performance.now();
  const attemptContext: AttemptContext = {
    subscription: attemptInfo.subscription,
    target: attemptInfo.target,
    attempt: attemptInfo.attempt,
    leaseKey: attemptInfo.leaseKey,
    breaker: attemptInfo.breaker,
    circuitClosed: lease.circuitClosed,
    leaseReleased: false,
    sent: false,
  };
  try {
    return await sendAndRecord(dependencies, job, token, attemptContext);
  } finally {
    if (!attemptContext.leaseReleased)
      await dependencies.inFlight
        .release(attemptInfo.leaseKey, data.deliveryId)
        .catch(() => undefined);
    dependencies.inFlightHolds.released(
      attemptInfo.leaseKey,
      attemptContext.sent ? performance.now() - leasedAtMs : undefined,
    );
  }
}

/**
 * Returns the delay of a delivery held back by its target's `maxInFlight`:
 * until the return time that the start script reserved, else a delay of
 * this worker's own while no spacing is known.
 */
function inFlightHoldDelay(
  dependencies: WorkerDependencies,
  attemptInfo: AttemptResources,
  lease: AttemptLease,
): number {
  const delayMs = lease.returnDelayMs;
  if (delayMs === undefined)
    return dependencies.inFlightHolds.unpacedDelay(attemptInfo.leaseKey);
  return Number.isFinite(delayMs) ? delayMs : delayPastHorizon(0);
}

/** One attempt of a webhook delivery that holds its in-flight lease. */
interface AttemptContext {
  readonly subscription: Subscription;
  readonly target: WebhookTarget;
  readonly attempt: number;
  readonly leaseKey: string;
  readonly breaker: OriginCircuitBreaker;
  /** Whether Redis reported the circuit closed as the lease was taken. */
  readonly circuitClosed: boolean;
  /** Set once a script has released the lease. */
  leaseReleased: boolean;
  /** Set once the request went out, or failed to, under the lease. */
  sent: boolean;
}

async function sendAndRecord(
  dependencies: WorkerDependencies,
  job: Job<DeliveryJobData>,
  token: string | undefined,
  context: AttemptContext,
): Promise<string> {
  const { subscription, target, attempt } = context;
  const data = job.data;
  let request;
  try {
    request = await buildRequest(
      dependencies,
      data,
      target,
      subscription.version,
    );
  } catch (error) {
    if (error instanceof TransformFailedError) {
      await deadLetterDelivery(dependencies, data, 'transform_failed', {
        subscription,
        target,
        attempts: job.attemptsMade,
        message: error.message,
      });
      return 'dead_lettered';
    }
    if (error instanceof SecretUnavailableError)
      return failAttempt(
        dependencies,
        job,
        subscription,
        target,
        attempt,
        secretFailure(error),
      );
    throw error;
  }

  const outbound = {
    url: target.url,
    method: target.method,
    headers: request.headers,
    body: request.body,
    timeoutMs: target.timeoutMs,
  };
  let result: AttemptResult;
  try {
    result = await context.breaker.fire(
      () => {
        context.sent = true;
        return dependencies.webhooks.send(outbound);
      },
      circuitOutcomeOfResult,
      undefined,
      { knownClosed: context.circuitClosed },
    );
  } catch (error) {
    if (!(error instanceof CircuitOpenError)) throw error;
    // The fallback fires at the first of "circuit open" and "retries exhausted".
    await sendFallback(dependencies, data, target);
    const delayMs =
      error.retryAfterMs + Math.random() * CIRCUIT_RELEASE_SPREAD_MS;
    return hold(
      dependencies,
      job,
      token,
      delayMs,
      'circuit_open',
      giveUpAt(data, target),
    );
  }
  if (result.abortedByShutdown) {
    await hold(dependencies, job, token, 0, 'shutdown');
  }
  if (result.ok) {
    const changed = await dependencies.attempts.succeed(
      data.deliveryId,
      toAttemptRecord(attempt, result),
      context.leaseKey,
    );
    context.leaseReleased = true;
    countAttempt(dependencies, data, result);
    if (changed) countDelivered(dependencies, data, attempt, result);
    return 'delivered';
  }
  return failAttempt(dependencies, job, subscription, target, attempt, result);
}

async function failAttempt(
  dependencies: WorkerDependencies,
  job: Job<DeliveryJobData>,
  subscription: Subscription,
  target: WebhookTarget,
  attempt: number,
  result: AttemptResult,
): Promise<string> {
  const data = job.data;
  await dependencies.deliveries.addAttempt(
    data.deliveryId,
    toAttemptRecord(attempt, result),
  );
  countAttempt(dependencies, data, result);

  const retryAfterMs = readRetryAfter(dependencies, data, result);
  const decision = decideAfterFailure(target.retry, {
    attempt,
    outcome: toOutcome(result),
    retryAfterMs,
    createdAtMs: data.createdAtMs,
    nowMs: Date.now(),
  });
  logAttempt(dependencies, data, attempt, result, decision.action);

  if (decision.action === 'retry') {
    const nextAttemptAt = new Date(Date.now() + decision.delayMs);
    await dependencies.deliveries.setState(data.deliveryId, 'scheduled', {
      nextAttemptAt,
      reason: describe(result),
    });
    throw new RetryLaterError(decision.delayMs, describe(result));
  }
  if (decision.reason === 'gone') {
    const at = new Date().toISOString();
    await dependencies.subscriptions.disableTarget(subscription.id, target.id, {
      at,
      reason: 'target responded 410 Gone',
    });
  }
  if (decision.reason === 'retries_exhausted')
    await sendFallback(dependencies, data, target);
  await deadLetterDelivery(dependencies, data, decision.reason, {
    subscription,
    target,
    attempts: attempt,
    status: result.statusCode,
    durationMs: result.durationMs,
    message: describe(result),
  });
  return 'dead_lettered';
}

/** Holds the delivery back without an attempt while its rate limit is spent. */
async function holdIfLimited(
  dependencies: WorkerDependencies,
  job: Job<DeliveryJobData>,
  token: string | undefined,
  target: WebhookTarget,
): Promise<void> {
  const rateLimit = target.rateLimit;
  if (!rateLimit) return;
  const key = dependencies.keys.bucket(rateLimit.key ?? target.id);
  const taken = await dependencies.buckets.take(
    key,
    tokenBucketParams(rateLimit),
    1,
    { scheduleHorizonMs: scheduleHorizonOf(job.data, target) },
  );
  if (!taken.granted) {
    // Every worker takes slots from one schedule kept with the bucket, so
    // the held deliveries of a backlog come back one token apart rather
    // than all at the next token.
    const delayMs = taken.slotDelayMs ?? delayPastHorizon(taken.retryAfterMs);
    await hold(
      dependencies,
      job,
      token,
      delayMs,
      'rate_limited',
      giveUpAt(job.data, target),
    );
  }
}

/**
 * Moves the job back to BullMQ's delayed set and frees the worker slot.
 * A `DelayedError` makes BullMQ count no attempt. Always throws.
 */
async function hold(
  dependencies: WorkerDependencies,
  job: Job<DeliveryJobData>,
  token: string | undefined,
  delayMs: number,
  reason:
    | 'rate_limited'
    | 'max_in_flight'
    | 'circuit_open'
    | 'hook_delay'
    | 'shutdown',
  giveUpAtMs?: number,
): Promise<never> {
  // A held delivery comes back by its give-up time at the latest, so it
  // ends `expired` on time instead of waiting out, say, an open circuit.
  const capMs =
    giveUpAtMs === undefined
      ? Infinity
      : Math.max(0, giveUpAtMs - Date.now()) + 1;
  const until = Date.now() + Math.min(Math.max(0, Math.round(delayMs)), capMs);
  if (reason !== 'shutdown') {
    dependencies.metrics.deliveryDeferrals.inc({ reason });
    await dependencies.deliveries.setState(job.data.deliveryId, 'scheduled', {
      nextAttemptAt: new Date(until),
      reason,
    });
  } else {
    await dependencies.deliveries.setState(job.data.deliveryId, 'pending', {
      reason: 'handed back at worker shutdown',
    });
  }
  await job.moveToDelayed(until, token);
  throw new DelayedError();
}

/** Unix ms after which a delivery to this target ends `expired`. */
function giveUpAt(data: DeliveryJobData, target: WebhookTarget): number {
  return data.createdAtMs + target.retry.giveUpAfterMs;
}

async function drop(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  attempt: number,
  reason: string | undefined,
): Promise<string> {
  const changed = await dependencies.deliveries.finalize(
    data.deliveryId,
    'dropped',
    reason ?? 'dropped by a plugin hook',
  );
  if (changed) {
    const labels = targetLabels(
      dependencies.metricsTargetLabels,
      data.subscriptionId,
      data.targetId,
    );
    dependencies.metrics.deliveries.inc({ outcome: 'dropped', ...labels });
    dependencies.logger.info(
      {
        signalId: data.signal.id,
        deliveryId: data.deliveryId,
        subscriptionId: data.subscriptionId,
        targetId: data.targetId,
        attempt,
        reason,
      },
      'delivery dropped by a hook',
    );
  }
  return 'dropped';
}

async function sendFallback(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  target: Target,
): Promise<void> {
  if (!target.fallback || data.fallbackOf) return;
  const fallback: DeliveryJobData = {
    ...data,
    deliveryId: derivedDeliveryId(data.deliveryId, 'fallback'),
    targetId: target.fallback.id,
    createdAtMs: Date.now(),
    fallbackOf: data.deliveryId,
  };
  await createDeliveries(
    dependencies.deliveries,
    dependencies.deliveriesQueue,
    [fallback],
  );
  await dependencies.signals.addDelivery(
    data.signalIdentity,
    fallback.deliveryId,
    new Date(),
  );
  dependencies.metrics.deliveriesCreated.inc();
}

async function markDelivered(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  attempt: number,
  result: AttemptResult | undefined,
): Promise<void> {
  const changed = await dependencies.deliveries.finalize(
    data.deliveryId,
    'delivered',
  );
  if (changed) countDelivered(dependencies, data, attempt, result);
}

function countDelivered(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  attempt: number,
  result: AttemptResult | undefined,
): void {
  dependencies.metrics.deliveries.inc(
    withTargetLabels(dependencies, data, { outcome: 'delivered' }),
  );
  dependencies.metrics.endToEndLatency.observe(
    Math.max(0, Date.now() - data.acceptedAtMs) / 1000,
  );
  // The check skips building the line's object when the level drops it.
  if (!dependencies.logger.isLevelEnabled('info')) return;
  dependencies.logger.info(
    {
      signalId: data.signal.id,
      deliveryId: data.deliveryId,
      subscriptionId: data.subscriptionId,
      targetId: data.targetId,
      attempt,
      status: result?.statusCode,
      durationMs: result?.durationMs,
    },
    'delivery delivered',
  );
}

function logAttempt(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  attempt: number,
  result: AttemptResult,
  action: string,
): void {
  dependencies.logger.info(
    {
      signalId: data.signal.id,
      deliveryId: data.deliveryId,
      subscriptionId: data.subscriptionId,
      targetId: data.targetId,
      attempt,
      status: result.statusCode,
      durationMs: result.durationMs,
      errorClass: result.errorClass,
      next: action,
    },
    'delivery attempt failed',
  );
}

function countAttempt(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  result: AttemptResult,
): void {
  dependencies.metrics.deliveryAttempts.inc(
    withTargetLabels(dependencies, data, {
      result: attemptResultLabel(result),
    }),
  );
  dependencies.metrics.deliveryDuration.observe(result.durationMs / 1000);
}

/**
 * Adds the subscription and target labels to `labels` when
 * `SIGNALPOST_METRICS_TARGET_LABELS` is on, without a spread per delivery.
 */
function withTargetLabels<Labels extends Record<string, string>>(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  labels: Labels,
): Labels & { subscription?: string; target?: string } {
  if (!dependencies.metricsTargetLabels) return labels;
  return Object.assign(labels, {
    subscription: data.subscriptionId,
    target: data.targetId,
  });
}

/** Classifies an attempt for the circuit; 4xx and 429 responses count for nothing. */
function circuitOutcomeOfResult(result: AttemptResult): CircuitOutcome {
  if (result.ok) return 'success';
  if (result.abortedByShutdown) return 'ignored';
  return circuitOutcomeOf(toOutcome(result));
}

function attemptResultLabel(result: AttemptResult): string {
  if (result.ok) return 'success';
  if (result.statusCode !== undefined)
    return result.statusCode >= 500 ? 'http_5xx' : 'http_4xx';
  if (result.errorClass === 'timeout') return 'timeout';
  if (result.errorClass === 'refused_target') return 'refused_target';
  return 'connection';
}

function toOutcome(result: AttemptResult): AttemptOutcome {
  if (result.statusCode !== undefined)
    return { kind: 'http', status: result.statusCode };
  if (result.errorClass === 'timeout') return { kind: 'timeout' };
  if (result.errorClass === 'refused_target') return { kind: 'refused_target' };
  return { kind: 'connection' };
}

function readRetryAfter(
  dependencies: WorkerDependencies,
  data: DeliveryJobData,
  result: AttemptResult,
): number | undefined {
  if (
    result.retryAfter === undefined ||
    (result.statusCode !== 429 && result.statusCode !== 503)
  )
    return undefined;
  const delayMs = parseRetryAfter(result.retryAfter, new Date());
  if (delayMs === undefined) {
    dependencies.logger.warn(
      {
        deliveryId: data.deliveryId,
        retryAfter: result.retryAfter.slice(0, 64),
      },
      'unparsable Retry-After ignored',
    );
  }
  return delayMs;
}

function secretFailure(error: SecretUnavailableError): AttemptResult {
  return {
    ok: false,
    durationMs: 0,
    errorClass: 'connection',
    errorMessage: error.message,
  };
}

function describe(result: AttemptResult): string {
  if (result.statusCode !== undefined)
    return `target responded ${result.statusCode}`;
  return result.errorMessage ?? result.errorClass ?? 'attempt failed';
}

function toAttemptRecord(
  attempt: number,
  result: AttemptResult,
): AttemptRecord {
  const record: {
    -readonly [Field in keyof AttemptRecord]: AttemptRecord[Field];
  } = {
    number: attempt,
    at: new Date().toISOString(),
    durationMs: result.durationMs,
  };
  if (result.statusCode !== undefined) record.statusCode = result.statusCode;
  if (result.errorClass) record.errorClass = result.errorClass;
  if (result.errorMessage) record.errorMessage = result.errorMessage;
  if (result.responseBody) record.responseBody = result.responseBody;
  return record;
}

/**
 * Observes how long a delivery waited for a worker, at its first pickup
 * only. BullMQ keeps no due time for a job that comes back from the
 * delayed set (a hold or a retry): it resets `delay` to 0 and keeps the
 * creation `timestamp`, so that wait would count the whole hold as lag.
 */
function observeLag(
  dependencies: WorkerDependencies,
  job: Job<DeliveryJobData>,
): void {
  if (job.attemptsStarted > 1) return;
  const dueAtMs = job.timestamp + (job.delay ?? 0);
  dependencies.metrics.deliveryLag.observe(
    Math.max(0, Date.now() - dueAtMs) / 1000,
  );
}
