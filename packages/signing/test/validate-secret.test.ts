import { randomBytes } from 'node:crypto';

import { type SignatureScheme, validateSecret } from '@signalpost/signing';

function whsec(keyBytes: number): string {
  return `whsec_${randomBytes(keyBytes).toString('base64')}`;
}

const VALID: [SignatureScheme, string, string][] = [
  ['standard-webhooks', '24 decoded bytes', whsec(24)],
  ['standard-webhooks', '32 decoded bytes', whsec(32)],
  ['standard-webhooks', '64 decoded bytes', whsec(64)],
  ['hmac-sha256', '16 ASCII bytes', '0123456789abcdef'],
  ['hmac-sha256', '16 bytes from 8 characters', 'éééééééé'],
  ['jido', '16 ASCII bytes', '0123456789abcdef'],
  ['jido', 'a long secret', 'x'.repeat(500)],
];

const INVALID: [SignatureScheme, string, string, RegExp][] = [
  ['standard-webhooks', '23 decoded bytes', whsec(23), /24 to 64 bytes/],
  ['standard-webhooks', '65 decoded bytes', whsec(65), /24 to 64 bytes/],
  ['standard-webhooks', 'no prefix', whsec(32).slice(6), /start with/],
  ['standard-webhooks', 'a v1, prefix', `v1,${whsec(32)}`, /start with/],
  ['standard-webhooks', 'an empty key', 'whsec_', /24 to 64 bytes/],
  ['standard-webhooks', 'symbols', 'whsec_!!!!', /base64/],
  [
    'standard-webhooks',
    'URL-safe base64',
    `whsec_${'-_'.repeat(16)}`,
    /base64/,
  ],
  ['standard-webhooks', 'missing padding', whsec(32).slice(0, -1), /base64/],
  ['standard-webhooks', 'a trailing newline', `${whsec(32)}\n`, /base64/],
  [
    'standard-webhooks',
    'inner whitespace',
    `whsec_${'A'.repeat(20)} ${'A'.repeat(23)}=`,
    /base64/,
  ],
  [
    'standard-webhooks',
    'non-zero trailing bits',
    `whsec_${'A'.repeat(42)}B=`,
    /base64/,
  ],
  ['hmac-sha256', '15 bytes', '0123456789abcde', /at least 16 bytes/],
  ['hmac-sha256', 'an empty string', '', /at least 16 bytes/],
  ['jido', '15 bytes', '0123456789abcde', /at least 16 bytes/],
  ['jido', '7 two-byte characters', 'ééééééé', /at least 16 bytes/],
];

describe('validateSecret', () => {
  it.each(VALID)('accepts a %s secret of %s', (scheme, _case, secret) => {
    expect(validateSecret(scheme, secret)).toBeUndefined();
  });

  it.each(INVALID)(
    'rejects a %s secret with %s',
    (scheme, _case, secret, message) => {
      expect(validateSecret(scheme, secret)).toMatch(message);
    },
  );

  it.each(INVALID)(
    'keeps a %s secret with %s out of the message',
    (scheme, _case, secret) => {
      const message = validateSecret(scheme, secret) ?? '';
      const key = secret.replace(/^whsec_/, '');

      if (key.length > 0) expect(message).not.toContain(key);
    },
  );

  it('rejects an unknown scheme', () => {
    const scheme = 'md5' as SignatureScheme;

    expect(validateSecret(scheme, whsec(32))).toMatch(/unknown signature/);
  });
});
