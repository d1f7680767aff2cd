import {
  type InboundSourceConfig,
  MAX_EVENT_ID_LENGTH,
  parseInboundConfig,
  verifyInbound,
} from '../src';
import {
  GITHUB_SECRET,
  hmacDigest,
  inboundRequest,
  messageOf,
  NOW_SEC,
  outcome,
  STANDARD_SECRET,
  STRIPE_SECRET,
  stripeHeader,
  svixSignature,
} from './support/signed-requests';

const stripeConfig = parseInboundConfig('stripe', {
  verifier: 'stripe',
  secret: STRIPE_SECRET,
  typePrefix: 'stripe',
});
const githubConfig = parseInboundConfig('github', {
  verifier: 'github',
  secret: GITHUB_SECRET,
  typePrefix: 'github',
});
const standardConfig = parseInboundConfig('billing', {
  verifier: 'standard-webhooks',
  secret: STANDARD_SECRET,
  typePrefix: 'billing',
});

function stripeRequest(body: string) {
  const header = stripeHeader(body);
  return inboundRequest({ 'stripe-signature': header }, body);
}

function githubRequest(body: string | Buffer) {
  const signature = `sha256=${hmacDigest(GITHUB_SECRET, body).toString('hex')}`;
  const headers = {
    'x-hub-signature-256': signature,
    'x-github-event': 'push',
    'x-github-delivery': 'd-1',
  };
  return inboundRequest(headers, body);
}

