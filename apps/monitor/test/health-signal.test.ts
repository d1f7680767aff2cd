import { parseSignal } from '@signalpost/signal';
import type { CheckOutcome } from '../src/checks/check-service';
import {
  buildHealthSignal,
  healthSignalId,
  healthSignalJobId,
  intervalStartMs,
} from '../src/signals/health-signal';
import { stripCredentials } from '../src/signals/strip-credentials';

const FINISHED_AT = new Date('2025-03-01T12:00:01.250Z');
const START_MS = Date.parse('2025-03-01T12:00:00.000Z');

describe('intervalStartMs', () => {
  it.each([
    [START_MS, 30_000, START_MS],
    [START_MS + 1, 30_000, START_MS],
    [START_MS + 29_999, 30_000, START_MS],
    [START_MS + 30_000, 30_000, START_MS + 30_000],
    [1_500, 1_000, 1_000],
    [999, 1_000, 0],
  ])('floors %i to a multiple of %i', (scheduledMs, intervalMs, expected) => {
    expect(intervalStartMs(scheduledMs, intervalMs)).toBe(expected);
  });
});

describe('health signal ids', () => {
  it('joins service and interval start with a colon', () => {
    expect(healthSignalId('billing', START_MS)).toBe(`billing:${START_MS}`);
  });

  it('derives a job id without a colon', () => {
    const jobId = healthSignalJobId('billing', START_MS);
    expect(jobId).toBe(`mon_billing_${START_MS}`);
    expect(jobId).not.toContain(':');
  });

  it('derives a job id that is never all digits', () => {
    expect(healthSignalJobId('123', 0)).not.toMatch(/^\d+$/);
  });
});

describe('buildHealthSignal', () => {
  const url = 'http://127.0.0.1:8080/health';

  it.each<[string, CheckOutcome, string, Record<string, unknown>]>([
    [
      'a 2xx',
      { result: 'healthy', statusCode: 200, latencyMs: 12 },
      'health.service.healthy',
      { service: 'api', url, latencyMs: 12 },
    ],
    [
      'another status',
      { result: 'degraded', statusCode: 503, latencyMs: 40 },
      'health.service.degraded',
      { service: 'api', url, statusCode: 503, latencyMs: 40 },
    ],
    [
      'no answer',
      { result: 'unhealthy', error: 'connect ECONNREFUSED 127.0.0.1:1' },
      'health.service.unhealthy',
      { service: 'api', url, error: 'connect ECONNREFUSED 127.0.0.1:1' },
    ],
  ])('reports %s', (_case, outcome, type, data) => {
    const signal = buildHealthSignal({
      service: 'api',
      url,
      intervalStartMs: START_MS,
      outcome,
      finishedAt: FINISHED_AT,
    });
    expect(signal).toEqual({
      specversion: '1.0',
      id: `api:${START_MS}`,
      source: 'signalpost/monitor',
      type,
      time: '2025-03-01T12:00:01.250Z',
      data,
    });
  });

  it('builds a signal that the router accepts', () => {
    const signal = buildHealthSignal({
      service: 'api',
      url,
      intervalStartMs: START_MS,
      outcome: { result: 'degraded', statusCode: 500, latencyMs: 3 },
      finishedAt: FINISHED_AT,
    });
    const parsed = parseSignal(signal);
    expect(parsed.ok).toBe(true);
  });

  it('leaves credentials out of the URL', () => {
    const signal = buildHealthSignal({
      service: 'api',
      url: 'https://probe:s3cret@status.example.test/health',
      intervalStartMs: START_MS,
      outcome: { result: 'healthy', statusCode: 200, latencyMs: 1 },
      finishedAt: FINISHED_AT,
    });
    expect(signal.data.url).toBe('https://status.example.test/health');
  });
});

describe('stripCredentials', () => {
  it.each([
    ['http://127.0.0.1:9/health', 'http://127.0.0.1:9/health'],
    ['http://127.0.0.1:9', 'http://127.0.0.1:9'],
    ['https://user:pass@host.test/x?y=1', 'https://host.test/x?y=1'],
    ['https://user@host.test/', 'https://host.test/'],
    ['not a url', 'not a url'],
  ])('turns %s into %s', (input, expected) => {
    expect(stripCredentials(input)).toBe(expected);
  });
});
