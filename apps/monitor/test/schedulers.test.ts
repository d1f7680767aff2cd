import { deletePrefix, testPrefix } from '../../../test/support/redis';
import {
  CHECK_JOB_NAME,
  CHECK_JOB_OPTIONS,
  MONITOR_QUEUE,
} from '../src/schedule/check-job';
import { startMonitor } from '../src/start-monitor';
import {
  monitorConfig,
  sleep,
  startService,
  testLogger,
  withQueue,
  type FakeService,
} from './monitor-fixtures';

// Long enough that only the first check of a schedule falls in a test.
const INTERVAL_MS = 600_000;
const PENDING_STATES = ['waiting', 'delayed', 'prioritized'] as const;

describe('job schedulers of the monitor queue', () => {
  const prefix = testPrefix('monitor-schedulers');
  let serviceA: FakeService;
  let serviceB: FakeService;

  async function runMonitor(
    monitor: Record<string, unknown>,
    runMs = 0,
  ): Promise<void> {
    const running = await startMonitor(monitorConfig(prefix, monitor), {
      logger: testLogger,
      healthServer: false,
    });
    await sleep(runMs);
    await running.close();
  }

  function readSchedulers() {
    return withQueue(prefix, MONITOR_QUEUE, async (queue) => {
      const schedulers = await queue.getJobSchedulers();
      return schedulers.sort((a, b) => a.key.localeCompare(b.key));
    });
  }

  function readPendingJobSchedulers() {
    return withQueue(prefix, MONITOR_QUEUE, async (queue) => {
      const pending = await queue.getJobs([...PENDING_STATES]);
      return pending.map((job) => job.repeatJobKey).sort();
    });
  }

  beforeAll(async () => {
    serviceA = await startService({ status: 200 });
    serviceB = await startService({ status: 200 });
  });

  afterAll(async () => {
    await serviceA.close();
    await serviceB.close();
    await deletePrefix(prefix);
  });

  it('creates one scheduler per service at start', async () => {
    await runMonitor({
      intervalMs: INTERVAL_MS,
      services: [
        { name: 'a', url: serviceA.url },
        { name: 'b', url: serviceB.url },
      ],
    });
    const schedulers = await readSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key)).toEqual(['a', 'b']);
    expect(schedulers.map((scheduler) => scheduler.every)).toEqual([
      INTERVAL_MS,
      INTERVAL_MS,
    ]);
    expect(schedulers[1]?.template?.data).toEqual({
      service: 'b',
      url: serviceB.url,
      intervalMs: INTERVAL_MS,
    });
    expect(await readPendingJobSchedulers()).toEqual(['a', 'b']);
  });

  it('removes the scheduler of a service gone from the config', async () => {
    await runMonitor({
      intervalMs: INTERVAL_MS,
      services: [{ name: 'a', url: serviceA.url }],
    });
    const schedulers = await readSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key)).toEqual(['a']);
    expect(await readPendingJobSchedulers()).toEqual(['a']);
  });

  it('drops the waiting check of a removed service', async () => {
    const stale = await startService({ status: 200 });
    try {
      // A scheduler made without a worker leaves its first job waiting.
      await withQueue(prefix, MONITOR_QUEUE, (queue) =>
        queue.upsertJobScheduler(
          'stale',
          { every: INTERVAL_MS },
          {
            name: CHECK_JOB_NAME,
            data: { service: 'stale', url: stale.url, intervalMs: INTERVAL_MS },
            opts: CHECK_JOB_OPTIONS,
          },
        ),
      );
      expect(await readPendingJobSchedulers()).toEqual(['a', 'stale']);

      // Running a while gives its worker time to take a waiting job.
      await runMonitor(
        {
          intervalMs: INTERVAL_MS,
          services: [{ name: 'a', url: serviceA.url }],
        },
        1000,
      );
      expect(stale.methods).toEqual([]);
      expect(await readPendingJobSchedulers()).toEqual(['a']);
    } finally {
      await stale.close();
    }
  });

  it('updates the interval and URL of a kept service', async () => {
    await runMonitor({
      intervalMs: INTERVAL_MS / 2,
      services: [{ name: 'a', url: serviceB.url }],
    });
    const [scheduler] = await readSchedulers();
    expect(scheduler?.every).toBe(INTERVAL_MS / 2);
    expect(scheduler?.template?.data).toEqual({
      service: 'a',
      url: serviceB.url,
      intervalMs: INTERVAL_MS / 2,
    });
  });

  it('removes every scheduler when no service is left', async () => {
    await runMonitor({ services: [] });
    expect(await readSchedulers()).toEqual([]);
    expect(await readPendingJobSchedulers()).toEqual([]);
  });
});
