import path from 'node:path';
import { createMetrics } from '@signalpost/observability';
import { startProcessStack, type ProcessStack } from '../support/process-stack';
import {
  declaredMetricNames,
  parseMetricSamples,
  scrapeMetrics,
  type MetricSample,
} from '../support/prometheus-text';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const PLUGIN = path.resolve(__dirname, '../fixtures/test-plugin.ts');

/** Types and ids distinctive enough that finding one in a scrape is a leak. */
const TYPE = {
  ok: 'metrics.case.ok',
  fail: 'metrics.case.fail',
  filtered: 'metrics.case.filtered',
  none: 'metrics.case.none',
} as const;
const ID = {
  ok: 'mx-sig-ok-1',
  fail: 'mx-sig-fail-1',
  throttled: 'mx-sig-fail-2',
  filtered: 'mx-sig-filtered-1',
  none: 'mx-sig-none-1',
} as const;
const OK_TARGET = { subscription: 'mx-ok', target: 'mx-ok-target' };
const FAIL_TARGET = { subscription: 'mx-fail', target: 'mx-fail-target' };

const QUEUE_STATES = [
  'active',
  'completed',
  'delayed',
  'failed',
  'prioritized',
  'waiting',
];
const API_ONLY_METRICS = [
  'signalpost_queue_jobs',
  'signalpost_queue_oldest_waiting_seconds',
  'signalpost_circuit_state',
];
const HISTOGRAMS = [
  'signalpost_delivery_duration_seconds',
  'signalpost_end_to_end_latency_seconds',
  'signalpost_delivery_lag_seconds',
];
/** Label names each metric may carry besides the default label `app`. */
const ALLOWED_LABELS: Readonly<Record<string, readonly string[]>> = {
  signalpost_signals_received_total: ['outcome'],
  signalpost_signals_routed_total: ['result'],
  signalpost_deliveries_total: ['outcome', 'subscription', 'target'],
  signalpost_disabled_target_skips_total: ['subscription', 'target'],
  signalpost_delivery_attempts_total: ['result', 'subscription', 'target'],
  signalpost_delivery_deferrals_total: ['reason'],
  signalpost_queue_jobs: ['queue', 'state'],
  signalpost_queue_oldest_waiting_seconds: ['queue'],
  signalpost_circuit_state: ['origin'],
  signalpost_delivery_duration_seconds_bucket: ['le'],
  signalpost_end_to_end_latency_seconds_bucket: ['le'],
  signalpost_delivery_lag_seconds_bucket: ['le'],
  signalpost_delivery_duration_seconds_sum: [],
  signalpost_delivery_duration_seconds_count: [],
  signalpost_end_to_end_latency_seconds_sum: [],
  signalpost_end_to_end_latency_seconds_count: [],
  signalpost_delivery_lag_seconds_sum: [],
  signalpost_delivery_lag_seconds_count: [],
};

/** The scrapes of one run: the API's two ports, the router and the worker. */
interface Scrapes {
  readonly apiMain: string;
  readonly apiMetricsPort: string;
  readonly router: string;
  readonly worker: string;
}

