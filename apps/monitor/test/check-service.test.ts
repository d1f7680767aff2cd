import { Agent } from 'undici';
import { checkService } from '../src/checks/check-service';
import {
  closedPortUrl,
  startService,
  type FakeService,
  type ServiceBehaviour,
} from './monitor-fixtures';

describe('checkService', () => {
  const dispatcher = new Agent();
  const services: FakeService[] = [];

  async function serve(behaviour: ServiceBehaviour): Promise<FakeService> {
    const service = await startService(behaviour);
    services.push(service);
    return service;
  }

  afterAll(async () => {
    for (const service of services) await service.close();
    await dispatcher.close();
  });

  describe.each([
    [200, 'healthy'],
    [204, 'healthy'],
    [299, 'healthy'],
    [301, 'degraded'],
    [404, 'degraded'],
    [500, 'degraded'],
    [503, 'degraded'],
  ] as const)('when the service answers %i', (status, result) => {
    it(`reports ${result} with the status`, async () => {
      const service = await serve({ status });
      const outcome = await checkService(service.url, {
        timeoutMs: 5000,
        dispatcher,
      });
      expect(outcome).toEqual({
        result,
        statusCode: status,
        latencyMs: expect.any(Number),
      });
      expect(service.methods).toEqual(['GET']);
    });
  });

  it('measures latency in whole milliseconds', async () => {
    const service = await serve({ status: 200 });
    const outcome = await checkService(service.url, {
      timeoutMs: 5000,
      dispatcher,
    });
    if (outcome.result === 'unhealthy') throw new Error(outcome.error);
    expect(Number.isInteger(outcome.latencyMs)).toBe(true);
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a closed port as unhealthy', async () => {
    const outcome = await checkService(await closedPortUrl(), {
      timeoutMs: 5000,
      dispatcher,
    });
    expect(outcome).toEqual({
      result: 'unhealthy',
      error: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('reports no response within the deadline as unhealthy', async () => {
    const service = await serve({ silent: true });
    const startedAt = Date.now();
    const outcome = await checkService(service.url, {
      timeoutMs: 300,
      dispatcher,
    });
    expect(outcome).toEqual({
      result: 'unhealthy',
      error: 'no response within 300 ms',
    });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
  });

  it('judges by the status when the body stalls', async () => {
    const service = await serve({ stallBody: true });
    const outcome = await checkService(service.url, {
      timeoutMs: 300,
      dispatcher,
    });
    expect(outcome).toMatchObject({ result: 'healthy', statusCode: 200 });
  });

  it('reads past a body larger than it keeps', async () => {
    const service = await serve({ status: 200, bodyBytes: 3 * 1024 * 1024 });
    const outcome = await checkService(service.url, {
      timeoutMs: 5000,
      dispatcher,
    });
    expect(outcome).toMatchObject({ result: 'healthy', statusCode: 200 });
  });

  it('reports an unparsable URL as unhealthy', async () => {
    const outcome = await checkService('http://', {
      timeoutMs: 1000,
      dispatcher,
    });
    expect(outcome).toEqual({
      result: 'unhealthy',
      error: expect.any(String),
    });
  });
});
