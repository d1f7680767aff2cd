import type { PagerDutyConfig, SignalLike } from '../src';

export const DEFAULT_ROUTING_KEY = 'R_DEFAULT_000000000000000000000';
export const PAYMENTS_ROUTING_KEY = 'R_PAYMENTS_00000000000000000000';

export const PAGERDUTY_CONFIG: PagerDutyConfig = Object.freeze({
  defaultRoutingKey: DEFAULT_ROUTING_KEY,
  routingKeys: { payments: PAYMENTS_ROUTING_KEY },
  clientUrl: 'https://ops.example.com/incidents/{incident_id}',
});

/** Builds a valid signal with the given data and attribute overrides. */
export function makeSignal(
  data: unknown,
  overrides: Partial<SignalLike> = {},
): SignalLike {
  return {
    specversion: '1.0',
    id: 'sig-test',
    type: 'alert.critical.db',
    source: 'monitoring/db-cluster',
    time: '2024-05-01T12:00:00Z',
    data,
    ...overrides,
  };
}