describe.each<{
  mode: string;
  env: Record<string, string>;
  expectIds: boolean;
}>([
  { mode: 'off', env: {}, expectIds: false },
  {
    mode: 'on',
    env: { SIGNALPOST_METRICS_TARGET_LABELS: 'true' },
    expectIds: true,
  },
])('with per-target labels $mode', ({ env, expectIds }) => {
  let stack: ProcessStack;
  let receiver: Receiver;
  let scrapes: Scrapes;

  const labelsOf = (ids: { subscription: string; target: string }) =>
    expectIds ? ids : {};

  beforeAll(async () => {
    receiver = await startReceiver();
    receiver.answer((_index, request) =>
      request.url === '/fail' ? { status: 400 } : { status: 200 },
    );
    stack = await startProcessStack({
      env: { ...env, SIGNALPOST_PLUGINS: PLUGIN },
    });
    await runScenario(stack, receiver);
    scrapes = await scrapeSettled(stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  it('counts received signals by outcome on the API', () => {
    const samples = samplesOf(scrapes.apiMain, 'signalpost_signals_received');
    expect(valuesBy(samples, 'outcome')).toEqual({
      accepted: 5,
      duplicate: 1,
      rejected: 1,
    });
  });

  it('serves the same registry on both API ports', () => {
    const main = samplesOf(scrapes.apiMain, 'signalpost_signals_received');
    const side = samplesOf(
      scrapes.apiMetricsPort,
      'signalpost_signals_received',
    );
    expect(valuesBy(side, 'outcome')).toEqual(valuesBy(main, 'outcome'));
  });

  it('counts routed signals by result on the router', () => {
    const samples = samplesOf(scrapes.router, 'signalpost_signals_routed');
    expect(valuesBy(samples, 'result')).toEqual({
      matched: 3,
      unmatched: 1,
      filtered: 1,
    });
  });

  it('counts the delivered and dead-lettered outcomes on the worker', () => {
    const samples = samplesOf(scrapes.worker, 'signalpost_deliveries_total');
    expect(samples.map(presentLabels)).toEqual(
      expect.arrayContaining([
        { outcome: 'delivered', ...labelsOf(OK_TARGET), app: 'worker' },
        { outcome: 'dead_lettered', ...labelsOf(FAIL_TARGET), app: 'worker' },
      ]),
    );
    expect(valuesBy(samples, 'outcome')).toEqual({
      delivered: 1,
      dead_lettered: 1,
    });
  });

  it('counts the throttled outcome on the router', () => {
    const samples = samplesOf(scrapes.router, 'signalpost_deliveries_total');
    expect(valuesBy(samples, 'outcome')).toEqual({ throttled: 1 });
  });

  it('labels the throttled outcome like the others', () => {
    const samples = samplesOf(scrapes.router, 'signalpost_deliveries_total');
    expect(samples.map(presentLabels)).toEqual([
      { outcome: 'throttled', ...labelsOf(FAIL_TARGET), app: 'router' },
    ]);
  });

  it('counts attempts by result on the worker', () => {
    const samples = samplesOf(
      scrapes.worker,
      'signalpost_delivery_attempts_total',
    );
    expect(samples.map(presentLabels)).toEqual(
      expect.arrayContaining([
        { result: 'success', ...labelsOf(OK_TARGET), app: 'worker' },
        { result: 'http_4xx', ...labelsOf(FAIL_TARGET), app: 'worker' },
      ]),
    );
    expect(valuesBy(samples, 'result')).toEqual({ success: 1, http_4xx: 1 });
  });

  it('counts a hook delay as a deferral on the worker', () => {
    const samples = samplesOf(
      scrapes.worker,
      'signalpost_delivery_deferrals_total',
    );
    expect(valuesBy(samples, 'reason')).toEqual({ hook_delay: 1 });
  });

  it('observes the three histograms on the worker', () => {
    const counts = HISTOGRAMS.map(
      (name) => samplesOf(scrapes.worker, `${name}_count`)[0]?.value,
    );
    const [duration, endToEnd, lag] = counts;
    expect(duration).toBe(2);
    expect(endToEnd).toBe(1);
    // Only a delivery's first pickup counts, so the held one counts once.
    expect(lag).toBe(2);
    for (const name of HISTOGRAMS) {
      const buckets = samplesOf(scrapes.worker, `${name}_bucket`);
      expect(buckets.some((bucket) => bucket.labels.le === '+Inf')).toBe(true);
    }
  });

  it('reads every queue and job state on the API', () => {
    const samples = samplesOf(scrapes.apiMain, 'signalpost_queue_jobs');
    const queues = new Set(samples.map((sample) => sample.labels.queue));
    expect([...queues].sort()).toEqual(['deliveries', 'signals']);
    for (const queue of queues) {
      const states = samples
        .filter((sample) => sample.labels.queue === queue)
        .map((sample) => sample.labels.state)
        .sort();
      expect(states).toEqual(QUEUE_STATES);
    }
    const completedSignals = samples.find(
      (sample) =>
        sample.labels.queue === 'signals' &&
        sample.labels.state === 'completed',
    );
    expect(completedSignals?.value).toBe(5);
  });

  it('reads the age of the oldest waiting job per queue on the API', () => {
    const samples = samplesOf(
      scrapes.apiMain,
      'signalpost_queue_oldest_waiting_seconds',
    );
    expect(valuesBy(samples, 'queue')).toEqual({ signals: 0, deliveries: 0 });
  });

  it('reads the closed circuit of the receiver origin on the API', () => {
    const samples = samplesOf(scrapes.apiMain, 'signalpost_circuit_state');
    expect(valuesBy(samples, 'origin')).toEqual({
      [new URL(receiver.url).origin]: 0,
    });
  });

  it('exposes no API-only sample on the router or the worker', () => {
    for (const text of [scrapes.router, scrapes.worker]) {
      const names = parseMetricSamples(text).map((sample) => sample.name);
      const leaked = names.filter((name) => API_ONLY_METRICS.includes(name));
      expect(leaked).toEqual([]);
    }
  });

  it('uses only the label names of each metric', () => {
    for (const text of Object.values(scrapes)) {
      for (const sample of contractSamples(text)) {
        const allowed = ALLOWED_LABELS[sample.name] ?? [];
        const extra = Object.keys(presentLabels(sample)).filter(
          (name) => name !== 'app' && !allowed.includes(name),
        );
        expect({ name: sample.name, extra }).toEqual({
          name: sample.name,
          extra: [],
        });
      }
    }
  });

  it('puts no URL in a label except the circuit origin', () => {
    for (const text of Object.values(scrapes)) {
      const withUrl = parseMetricSamples(text).filter(
        (sample) =>
          sample.name !== 'signalpost_circuit_state' &&
          Object.values(sample.labels).some((value) => value.includes('://')),
      );
      expect(withUrl).toEqual([]);
    }
  });

  it('puts no signal id and no signal type in a scrape', () => {
    for (const text of Object.values(scrapes)) {
      for (const value of [...Object.values(ID), ...Object.values(TYPE)]) {
        expect({ value, found: text.includes(value) }).toEqual({
          value,
          found: false,
        });
      }
    }
  });

  it('names every counter and histogram of the metrics contract', () => {
    const declared = new Set([
      ...declaredMetricNames(scrapes.apiMain),
      ...declaredMetricNames(scrapes.router),
      ...declaredMetricNames(scrapes.worker),
    ]);
    const expected = [
      'signalpost_signals_received_total',
      'signalpost_signals_routed_total',
      'signalpost_deliveries_total',
      'signalpost_delivery_attempts_total',
      'signalpost_delivery_deferrals_total',
      ...HISTOGRAMS,
      ...API_ONLY_METRICS,
    ];
    expect(expected.filter((name) => !declared.has(name))).toEqual([]);
  });
});

describe('building apps twice in one process', () => {
  it('creates two metric sets without a registration error', async () => {
    const first = createMetrics('twice');
    const second = createMetrics('twice');
    first.signalsReceived.inc({ outcome: 'accepted' });
    const text = await second.registry.metrics();
    expect(first.registry).not.toBe(second.registry);
    expect(text).toContain('signalpost_signals_received_total');
    expect(text).not.toContain('outcome="accepted"');
  });

  it('starts two stacks that each serve their own metrics', async () => {
    const stacks: TestStack[] = [];
    try {
      stacks.push(await startTestStack({}, 2));
      stacks.push(await startTestStack({}, 2));
      for (const stack of stacks) {
        const response = await stack.request('GET', '/metrics', { key: null });
        expect(response.status).toBe(200);
        expect(response.body).toContain('signalpost_queue_jobs');
      }
    } finally {
      for (const stack of stacks) await stack.close();
    }
  });
});

/** Publishes the signals whose outcomes every check above counts. */
async function runScenario(
  stack: ProcessStack,
  receiver: Receiver,
): Promise<void> {
  await putSubscriptions(stack, receiver);
  // A hook delays this delivery by about a second, the only deferral of the run.
  await publish(stack, {
    type: TYPE.ok,
    id: ID.ok,
    time: new Date().toISOString(),
    data: { hold: true },
  });
  await publish(stack, { type: TYPE.ok, id: ID.ok }, true);

  // The first failing signal passes the throttle window and the second fills it.
  await publish(stack, { type: TYPE.fail, id: ID.fail });
  await waitForDeliveryState(stack, ID.fail, 'dead_lettered');
  await publish(stack, { type: TYPE.fail, id: ID.throttled });
  await waitForDeliveryState(stack, ID.throttled, 'throttled');

  await publish(stack, { type: TYPE.none, id: ID.none });
  await publish(stack, {
    type: TYPE.filtered,
    id: ID.filtered,
    data: { pass: false },
  });
  const rejected = await stack.request('POST', '/v1/signals', {
    body: { source: 'metrics', id: 'mx-no-type' },
  });
  expect(rejected.status).toBe(400);

  await waitForDeliveryState(stack, ID.ok, 'delivered');
  for (const id of [ID.none, ID.filtered]) {
    await waitForRouted(stack, id);
  }
}

async function waitForRouted(stack: ProcessStack, id: string): Promise<void> {
  await waitFor(
    async () => {
      const response = await stack.request('GET', `/v1/signals/${id}`);
      return response.body?.state === 'routing' ? undefined : true;
    },
    15_000,
    `signal ${id} to be routed`,
  );
}

async function putSubscriptions(
  stack: ProcessStack,
  receiver: Receiver,
): Promise<void> {
  const subscriptions = {
    [OK_TARGET.subscription]: {
      pattern: TYPE.ok,
      dispatch: {
        id: OK_TARGET.target,
        adapter: 'webhook',
        url: `${receiver.url}/ok`,
      },
    },
    [FAIL_TARGET.subscription]: {
      pattern: TYPE.fail,
      dispatch: {
        id: FAIL_TARGET.target,
        adapter: 'webhook',
        url: `${receiver.url}/fail`,
        throttle: { key: 'type', maxCalls: 1, windowMs: 600_000 },
      },
    },
    'mx-filtered': {
      pattern: TYPE.filtered,
      filter: 'data.pass = true',
      dispatch: { adapter: 'webhook', url: `${receiver.url}/filtered` },
    },
  };
  for (const [id, body] of Object.entries(subscriptions)) {
    const response = await stack.request('PUT', `/v1/subscriptions/${id}`, {
      body,
    });
    expect(response.status).toBe(201);
  }
  // The router process learns of new subscriptions through pub/sub.
  await new Promise((resolve) => setTimeout(resolve, 500));
}

async function publish(
  stack: ProcessStack,
  signal: Record<string, unknown>,
  duplicate = false,
): Promise<void> {
  const response = await stack.request('POST', '/v1/signals', {
    body: { source: 'metrics', ...signal },
  });
  expect(response.status).toBe(202);
  expect(response.body.duplicate).toBe(duplicate);
}

async function waitForDeliveryState(
  stack: ProcessStack,
  id: string,
  state: string,
): Promise<void> {
  await waitFor(
    async () => {
      const response = await stack.request('GET', `/v1/signals/${id}`);
      return response.body?.deliveries?.[0]?.state === state ? true : undefined;
    },
    30_000,
    `signal ${id}'s delivery to be ${state}`,
  );
}

/**
 * Scrapes every app until the counters reach the scenario's totals, since
 * an app counts an outcome just after it stores it.
 */
async function scrapeSettled(stack: ProcessStack): Promise<Scrapes> {
  return waitFor(
    async () => {
      const scrapes = await scrapeAll(stack);
      const routed = sumOf(scrapes.router, 'signalpost_signals_routed_total');
      const ended =
        sumOf(scrapes.worker, 'signalpost_deliveries_total') +
        sumOf(scrapes.router, 'signalpost_deliveries_total');
      return routed === 5 && ended === 3 ? scrapes : undefined;
    },
    15_000,
    'the counters to reach 5 routed signals and 3 ended deliveries',
  );
}

async function scrapeAll(stack: ProcessStack): Promise<Scrapes> {
  const local = (port: number) => `http://127.0.0.1:${port}/metrics`;
  return {
    apiMain: await scrapeMetrics(`${stack.baseUrl}/metrics`),
    apiMetricsPort: await scrapeMetrics(local(stack.api.metricsPort)),
    router: await scrapeMetrics(local(stack.router.metricsPort)),
    worker: await scrapeMetrics(local(stack.worker.metricsPort)),
  };
}

/** Samples whose name starts with `name`, e.g. a counter's `_total`. */
function samplesOf(text: string, name: string): MetricSample[] {
  return parseMetricSamples(text).filter((sample) =>
    sample.name.startsWith(name),
  );
}

/** Samples of the metrics that {@link ALLOWED_LABELS} lists. */
function contractSamples(text: string): MetricSample[] {
  const names = new Set(Object.keys(ALLOWED_LABELS));
  return parseMetricSamples(text).filter((sample) => names.has(sample.name));
}

/**
 * Drops labels with an empty value, which Prometheus stores as absent, so
 * an empty `subscription` label and a missing one compare equal.
 */
function presentLabels(sample: MetricSample): Record<string, string> {
  return Object.fromEntries(
    Object.entries(sample.labels).filter(([, value]) => value !== ''),
  );
}

function sumOf(text: string, name: string): number {
  return samplesOf(text, name).reduce((sum, sample) => sum + sample.value, 0);
}

/** Sums sample values by the value of one label. */
function valuesBy(
  samples: readonly MetricSample[],
  label: string,
): Record<string, number> {
  const values: Record<string, number> = {};
  for (const sample of samples) {
    const key = sample.labels[label] ?? '';
    values[key] = (values[key] ?? 0) + sample.value;
  }
  return values;
}
