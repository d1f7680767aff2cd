import {
  TRANSFORM_ERROR_CODES,
  TransformError,
} from '../errors/transform-error';
import { describeType } from '../data-fields';

/** Placeholder in {@link PagerDutyConfig.clientUrl} for the incident id. */
export const INCIDENT_ID_PLACEHOLDER = '{incident_id}';

/** Options of the `pagerduty.trigger` and `pagerduty.resolve` transforms. */
export interface PagerDutyConfig {
  /**
   * Events API v2 routing keys (integration keys) by the signal's
   * `data.service`.
   *
   * @defaultValue `{}`
   */
  readonly routingKeys?: Readonly<Record<string, string>>;
  /**
   * Routing key for services without an entry in `routingKeys`. Without it,
   * a signal for such a service fails to transform.
   *
   * @defaultValue none
   */
  readonly defaultRoutingKey?: string;
  /**
   * Absolute http or https URL sent as `client_url` on triggers. Every
   * `{incident_id}` in it is replaced by the URL-encoded `data.incident_id`.
   *
   * @defaultValue none: no `client_url` is sent
   */
  readonly clientUrl?: string;
}

/** A validated, frozen {@link PagerDutyConfig}. */
export interface ResolvedPagerDutyConfig {
  /** Routing keys by service name. */
  readonly routingKeys: ReadonlyMap<string, string>;
  /** Routing key for services without their own. */
  readonly defaultRoutingKey: string | undefined;
  /** `client_url` template. */
  readonly clientUrl: string | undefined;
}

/**
 * Validates PagerDuty options and returns a frozen copy. Messages name the
 * option and the rule but never show a routing key.
 *
 * @throws TransformError with code `SIGNALPOST_ERR_TRANSFORM_CONFIG_INVALID`
 */
export function resolvePagerDutyConfig(
  config: PagerDutyConfig = {},
): ResolvedPagerDutyConfig {
  if (!isPlainObject(config)) {
    throw invalidConfig(
      `pagerduty must be an object, got ${describeType(config)}`,
    );
  }
  return Object.freeze({
    routingKeys: resolveRoutingKeys(config.routingKeys),
    defaultRoutingKey: resolveDefaultRoutingKey(config.defaultRoutingKey),
    clientUrl: resolveClientUrl(config.clientUrl),
  });
}

function resolveRoutingKeys(routingKeys: unknown): Map<string, string> {
  const resolved = new Map<string, string>();
  if (routingKeys === undefined) {
    return resolved;
  }
  if (!isPlainObject(routingKeys)) {
    throw invalidConfig(
      `pagerduty.routingKeys must be an object of service names to routing keys, got ${describeType(routingKeys)}`,
    );
  }

  for (const [service, key] of Object.entries(routingKeys)) {
    if (typeof key !== 'string' || key.trim() === '') {
      throw invalidConfig(
        `pagerduty.routingKeys[${JSON.stringify(service)}] must be a non-empty string, got ${describeType(key)}`,
      );
    }
    resolved.set(service, key);
  }
  return resolved;
}

function resolveDefaultRoutingKey(key: unknown): string | undefined {
  if (key === undefined) {
    return undefined;
  }
  if (typeof key !== 'string' || key.trim() === '') {
    throw invalidConfig(
      `pagerduty.defaultRoutingKey must be a non-empty string, got ${describeType(key)}`,
    );
  }
  return key;
}

function resolveClientUrl(template: unknown): string | undefined {
  if (template === undefined) {
    return undefined;
  }
  const rule = `pagerduty.clientUrl must be an absolute http or https URL, optionally containing ${INCIDENT_ID_PLACEHOLDER}`;
  if (typeof template !== 'string') {
    throw invalidConfig(`${rule}, got ${describeType(template)}`);
  }

  const sample = template.replaceAll(INCIDENT_ID_PLACEHOLDER, 'incident');
  if (!URL.canParse(sample)) {
    throw invalidConfig(`${rule}, got a string that does not parse as a URL`);
  }
  const protocol = new URL(sample).protocol;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw invalidConfig(`${rule}, got a URL with protocol ${protocol}`);
  }
  return template;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidConfig(message: string): TransformError {
  return new TransformError(TRANSFORM_ERROR_CODES.configInvalid, message);
}
