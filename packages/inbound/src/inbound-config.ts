import { INBOUND_DEFAULTS } from './inbound-defaults';

/** Name of a signature scheme that an inbound source can use. */
export type InboundVerifierName =
  'stripe' | 'github' | 'standard-webhooks' | 'hmac-sha256';

/** Options shared by every inbound verifier. */
export interface InboundSourceBase {
  /** Signature scheme of the provider. */
  verifier: InboundVerifierName;
  /**
   * Signing secret, or several during a rotation. A request passes when its
   * signature matches any of them. For `standard-webhooks` each secret is
   * `whsec_` followed by base64, and the other verifiers use its UTF-8 bytes.
   */
  secret: string | string[];
  /**
   * Prefix of every signal type from this source, such as `stripe` for
   * `stripe.invoice.paid`. Dot-separated segments of `[A-Za-z0-9_-]`.
   */
  typePrefix: string;
  /**
   * Maximum distance in seconds between the signed timestamp and the time of
   * arrival, in the past or the future. The boundary itself is accepted.
   * Ignored by `github` and `hmac-sha256`, whose signatures carry no
   * timestamp.
   * @defaultValue 300
   */
  toleranceSec?: number;
}

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex>` over `<t>.<body>`. */
export interface StripeSourceConfig extends InboundSourceBase {
  verifier: 'stripe';
}

/** GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body. */
export interface GithubSourceConfig extends InboundSourceBase {
  verifier: 'github';
}

/**
 * Standard Webhooks (Svix and others): `webhook-signature: v1,<base64>` over
 * `<webhook-id>.<webhook-timestamp>.<body>`.
 */
export interface StandardWebhooksSourceConfig extends InboundSourceBase {
  verifier: 'standard-webhooks';
}

/**
 * A generic HMAC-SHA256 of the body, sent in one header as hex or base64.
 * Exactly one of `typeField` and `typeHeader` is set, and exactly one of
 * `idField` and `idHeader`.
 */
export interface HmacSha256SourceConfig extends InboundSourceBase {
  verifier: 'hmac-sha256';
  /** Header that contains the signature, lower-cased when parsed. */
  header: string;
  /** Dot path of the event type in the JSON body, such as `event.type`. */
  typeField?: string;
  /** Header that contains the event type, lower-cased when parsed. */
  typeHeader?: string;
  /** Dot path of the event id in the JSON body, such as `event.id`. */
  idField?: string;
  /** Header that contains the event id, lower-cased when parsed. */
  idHeader?: string;
}

/** Configuration of one inbound webhook source, by verifier. */
export type InboundSourceConfig =
  | StripeSourceConfig
  | GithubSourceConfig
  | StandardWebhooksSourceConfig
  | HmacSha256SourceConfig;

/** Returns the configured secrets as a list. */
export function listSecrets(config: InboundSourceBase): readonly string[] {
  return typeof config.secret === 'string' ? [config.secret] : config.secret;
}

/** Returns the configured tolerance, or the default. */
export function resolveToleranceSec(config: InboundSourceBase): number {
  return config.toleranceSec ?? INBOUND_DEFAULTS.toleranceSec;
}
