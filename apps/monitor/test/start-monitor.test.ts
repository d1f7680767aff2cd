import { ConfigError } from '@signalpost/config';
import { parseSignal } from '@signalpost/signal';
import { SIGNALS_QUEUE } from '@signalpost/queues';
import { deletePrefix, testPrefix } from '../../../test/support/redis';
import { waitFor } from '../../../test/support/stack';
import { enqueueHealthSignal } from '../src/signals/enqueue-health-signal';
import { startMonitor, type RunningMonitor } from '../src/start-monitor';
import {
  closedPortUrl,
  intervalStartOf,
  monitorConfig,
  readSignalJobs,
  sleep,
  startService,
  testLogger,
  withQueue,
  type FakeService,
  type SignalJob,
} from './monitor-fixtures';

// Long enough that only the first check, run at start, falls in a test.
const INTERVAL_MS = 60_000;

describe('startMonitor', () => {
  const prefix = testPrefix('monitor');
  let okService: FakeService;
  let failingService: FakeService;
  let goneUrl: string;
  let monitor: RunningMonitor;
  let startedAtMs: number;
  let jobs: SignalJob[];

  const config = () =>
    monitorConfig(prefix, {
      intervalMs: INTERVAL_MS,
      timeoutMs: 2000,
      services: [
        { name: 'ok', url: okService.url },
        { name: 'failing', url: failingService.url },
        { name: 'gone', url: goneUrl },
      ],
    });

  function signalOf(service: string): SignalJob {
    const job = jobs.find((item) => item.signal.data.service === service);
    if (!job) throw new Error(`no signal of ${service}`);
    return job;
  }

  beforeAll(async () => {
    okService = await startService({ status: 200 });
    failingService = await startService({ status: 503 });
    goneUrl = await closedPortUrl();
    startedAtMs = Date.now();
    monitor = await startMonitor(config(), { logger: testLogger });
    jobs = await waitFor(
      async () => {
        const found = await readSignalJobs(prefix);
        return found.length >= 3 ? found : undefined;
      },
      15_000,
      'a signal of each service',
    );
  });

  afterAll(async () => {
    await monitor.close();
    await okService.close();
    await failingService.close();
    await deletePrefix(prefix);
  });

  it('reports a service answering 200 as healthy', () => {
    expect(signalOf('ok').signal).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^ok:\d+$/),
      source: 'signalpost/monitor',
      type: 'health.service.healthy',
      time: expect.any(String),
      data: {
        service: 'ok',
        url: okService.url,
        latencyMs: expect.any(Number),
      },
    });
  });

  it('reports a service answering 503 as degraded', () => {
    expect(signalOf('failing').signal).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^failing:\d+$/),
      source: 'signalpost/monitor',
      type: 'health.service.degraded',
      time: expect.any(String),
      data: {
        service: 'failing',
        url: failingService.url,
        statusCode: 503,
        latencyMs: expect.any(Number),
      },
    });
  });

  it('reports a closed port as unhealthy', () => {
    expect(signalOf('gone').signal).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^gone:\d+$/),
      source: 'signalpost/monitor',
      type: 'health.service.unhealthy',
      time: expect.any(String),
      data: {
        service: 'gone',
        url: goneUrl,
        error: expect.stringContaining('ECONNREFUSED'),
      },
    });
  });

  it('ids each signal by its service and interval start', () => {
    for (const service of ['ok', 'failing', 'gone']) {
      const { jobId, signal } = signalOf(service);
      const startMs = intervalStartOf(signal);
      expect(startMs % INTERVAL_MS).toBe(0);
      expect(startMs).toBeGreaterThan(startedAtMs - INTERVAL_MS);
      expect(startMs).toBeLessThanOrEqual(Date.now());
      expect(jobId).toBe(`mon_${service}_${startMs}`);
    }
  });

  it('stamps each signal with the time of its check', () => {
    for (const { signal } of jobs) {
      const timeMs = Date.parse(signal.time);
      expect(signal.time).toBe(new Date(timeMs).toISOString());
      expect(timeMs).toBeGreaterThanOrEqual(startedAtMs);
      expect(timeMs).toBeLessThanOrEqual(Date.now());
    }
  });

  it('enqueues signals the router accepts', () => {
    for (const { signal } of jobs) {
      expect(parseSignal(signal).ok).toBe(true);
    }
  });

  it('enqueues one job per service under the signal job name', async () => {
    const names = await withQueue(prefix, SIGNALS_QUEUE, async (queue) => {
      const all = await queue.getJobs(['waiting', 'active', 'completed']);
      return all.map((job) => job.name);
    });
    expect(names).toEqual(['signal', 'signal', 'signal']);
  });

  it('adds no second job when a signal is enqueued again', async () => {
    const { signal } = signalOf('ok');
    await withQueue(prefix, SIGNALS_QUEUE, (queue) =>
      enqueueHealthSignal(queue, signal, intervalStartOf(signal)),
    );
    expect(await readSignalJobs(prefix)).toHaveLength(3);
  });

  it('checks each service once within its interval', () => {
    expect(okService.methods).toEqual(['GET']);
    expect(failingService.methods).toEqual(['GET']);
  });

  it('does not check again when restarted within the interval', async () => {
    await monitor.close();
    monitor = await startMonitor(config(), { logger: testLogger });
    await sleep(1000);
    expect(okService.methods).toEqual(['GET']);
    expect(await readSignalJobs(prefix)).toHaveLength(3);
  });
});

