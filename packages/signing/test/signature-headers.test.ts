import {
  SIGNATURE_HEADER_NAMES,
  type SignatureScheme,
  signRequest,
  signatureHeadersFor,
} from '@signalpost/signing';

const SECRETS: Record<SignatureScheme, string> = {
  'standard-webhooks': `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
  'hmac-sha256': 'a hmac secret of some length',
  jido: 'a jido secret of some length',
};

describe('SIGNATURE_HEADER_NAMES', () => {
  it('lists every default signature header', () => {
    expect([...SIGNATURE_HEADER_NAMES].sort()).toEqual([
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
      'x-signature-256',
      'x-webhook-event',
      'x-webhook-signature',
      'x-webhook-timestamp',
    ]);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(SIGNATURE_HEADER_NAMES)).toBe(true);
  });
});

describe('signatureHeadersFor', () => {
  it.each(['standard-webhooks', 'hmac-sha256', 'jido'] as const)(
    'lists the headers that %s sets',
    (scheme) => {
      const headers = signRequest({
        scheme,
        secrets: [SECRETS[scheme]],
        webhookId: 'msg_1',
        timestampSec: 1_700_000_000,
        body: Buffer.from('{}'),
        eventType: 'order.created',
      });

      expect([...signatureHeadersFor(scheme)].sort()).toEqual(
        Object.keys(headers).sort(),
      );
    },
  );

  it('lists a custom hmac-sha256 header in lower case', () => {
    expect(signatureHeadersFor('hmac-sha256', 'X-Hub-Signature-256')).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'x-hub-signature-256',
    ]);
  });

  it('ignores a custom header for other schemes', () => {
    expect(signatureHeadersFor('jido', 'X-Custom')).not.toContain('x-custom');
  });
});
