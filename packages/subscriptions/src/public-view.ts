import type { SecretSource, Subscription, Target } from './subscription';

/** How a secret appears in API responses: never its value. */
export interface SecretView {
  readonly set: true;
  readonly kind: 'literal' | 'env' | 'file';
}

/**
 * Replaces each secret with `{"set": true, "kind"}` for an API response, and
 * leaves `signatureHeader` out of targets of other schemes than hmac-sha256.
 */
export function toPublicSubscription(subscription: Subscription): unknown {
  return {
    ...subscription,
    dispatch: subscription.dispatch.map(toPublicTarget),
  };
}

function toPublicTarget(target: Target): unknown {
  const view: Record<string, unknown> = { ...target };
  if ('secret' in target && target.secret) {
    const secrets = target.secret.map(describeSecret);
    view.secret = secrets.length === 1 ? secrets[0] : secrets;
  }
  // Older records carry the default header on targets of every scheme.
  if (target.adapter === 'webhook' && target.signature !== 'hmac-sha256')
    delete view.signatureHeader;
  if (target.fallback) view.fallback = toPublicTarget(target.fallback);
  return view;
}

function describeSecret(source: SecretSource): SecretView {
  if (typeof source === 'string') return { set: true, kind: 'literal' };
  return { set: true, kind: 'env' in source ? 'env' : 'file' };
}
