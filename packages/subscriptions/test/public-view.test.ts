import { toPublicSubscription } from '../src/public-view';
import type { Subscription, WebhookTarget } from '../src/subscription';

function subscriptionWith(target: Partial<WebhookTarget>): Subscription {
  return {
    id: 'orders',
    pattern: 'order.*',
    dispatch: [
      {
        id: 'orders#0',
        adapter: 'webhook',
        url: 'https://example.com/hook',
        secret: ['whsec_c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1zdGF5LWhpZGRlbg=='],
        signature: 'standard-webhooks',
        ...target,
      },
    ],
  } as unknown as Subscription;
}

function firstTarget(view: unknown): Record<string, unknown> {
  return (view as { dispatch: Record<string, unknown>[] }).dispatch[0] ?? {};
}

describe('toPublicSubscription', () => {
  it('describes a literal secret without its value', () => {
    const view = toPublicSubscription(subscriptionWith({}));
    expect(firstTarget(view).secret).toEqual({ set: true, kind: 'literal' });
    expect(JSON.stringify(view)).not.toContain('whsec_');
  });

  it('keeps signatureHeader of an hmac-sha256 target', () => {
    const view = toPublicSubscription(
      subscriptionWith({
        signature: 'hmac-sha256',
        signatureHeader: 'X-Hub-Signature-256',
      }),
    );
    expect(firstTarget(view).signatureHeader).toBe('X-Hub-Signature-256');
  });

  it('drops a stored signatureHeader of other schemes', () => {
    const view = toPublicSubscription(
      subscriptionWith({ signatureHeader: 'X-Signature-256' }),
    );
    expect(firstTarget(view)).not.toHaveProperty('signatureHeader');
  });
});
