import type { SignalLike } from '../signal-like';
import { transformFailed } from '../errors/transform-error';
import {
  readDataObject,
  readField,
  readText,
  type DataObject,
} from '../data-fields';
import { dropUndefined } from '../drop-undefined';
import {
  INCIDENT_ID_PLACEHOLDER,
  type ResolvedPagerDutyConfig,
} from './pagerduty-config';
import type {
  PagerDutyPayload,
  PagerDutyTriggerEvent,
} from './pagerduty-event';
import {
  hashDedupKey,
  readIncidentId,
  resolveRoutingKey,
} from './pagerduty-keys';
import { mapPagerDutySeverity } from './pagerduty-severity';

/** Name of the built-in PagerDuty trigger transform. */
export const PAGERDUTY_TRIGGER = 'pagerduty.trigger';

/** Maximum length of `payload.summary` that PagerDuty accepts. */
export const MAX_SUMMARY_LENGTH = 1024;

/** Value of `client` in every trigger event. */
export const PAGERDUTY_CLIENT = 'signalpost';

const ELLIPSIS = '\u2026';

/**
 * Creates the `pagerduty.trigger` transform, which turns a signal into a
 * PagerDuty Events API v2 trigger event. Fields that have no value are
 * omitted, never sent as `null`.
 *
 * The `dedup_key` is `data.incident_id`, else the hex SHA-256 of
 * `"<type>:<data.service>:<data.component>"`. `client_url` is sent only when
 * `clientUrl` is configured, and a template containing `{incident_id}` is sent
 * only for signals that carry an incident id, because a link without the id
 * would point nowhere.
 *
 * The transform throws TransformError when the signal's data is not an
 * object, when `source` is empty, when `data.incident_id` is longer than
 * PagerDuty accepts, or when no routing key applies.
 */
export function createPagerDutyTrigger(
  config: ResolvedPagerDutyConfig,
): (signal: SignalLike) => PagerDutyTriggerEvent {
  return (signal) => buildTriggerEvent(config, signal);
}

function buildTriggerEvent(
  config: ResolvedPagerDutyConfig,
  signal: SignalLike,
): PagerDutyTriggerEvent {
  const data = readDataObject(PAGERDUTY_TRIGGER, signal);
  const service = readText(data, 'service');
  const component = readText(data, 'component');
  const incidentId = readIncidentId(PAGERDUTY_TRIGGER, data);

  return dropUndefined({
    routing_key: resolveRoutingKey(PAGERDUTY_TRIGGER, config, service),
    event_action: 'trigger',
    dedup_key: incidentId ?? hashDedupKey(signal.type, service, component),
    payload: buildPayload(signal, data, service, component),
    client: PAGERDUTY_CLIENT,
    client_url: fillClientUrl(config.clientUrl, incidentId),
  });
}

function buildPayload(
  signal: SignalLike,
  data: DataObject,
  service: string | undefined,
  component: string | undefined,
): PagerDutyPayload {
  if (typeof signal.source !== 'string' || signal.source === '') {
    throw transformFailed(
      PAGERDUTY_TRIGGER,
      `The signal's source is empty, but PagerDuty requires payload.source`,
    );
  }
  const summary =
    readText(data, 'summary') ??
    (service === undefined ? signal.type : `${signal.type} on ${service}`);
  const hasData = signal.data !== undefined && signal.data !== null;

  return dropUndefined({
    summary: truncateSummary(summary),
    source: signal.source,
    severity: mapPagerDutySeverity(readField(data, 'severity')),
    timestamp: signal.time === '' ? undefined : signal.time,
    component,
    group: service,
    class: signal.type,
    custom_details: hasData ? data : undefined,
  });
}

function truncateSummary(summary: string): string {
  if (summary.length <= MAX_SUMMARY_LENGTH) {
    return summary;
  }
  let truncated = summary.slice(0, MAX_SUMMARY_LENGTH - ELLIPSIS.length);
  // Cutting between the halves of a surrogate pair would leave invalid text.
  if (/[\uD800-\uDBFF]$/.test(truncated)) {
    truncated = truncated.slice(0, -1);
  }
  return truncated + ELLIPSIS;
}

function fillClientUrl(
  template: string | undefined,
  incidentId: string | undefined,
): string | undefined {
  if (template === undefined || !template.includes(INCIDENT_ID_PLACEHOLDER)) {
    return template;
  }
  if (incidentId === undefined) {
    return undefined;
  }
  return template.replaceAll(
    INCIDENT_ID_PLACEHOLDER,
    encodeURIComponent(incidentId),
  );
}
