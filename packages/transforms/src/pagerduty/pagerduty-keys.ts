import { createHash } from 'node:crypto';

import { transformFailed } from '../errors/transform-error';
import { readText, type DataObject } from '../data-fields';
import type { ResolvedPagerDutyConfig } from './pagerduty-config';

/** Maximum length of a dedup key that the PagerDuty Events API v2 accepts. */
export const MAX_DEDUP_KEY_LENGTH = 255;

/**
 * Returns the routing key for `data.service`, else the default routing key.
 *
 * @throws TransformError when neither is configured
 */
export function resolveRoutingKey(
  transform: string,
  config: ResolvedPagerDutyConfig,
  service: string | undefined,
): string {
  const key =
    (service === undefined ? undefined : config.routingKeys.get(service)) ??
    config.defaultRoutingKey;
  if (key !== undefined) {
    return key;
  }

  const named =
    service === undefined
      ? 'signals without data.service'
      : `service ${JSON.stringify(service)}`;
  throw transformFailed(
    transform,
    `No PagerDuty routing key is configured for ${named}. Set pagerduty.routingKeys for the service or pagerduty.defaultRoutingKey`,
  );
}

/**
 * Returns `data.incident_id` as text, or `undefined` when it is missing.
 *
 * @throws TransformError when the id is longer than PagerDuty accepts
 */
export function readIncidentId(
  transform: string,
  data: DataObject,
): string | undefined {
  const incidentId = readText(data, 'incident_id');
  if (incidentId !== undefined && incidentId.length > MAX_DEDUP_KEY_LENGTH) {
    throw transformFailed(
      transform,
      `data.incident_id is ${incidentId.length} characters long, but PagerDuty accepts at most ${MAX_DEDUP_KEY_LENGTH} in a dedup key`,
    );
  }
  return incidentId;
}

/**
 * Derives a dedup key as the hex SHA-256 of `"<type>:<service>:<component>"`,
 * so repeated signals about one component of one service share an alert.
 * A missing service or component is an empty string in the hashed text.
 */
export function hashDedupKey(
  type: string,
  service: string | undefined,
  component: string | undefined,
): string {
  const text = `${type}:${service ?? ''}:${component ?? ''}`;
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
