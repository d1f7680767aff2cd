import { createHash } from 'node:crypto';

import {
  MAX_DEDUP_KEY_LENGTH,
  MAX_SUMMARY_LENGTH,
  TRANSFORM_ERROR_CODES,
  TransformError,
  createTransformRegistry,
  mapPagerDutySeverity,
  type PagerDutyConfig,
  type PagerDutyTriggerEvent,
  type SignalLike,
  type TransformFn,
} from '../src';
import {
  DEFAULT_ROUTING_KEY,
  PAGERDUTY_CONFIG,
  PAYMENTS_ROUTING_KEY,
  makeSignal,
} from './fixtures';

function transformsFor(config: PagerDutyConfig = PAGERDUTY_CONFIG): {
  trigger: (signal: SignalLike) => PagerDutyTriggerEvent;
  resolve: TransformFn;
} {
  const registry = createTransformRegistry({ pagerduty: config });
  const trigger = registry.get('pagerduty.trigger');
  const resolve = registry.get('pagerduty.resolve');
  if (trigger === undefined || resolve === undefined) {
    throw new Error('the registry lacks the PagerDuty transforms');
  }
  return {
    trigger: (signal) => trigger(signal) as PagerDutyTriggerEvent,
    resolve,
  };
}

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

const dbAlert = makeSignal({
  service: 'db',
  component: 'primary',
  severity: 'high',
  summary: 'Disk full',
});

describe('pagerduty.trigger', () => {
  const { trigger } = transformsFor();

  describe('when the service has no routing key of its own', () => {
    const event = trigger(dbAlert);

    it('uses the default routing key', () => {
      expect(event.routing_key).toBe(DEFAULT_ROUTING_KEY);
    });

    it('sends event_action trigger', () => {
      expect(event.event_action).toBe('trigger');
    });

    it('derives dedup_key from type, service and component', () => {
      const expected = createHash('sha256')
        .update('alert.critical.db:db:primary')
        .digest('hex');
      expect(event.dedup_key).toBe(expected);
    });

    it('maps severity high to critical', () => {
      expect(event.payload.severity).toBe('critical');
    });

    it('carries source, time and data over', () => {
      expect(event.payload.source).toBe(dbAlert.source);
      expect(event.payload.timestamp).toBe(dbAlert.time);
      expect(event.payload.custom_details).toEqual(dbAlert.data);
      expect(event.payload.summary).toBe('Disk full');
    });

    it('omits client_url lacking an incident id', () => {
      expect(Object.keys(event)).not.toContain('client_url');
      expect(event.client).toBe('signalpost');
    });
  });

  describe('when the service has its own key and an incident', () => {
    const event = trigger(
      makeSignal(
        { service: 'payments', incident_id: 'INC-9', severity: 'moderate' },
        { type: 'alert.critical.payments' },
      ),
    );

    it('uses the routing key of the service', () => {
      expect(event.routing_key).toBe(PAYMENTS_ROUTING_KEY);
    });

    it('uses the incident id as dedup_key', () => {
      expect(event.dedup_key).toBe('INC-9');
    });

    it('maps severity moderate to error', () => {
      expect(event.payload.severity).toBe('error');
    });

    it('summarizes as type on service', () => {
      expect(event.payload.summary).toBe('alert.critical.payments on payments');
    });

    it('fills the incident id into client_url', () => {
      expect(event.client_url).toBe('https://ops.example.com/incidents/INC-9');
    });
  });

  it('URL-encodes the incident id in client_url', () => {
    const event = trigger(makeSignal({ incident_id: 'INC 9/a?b' }));
    expect(event.client_url).toBe(
      'https://ops.example.com/incidents/INC%209%2Fa%3Fb',
    );
  });

  it('sends a fixed client_url unchanged', () => {
    const { trigger: plain } = transformsFor({
      defaultRoutingKey: DEFAULT_ROUTING_KEY,
      clientUrl: 'https://ops.example.com/board',
    });
    expect(plain(dbAlert).client_url).toBe('https://ops.example.com/board');
  });

  it('omits client_url without a configured template', () => {
    const { trigger: plain } = transformsFor({
      defaultRoutingKey: DEFAULT_ROUTING_KEY,
    });
    const event = plain(makeSignal({ incident_id: 'INC-1' }));
    expect(Object.keys(event)).not.toContain('client_url');
  });

  it('omits absent payload fields', () => {
    const event = trigger(makeSignal(undefined, { type: 'heartbeat.missed' }));

    expect(event.payload).toEqual({
      summary: 'heartbeat.missed',
      source: 'monitoring/db-cluster',
      severity: 'info',
      timestamp: '2024-05-01T12:00:00Z',
      class: 'heartbeat.missed',
    });
    expect(Object.keys(event.payload)).toHaveLength(5);
  });

  it('hashes missing fields as empty strings', () => {
    const event = trigger(makeSignal({}, { type: 'heartbeat.missed' }));
    const expected = createHash('sha256')
      .update('heartbeat.missed::')
      .digest('hex');
    expect(event.dedup_key).toBe(expected);
  });

  it('accepts a numeric incident id', () => {
    expect(trigger(makeSignal({ incident_id: 4711 })).dedup_key).toBe('4711');
  });

  it('truncates a long summary', () => {
    const event = trigger(makeSignal({ summary: 'x'.repeat(5000) }));

    expect(event.payload.summary).toHaveLength(MAX_SUMMARY_LENGTH);
    expect(event.payload.summary.endsWith('\u2026')).toBe(true);
  });

  it('keeps surrogate pairs whole when truncating', () => {
    // One 'a' shifts the emoji so that the cut falls inside a pair.
    const summary = 'a' + '\u{1F525}'.repeat(1000);
    const truncated = trigger(makeSignal({ summary })).payload.summary;

    expect(truncated.length).toBeLessThanOrEqual(MAX_SUMMARY_LENGTH);
    // encodeURIComponent throws URIError on a lone surrogate.
    expect(() => encodeURIComponent(truncated)).not.toThrow();
  });

  it('ignores inherited routing keys', () => {
    const { trigger: noDefault } = transformsFor({
      routingKeys: { payments: PAYMENTS_ROUTING_KEY },
    });
    const error = catchError(() =>
      noDefault(makeSignal({ service: 'constructor' })),
    );
    expect(error).toBeInstanceOf(TransformError);
  });

  describe('when no routing key applies', () => {
    const { trigger: noDefault } = transformsFor({
      routingKeys: { payments: PAYMENTS_ROUTING_KEY },
    });
    const error = catchError(() => noDefault(dbAlert)) as TransformError;

    it('throws a failed TransformError', () => {
      expect(error).toBeInstanceOf(TransformError);
      expect(error.code).toBe(TRANSFORM_ERROR_CODES.failed);
      expect(error.transform).toBe('pagerduty.trigger');
    });

    it('names the service and the options to set', () => {
      expect(error.message).toContain('"db"');
      expect(error.message).toContain('pagerduty.defaultRoutingKey');
    });

    it('never shows a configured routing key', () => {
      expect(error.message).not.toContain(PAYMENTS_ROUTING_KEY);
    });
  });

  it.each([
    ['a string', 'disk full'],
    ['an array', [1, 2]],
    ['a number', 42],
  ])('rejects data that is %s', (_kind, data) => {
    const error = catchError(() => trigger(makeSignal(data)));
    expect(error).toBeInstanceOf(TransformError);
  });

  it('rejects an empty source', () => {
    const error = catchError(() => trigger(makeSignal({}, { source: '' })));
    expect(error).toBeInstanceOf(TransformError);
  });

  it('rejects an overlong incident id', () => {
    const incidentId = 'i'.repeat(MAX_DEDUP_KEY_LENGTH + 1);
    const error = catchError(() =>
      trigger(makeSignal({ incident_id: incidentId })),
    );
    expect(error).toBeInstanceOf(TransformError);
  });
});