describe('the monitor health server', () => {
  const prefix = testPrefix('monitor-health');
  let service: FakeService;
  let monitor: RunningMonitor;
  let baseUrl: string;

  beforeAll(async () => {
    service = await startService({ status: 200 });
    const config = monitorConfig(prefix, {
      intervalMs: INTERVAL_MS,
      services: [{ name: 'api', url: service.url }],
    });
    monitor = await startMonitor(config, { logger: testLogger });
    baseUrl = `http://127.0.0.1:${monitor.metricsPort}`;
  });

  afterAll(async () => {
    await monitor.close();
    await service.close();
    await deletePrefix(prefix);
  });

  it('listens on the configured metrics port', () => {
    expect(monitor.metricsPort).toBeGreaterThan(0);
  });

  it('counts checks by result', async () => {
    const line =
      /^signalpost_monitor_checks_total\{[^}]*result="healthy"[^}]*\} 1$/m;
    const body = await waitFor(
      async () => {
        const text = await (await fetch(`${baseUrl}/metrics`)).text();
        return line.test(text) ? text : undefined;
      },
      15_000,
      'a counted check',
    );
    expect(body).toMatch(line);
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    expect(response.status).toBe(200);
  });

  it('answers /readyz while Redis is reachable', async () => {
    const response = await fetch(`${baseUrl}/readyz`);
    expect(response.status).toBe(200);
  });
});

describe('closing a monitor', () => {
  const prefix = testPrefix('monitor-close');

  afterAll(() => deletePrefix(prefix));

  it('may be called twice', async () => {
    const config = monitorConfig(prefix, { services: [] });
    const monitor = await startMonitor(config, {
      logger: testLogger,
      healthServer: false,
    });
    expect(monitor.metricsPort).toBe(0);
    const first = monitor.close();
    const second = monitor.close();
    await expect(first).resolves.toBeUndefined();
    await expect(second).resolves.toBeUndefined();
  });

  it('rejects a config with two services of one name', async () => {
    const config = monitorConfig(prefix, {
      services: [
        { name: 'api', url: 'http://127.0.0.1:9/a' },
        { name: 'api', url: 'http://127.0.0.1:9/b' },
      ],
    });
    await expect(
      startMonitor(config, { logger: testLogger, healthServer: false }),
    ).rejects.toThrow(ConfigError);
  });
});
