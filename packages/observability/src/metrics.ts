import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

const LATENCY_BUCKETS_SEC = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800,
  7200,
];

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Refreshes the queue and circuit gauges before each scrape (API only). */
  readonly onScrape?: () => Promise<void>;
  /**
   * Adds `subscription` and `target` labels to the delivery counters
   * (`SIGNALPOST_METRICS_TARGET_LABELS`). @defaultValue false
   */
  readonly targetLabels?: boolean;
}

/**
 * The metrics of one app instance, on a registry of its own so that an app
 * built twice in one process never registers a metric twice.
 */
export function createMetrics(app: string, options: MetricsOptions = {}) {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry, prefix: 'signalpost_' });
  const registers = [registry];
  // Queue and circuit gauges are read from Redis on scrape, by the API only.
  const scrapedRegisters = options.onScrape ? registers : [];
  const withTargets = <T extends string>(
    names: readonly T[],
  ): readonly (T | 'subscription' | 'target')[] =>
    options.targetLabels ? [...names, 'subscription', 'target'] : names;
  // prom-client serialises metrics concurrently, so each scraped gauge waits
  // for one shared refresh instead of relying on another gauge's collect.
  let refreshing: Promise<void> | undefined;
  const refreshOnce = async (): Promise<void> => {
    if (!options.onScrape) return;
    refreshing ??= options.onScrape().finally(() => {
      refreshing = undefined;
    });
    await refreshing;
  };

  return {
    registry,
    signalsReceived: new Counter({
      name: 'signalpost_signals_received_total',
      help: 'Signals received by the API, by outcome (accepted, duplicate, rejected).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    signalsRouted: new Counter({
      name: 'signalpost_signals_routed_total',
      help: 'Signals handled by the router, by result (matched, unmatched, filtered).',
      labelNames: ['result'] as const,
      registers,
    }),
    deliveriesCreated: new Counter({
      name: 'signalpost_deliveries_created_total',
      help: 'Deliveries created by the router, fallbacks and replays included.',
      registers,
    }),
    disabledTargetSkips: new Counter({
      name: 'signalpost_disabled_target_skips_total',
      help: 'Deliveries the router did not create because a 410 Gone disabled their target.',
      labelNames: withTargets([] as const),
      registers,
    }),
    deliveries: new Counter({
      name: 'signalpost_deliveries_total',
      help: 'Deliveries that reached a final outcome (delivered, dead_lettered, throttled, dropped).',
      labelNames: withTargets(['outcome'] as const),
      registers,
    }),
    deliveryAttempts: new Counter({
      name: 'signalpost_delivery_attempts_total',
      help: 'Delivery attempts by result (success, http_4xx, http_5xx, timeout, connection, refused_target).',
      labelNames: withTargets(['result'] as const),
      registers,
    }),
    deliveryDeferrals: new Counter({
      name: 'signalpost_delivery_deferrals_total',
      help: 'Times a delivery was held back without an attempt, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    deliveryDuration: new Histogram({
      name: 'signalpost_delivery_duration_seconds',
      help: 'Duration of one delivery attempt.',
      buckets: LATENCY_BUCKETS_SEC,
      registers,
    }),
    endToEndLatency: new Histogram({
      name: 'signalpost_end_to_end_latency_seconds',
      help: 'Time from a signal being accepted to its delivery.',
      buckets: LATENCY_BUCKETS_SEC,
      registers,
    }),
    deliveryLag: new Histogram({
      name: 'signalpost_delivery_lag_seconds',
      help: 'Time from a delivery being due to a worker first picking it up.',
      buckets: LATENCY_BUCKETS_SEC,
      registers,
    }),
    queueJobs: new Gauge({
      name: 'signalpost_queue_jobs',
      help: 'Jobs per queue and state, read on scrape.',
      labelNames: ['queue', 'state'] as const,
      registers: scrapedRegisters,
      collect: refreshOnce,
    }),
    queueOldestWaiting: new Gauge({
      name: 'signalpost_queue_oldest_waiting_seconds',
      help: 'Age of the oldest waiting job per queue, read on scrape.',
      labelNames: ['queue'] as const,
      registers: scrapedRegisters,
      collect: refreshOnce,
    }),
    circuitState: new Gauge({
      name: 'signalpost_circuit_state',
      help: 'Circuit breaker state per origin: 0 closed, 1 half-open, 2 open.',
      labelNames: ['origin'] as const,
      registers: scrapedRegisters,
      collect: refreshOnce,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Label values for a subscription and target: their ids when
 * `SIGNALPOST_METRICS_TARGET_LABELS` is on, else none, so label cardinality
 * stays bounded by default. Pass the same flag as to {@link createMetrics}.
 */
export function targetLabels(
  enabled: boolean,
  subscriptionId: string,
  targetId: string,
): { subscription?: string; target?: string } {
  return enabled ? { subscription: subscriptionId, target: targetId } : {};
}