describe('pagerduty.resolve', () => {
  const { resolve } = transformsFor();

  it('sends only routing_key, event_action and dedup_key', () => {
    const event = resolve(
      makeSignal({
        service: 'payments',
        incident_id: 'INC-9',
        summary: 'recovered',
        severity: 'info',
      }),
    );
    expect(event).toStrictEqual({
      routing_key: PAYMENTS_ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'INC-9',
    });
  });

  describe('when the signal has no incident id', () => {
    const error = catchError(() =>
      resolve(makeSignal({ service: 'db', component: 'primary' })),
    ) as TransformError;

    it('throws a failed TransformError', () => {
      expect(error).toBeInstanceOf(TransformError);
      expect(error.code).toBe(TRANSFORM_ERROR_CODES.failed);
      expect(error.transform).toBe('pagerduty.resolve');
    });

    it('names the missing field', () => {
      expect(error.message).toContain('data.incident_id');
    });
  });
});

describe('mapPagerDutySeverity', () => {
  it.each([
    ['critical', 'critical'],
    ['high', 'critical'],
    ['HIGH', 'critical'],
    [' Critical ', 'critical'],
    ['medium', 'error'],
    ['moderate', 'error'],
    ['Moderate', 'error'],
    ['low', 'warning'],
    ['info', 'warning'],
    ['warning', 'info'],
    ['error', 'info'],
    ['', 'info'],
    [undefined, 'info'],
    [3, 'info'],
  ])('maps %p to %p', (severity, expected) => {
    expect(mapPagerDutySeverity(severity)).toBe(expected);
  });
});

describe('PagerDuty options', () => {
  it.each([
    ['routingKeys that is an array', { routingKeys: ['x'] }],
    ['an empty routing key', { routingKeys: { db: '' } }],
    ['a routing key that is a number', { routingKeys: { db: 7 } }],
    ['an empty defaultRoutingKey', { defaultRoutingKey: ' ' }],
    ['a clientUrl that is not a URL', { clientUrl: 'ops/{incident_id}' }],
    [
      'a clientUrl with another protocol',
      { clientUrl: 'ftp://ops.example.com' },
    ],
  ])('rejects %s', (_case, pagerduty) => {
    const error = catchError(() =>
      createTransformRegistry({ pagerduty: pagerduty as PagerDutyConfig }),
    ) as TransformError;

    expect(error).toBeInstanceOf(TransformError);
    expect(error.code).toBe(TRANSFORM_ERROR_CODES.configInvalid);
    expect(error.message).toContain('pagerduty.');
  });

  it('never shows a rejected routing key', () => {
    const secret = 'R_SECRET_KEY_WITH_PADDING_00000';
    const error = catchError(() =>
      createTransformRegistry({
        pagerduty: { routingKeys: { db: secret, bad: 5 } } as never,
      }),
    ) as TransformError;
    expect(error.message).not.toContain(secret);
  });
});
