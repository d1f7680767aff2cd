import { deletePrefix, testPrefix } from '../../../test/support/redis';
import { startMonitor, type RunningMonitor } from '../src/start-monitor';
import {
  intervalStartOf,
  monitorConfig,
  readSignalJobs,
  sleep,
  startService,
  testLogger,
  type FakeService,
  type SignalJob,
} from './monitor-fixtures';

const INTERVAL_MS = 1000;
const RUN_MS = 4500;

describe('two monitor replicas on one Redis', () => {
  const prefix = testPrefix('monitor-replicas');
  const services = new Map<string, FakeService>();
  let jobs: SignalJob[];

  function jobsOf(service: string): SignalJob[] {
    return jobs.filter((job) => job.signal.data.service === service);
  }

  beforeAll(async () => {
    services.set('alpha', await startService({ status: 200 }));
    services.set('beta', await startService({ status: 200 }));
    const config = monitorConfig(prefix, {
      intervalMs: INTERVAL_MS,
      timeoutMs: 500,
      services: [...services].map(([name, service]) => ({
        name,
        url: service.url,
      })),
    });
    const options = { logger: testLogger, healthServer: false };
    const replicas: RunningMonitor[] = await Promise.all([
      startMonitor(config, options),
      startMonitor(config, options),
    ]);
    await sleep(RUN_MS);
    await Promise.all(replicas.map((replica) => replica.close()));
    jobs = await readSignalJobs(prefix);
  });

  afterAll(async () => {
    for (const service of services.values()) await service.close();
    await deletePrefix(prefix);
  });

  describe.each(['alpha', 'beta'])('service %s', (name) => {
    it('is checked about once per interval, not once per replica', () => {
      const checks = services.get(name)?.methods.length ?? 0;
      expect(checks).toBeGreaterThanOrEqual(3);
      expect(checks).toBeLessThanOrEqual(6);
    });

    it('gets about one signal per interval', () => {
      expect(jobsOf(name).length).toBeGreaterThanOrEqual(3);
      expect(jobsOf(name).length).toBeLessThanOrEqual(6);
    });

    it('gets no two signals of one interval', () => {
      const starts = jobsOf(name).map((job) => intervalStartOf(job.signal));
      expect(new Set(starts).size).toBe(starts.length);
      for (const start of starts) expect(start % INTERVAL_MS).toBe(0);
    });
  });
});
