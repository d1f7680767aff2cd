import type { SignalLike } from '../signal-like';
import { transformFailed } from '../errors/transform-error';
import { readDataObject, readText } from '../data-fields';
import type { ResolvedPagerDutyConfig } from './pagerduty-config';
import type { PagerDutyResolveEvent } from './pagerduty-event';
import { readIncidentId, resolveRoutingKey } from './pagerduty-keys';

/** Name of the built-in PagerDuty resolve transform. */
export const PAGERDUTY_RESOLVE = 'pagerduty.resolve';

/**
 * Creates the `pagerduty.resolve` transform, which turns a signal into a
 * PagerDuty Events API v2 resolve event of exactly three fields:
 * `routing_key`, `event_action` and `dedup_key`.
 *
 * The transform throws TransformError when `data.incident_id` is missing and
 * when no routing key applies. No dedup key is derived for a resolve because
 * the trigger's derived key hashes the trigger's own type, which differs from
 * the type of the resolving signal.
 */
export function createPagerDutyResolve(
  config: ResolvedPagerDutyConfig,
): (signal: SignalLike) => PagerDutyResolveEvent {
  return (signal) => buildResolveEvent(config, signal);
}

function buildResolveEvent(
  config: ResolvedPagerDutyConfig,
  signal: SignalLike,
): PagerDutyResolveEvent {
  const data = readDataObject(PAGERDUTY_RESOLVE, signal);
  const incidentId = readIncidentId(PAGERDUTY_RESOLVE, data);
  if (incidentId === undefined) {
    throw transformFailed(
      PAGERDUTY_RESOLVE,
      `${PAGERDUTY_RESOLVE} requires data.incident_id, the dedup key of the alert to resolve`,
    );
  }

  const service = readText(data, 'service');
  return {
    routing_key: resolveRoutingKey(PAGERDUTY_RESOLVE, config, service),
    event_action: 'resolve',
    dedup_key: incidentId,
  };
}
