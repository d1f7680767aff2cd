import { createHmac, randomBytes } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import {
  SIGNING_ERROR_CODES,
  type SignInput,
  SigningError,
  signRequest,
} from '@signalpost/signing';

const BODY = Buffer.from('{"msg":"café 🚀"}', 'utf8');

function standardSecret(keyBytes = 32): string {
  return `whsec_${randomBytes(keyBytes).toString('base64')}`;
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function input(overrides: Partial<SignInput>): SignInput {
  return {
    scheme: 'standard-webhooks',
    secrets: [standardSecret()],
    webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    timestampSec: nowSec(),
    body: BODY,
    eventType: 'order.created',
    ...overrides,
  };
}

function hmacHex(secret: string, ...parts: (string | Buffer)[]): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  parts.forEach((part) => mac.update(part));
  return mac.digest('hex');
}

describe('signRequest', () => {
  describe('with the standard-webhooks scheme', () => {
    it('verifies with the standardwebhooks package', () => {
      const secret = standardSecret();
      const headers = signRequest(input({ secrets: [secret] }));

      expect(() => new Webhook(secret).verify(BODY, headers)).not.toThrow();
    });

    it('signs the raw UTF-8 body bytes', () => {
      const secret = standardSecret();
      const headers = signRequest(input({ secrets: [secret] }));

      const verified = new Webhook(secret).verify(BODY.toString(), headers);
      expect(verified).toEqual({ msg: 'café 🚀' });
    });

    it('rejects a tampered body', () => {
      const secret = standardSecret();
      const headers = signRequest(input({ secrets: [secret] }));
      const tampered = Buffer.from('{"msg":"cafe 🚀"}', 'utf8');

      expect(() => new Webhook(secret).verify(tampered, headers)).toThrow(
        'No matching signature found',
      );
    });

    it('rejects a verifier with another secret', () => {
      const headers = signRequest(input({ secrets: [standardSecret()] }));

      expect(() => new Webhook(standardSecret()).verify(BODY, headers)).toThrow(
        'No matching signature found',
      );
    });

    it('signs with every secret while rotating', () => {
      const oldSecret = standardSecret(24);
      const newSecret = standardSecret(64);
      const headers = signRequest(input({ secrets: [oldSecret, newSecret] }));

      expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
      expect(() => new Webhook(oldSecret).verify(BODY, headers)).not.toThrow();
      expect(() => new Webhook(newSecret).verify(BODY, headers)).not.toThrow();
    });

    it('matches an independent HMAC of id, timestamp and body', () => {
      const secret = standardSecret();
      const request = input({ secrets: [secret] });
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      const expected = createHmac('sha256', key)
        .update(`${request.webhookId}.${request.timestampSec}.`)
        .update(BODY)
        .digest('base64');

      const headers = signRequest(request);

      expect(headers).toEqual({
        'webhook-id': request.webhookId,
        'webhook-timestamp': String(request.timestampSec),
        'webhook-signature': `v1,${expected}`,
      });
    });
  });

  describe('with the hmac-sha256 scheme', () => {
    const secret = 'a hmac secret of some length';

    it('sends sha256= and the hex HMAC of the body', () => {
      const request = input({ scheme: 'hmac-sha256', secrets: [secret] });

      const headers = signRequest(request);

      expect(headers).toEqual({
        'webhook-id': request.webhookId,
        'webhook-timestamp': String(request.timestampSec),
        'x-signature-256': `sha256=${hmacHex(secret, BODY)}`,
      });
    });

    it('uses a custom signature header', () => {
      const request = input({
        scheme: 'hmac-sha256',
        secrets: [secret],
        signatureHeader: 'X-Hub-Signature-256',
      });

      const headers = signRequest(request);

      expect(headers['x-hub-signature-256']).toBe(
        `sha256=${hmacHex(secret, BODY)}`,
      );
      expect(headers['x-signature-256']).toBeUndefined();
    });

    it('signs with the first secret only while rotating', () => {
      const second = 'the next hmac secret here';
      const request = input({
        scheme: 'hmac-sha256',
        secrets: [secret, second],
      });

      const headers = signRequest(request);

      expect(headers['x-signature-256']).toBe(
        `sha256=${hmacHex(secret, BODY)}`,
      );
    });

    it.each(['bad header', 'x-sig:', '', 'Webhook-Id', 'webhook-timestamp'])(
      'rejects signature header %j',
      (signatureHeader) => {
        const request = input({
          scheme: 'hmac-sha256',
          secrets: [secret],
          signatureHeader,
        });

        expect(() => signRequest(request)).toThrow(
          expect.objectContaining({ code: SIGNING_ERROR_CODES.invalidInput }),
        );
      },
    );
  });

  describe('with the jido scheme', () => {
    const secret = 'a jido secret of some length';

    it('signs timestamp and body as the Jido adapter does', () => {
      const request = input({ scheme: 'jido', secrets: [secret] });
      const timestamp = String(request.timestampSec);

      const headers = signRequest(request);

      expect(headers).toEqual({
        'webhook-id': request.webhookId,
        'webhook-timestamp': timestamp,
        'x-webhook-signature': hmacHex(secret, `${timestamp}.`, BODY),
        'x-webhook-timestamp': timestamp,
        'x-webhook-event': 'order.created',
      });
    });

    it('signs with the first secret only while rotating', () => {
      const request = input({
        scheme: 'jido',
        secrets: [secret, 'the next jido secret here'],
      });
      const timestamp = String(request.timestampSec);

      const headers = signRequest(request);

      expect(headers['x-webhook-signature']).toBe(
        hmacHex(secret, `${timestamp}.`, BODY),
      );
    });

    it('rejects an event type that cannot be a header', () => {
      const request = input({
        scheme: 'jido',
        secrets: [secret],
        eventType: 'order\r\ncreated',
      });

      expect(() => signRequest(request)).toThrow(
        expect.objectContaining({ code: SIGNING_ERROR_CODES.invalidInput }),
      );
    });
  });

  describe('without secrets', () => {
    it.each(['standard-webhooks', 'hmac-sha256', 'jido'] as const)(
      'returns only id and timestamp for %s',
      (scheme) => {
        const request = input({ scheme, secrets: [] });

        expect(signRequest(request)).toEqual({
          'webhook-id': request.webhookId,
          'webhook-timestamp': String(request.timestampSec),
        });
      },
    );
  });

  describe('when a secret was seen before', () => {
    it('signs a fresh timestamp each time', () => {
      const secret = standardSecret();
      const first = signRequest(input({ secrets: [secret], timestampSec: 1 }));
      const second = signRequest(input({ secrets: [secret], timestampSec: 2 }));

      expect(second['webhook-signature']).not.toBe(first['webhook-signature']);
      expect(() => new Webhook(secret).verify(BODY, second)).toThrow(
        'Message timestamp too old',
      );
    });

    it('keys one secret per scheme apart', () => {
      // A Standard Webhooks secret is also a valid hmac-sha256 secret, whose
      // key is its UTF-8 text rather than the decoded bytes.
      const secret = standardSecret();
      signRequest(input({ scheme: 'standard-webhooks', secrets: [secret] }));
      const headers = signRequest(
        input({ scheme: 'hmac-sha256', secrets: [secret] }),
      );

      expect(headers['x-signature-256']).toBe(
        `sha256=${hmacHex(secret, BODY)}`,
      );
    });

    it('rejects an invalid secret again', () => {
      const bad = 'whsec_!!!!-not-base64-secret';
      const sign = (): unknown => signRequest(input({ secrets: [bad] }));

      expect(sign).toThrow(
        expect.objectContaining({ code: SIGNING_ERROR_CODES.invalidSecret }),
      );
      expect(sign).toThrow(
        expect.objectContaining({ code: SIGNING_ERROR_CODES.invalidSecret }),
      );
    });

    it('signs past the key cache size', () => {
      const secrets = Array.from({ length: 1_001 }, () => standardSecret());
      for (const secret of secrets) signRequest(input({ secrets: [secret] }));
      const secret = secrets[0] as string;
      const headers = signRequest(input({ secrets: [secret] }));

      expect(() => new Webhook(secret).verify(BODY, headers)).not.toThrow();
    });
  });

  describe('with invalid input', () => {
    it('rejects an invalid secret without revealing it', () => {
      const good = standardSecret();
      const bad = 'whsec_!!!!-not-base64-secret';
      let caught: unknown;

      try {
        signRequest(input({ secrets: [good, bad] }));
      } catch (error) {
        caught = error;
      }

      expect(caught).toBeInstanceOf(SigningError);
      const error = caught as SigningError;
      expect(error.code).toBe(SIGNING_ERROR_CODES.invalidSecret);
      expect(error.message).toMatch(/^secret 2 of 2 is invalid/);
      expect(error.message).not.toContain(bad);
      expect(error.message).not.toContain(good);
    });

    it.each([1.5, -1, Number.NaN])('rejects timestamp %p', (timestampSec) => {
      expect(() => signRequest(input({ timestampSec }))).toThrow(
        expect.objectContaining({ code: SIGNING_ERROR_CODES.invalidInput }),
      );
    });

    it.each(['', 'msg 1', 'msg_1\n'])('rejects webhook id %j', (webhookId) => {
      expect(() => signRequest(input({ webhookId }))).toThrow(
        expect.objectContaining({ code: SIGNING_ERROR_CODES.invalidInput }),
      );
    });
  });
});