describe('verifyInbound', () => {
  describe('when the signature is valid but the body is not JSON', () => {
    it.each([
      { title: 'truncated JSON', body: '{"type":"a","id":"b"' },
      { title: 'empty body', body: '' },
      { title: 'plain text', body: 'type=a&id=b' },
    ])('rejects $title as invalid_json', ({ body }) => {
      const result = verifyInbound(githubConfig, githubRequest(body));

      expect(outcome(result)).toBe('invalid_json');
      expect(messageOf(result)).toBe('body is not valid JSON');
    });

    it('rejects invalid UTF-8 as invalid_json', () => {
      const body = Buffer.concat([
        Buffer.from('{"type":"a","id":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]);
      const result = verifyInbound(githubConfig, githubRequest(body));

      expect(outcome(result)).toBe('invalid_json');
      expect(messageOf(result)).toBe('body is not valid UTF-8');
    });
  });

  it('checks the signature before parsing', () => {
    const request = inboundRequest(
      { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      'not json',
    );

    expect(outcome(verifyInbound(githubConfig, request))).toBe(
      'invalid_signature',
    );
  });

  it('parses the bytes exactly as signed', () => {
    const body =
      '{"type":"a.b","id":"evt_1","amount":1.10,"big":12345678901234567890}';
    const result = verifyInbound(stripeConfig, stripeRequest(body));

    expect(result).toEqual({
      ok: true,
      eventType: 'a.b',
      eventId: 'evt_1',
      payload: JSON.parse(body),
    });
  });

  describe('when the event type or id is unusable', () => {
    it.each([
      {
        title: 'missing type',
        body: { id: 'evt_1' },
        part: 'missing event type: expected a non-empty string in body field "type"',
      },
      {
        title: 'empty type',
        body: { type: '', id: 'evt_1' },
        part: 'missing event type',
      },
      {
        title: 'numeric type',
        body: { type: 7, id: 'evt_1' },
        part: 'missing event type',
      },
      {
        title: 'missing id',
        body: { type: 'a' },
        part: 'missing event id: expected a non-empty string or an integer in body field "id"',
      },
      {
        title: 'empty id',
        body: { type: 'a', id: '' },
        part: 'missing event id',
      },
      {
        title: 'fractional id',
        body: { type: 'a', id: 1.5 },
        part: 'missing event id',
      },
      { title: 'array body', body: [1, 2], part: 'missing event type' },
      { title: 'null body', body: null, part: 'missing event type' },
      {
        title: 'overlong id',
        body: { type: 'a', id: 'x'.repeat(MAX_EVENT_ID_LENGTH + 1) },
        part: `event id in body field "id" is longer than ${MAX_EVENT_ID_LENGTH} characters`,
      },
    ])('rejects $title as validation_failed', ({ body, part }) => {
      const result = verifyInbound(
        stripeConfig,
        stripeRequest(JSON.stringify(body)),
      );

      expect(outcome(result)).toBe('validation_failed');
      expect(messageOf(result)).toContain(part);
    });

    it('accepts an id at the length limit', () => {
      const id = 'x'.repeat(MAX_EVENT_ID_LENGTH);
      const result = verifyInbound(
        stripeConfig,
        stripeRequest(JSON.stringify({ type: 'a', id })),
      );

      expect(result).toMatchObject({ ok: true, eventId: id });
    });

    it('rejects a missing standard-webhooks type', () => {
      const body = JSON.stringify({ data: {} });
      const headers = {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(NOW_SEC),
        'webhook-signature': svixSignature(body, 'msg_1'),
      };
      const result = verifyInbound(
        standardConfig,
        inboundRequest(headers, body),
      );

      expect(outcome(result)).toBe('validation_failed');
      expect(messageOf(result)).toContain('body field "type"');
    });
  });

  describe('when several secrets are configured', () => {
    const secrets = ['first-secret', 'second-secret', 'third-secret'];
    const configs: InboundSourceConfig[] = [
      { ...stripeConfig, secret: secrets },
      { ...githubConfig, secret: secrets },
    ];

    it.each(secrets)('accepts a signature by %s', (secret) => {
      const body = JSON.stringify({ type: 'a', id: 'b' });
      const stripeResult = verifyInbound(
        configs[0]!,
        inboundRequest(
          { 'stripe-signature': stripeHeader(body, secret) },
          body,
        ),
      );
      const githubHeaders = {
        'x-hub-signature-256': `sha256=${hmacDigest(secret, body).toString('hex')}`,
        'x-github-event': 'push',
        'x-github-delivery': 'd-1',
      };
      const githubResult = verifyInbound(
        configs[1]!,
        inboundRequest(githubHeaders, body),
      );

      expect(outcome(stripeResult)).toBe('ok');
      expect(outcome(githubResult)).toBe('ok');
    });

    it('rejects a signature by none', () => {
      const body = JSON.stringify({ type: 'a', id: 'b' });
      const request = inboundRequest(
        { 'stripe-signature': stripeHeader(body, 'fourth-secret') },
        body,
      );

      expect(outcome(verifyInbound(configs[0]!, request))).toBe(
        'invalid_signature',
      );
    });
  });

  it('throws a coded error for an unknown verifier', () => {
    const config = {
      ...githubConfig,
      verifier: 'gitlab',
    } as unknown as InboundSourceConfig;

    expect(() => verifyInbound(config, inboundRequest({}, '{}'))).toThrow(
      expect.objectContaining({
        code: 'SIGNALPOST_ERR_INBOUND_CONFIG_INVALID',
      }),
    );
  });

  it('throws a coded error for an unset type source', () => {
    const body = '{"type":"a","id":"b"}';
    const config: InboundSourceConfig = {
      verifier: 'hmac-sha256',
      secret: 's',
      typePrefix: 'p',
      header: 'x-sig',
      idField: 'id',
    };
    const headers = { 'x-sig': hmacDigest('s', body).toString('hex') };

    expect(() => verifyInbound(config, inboundRequest(headers, body))).toThrow(
      expect.objectContaining({
        message: expect.stringContaining(
          'typeField: set exactly one of typeField and typeHeader',
        ),
      }),
    );
  });

  it('throws a coded error for a bad standard-webhooks secret', () => {
    const config = { ...standardConfig, secret: 'not-a-whsec-secret' };
    const headers = {
      'webhook-id': 'm',
      'webhook-timestamp': String(NOW_SEC),
      'webhook-signature': 'v1,AAAA',
    };

    expect(() => verifyInbound(config, inboundRequest(headers, '{}'))).toThrow(
      expect.objectContaining({
        code: 'SIGNALPOST_ERR_INBOUND_CONFIG_INVALID',
      }),
    );
  });
});
