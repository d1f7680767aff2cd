import { InboundConfigError, parseInboundConfig } from '../src';

const SECRET = 'whsec_ZG8tbm90LWVjaG8tbWUtc2VjcmV0';

function issuesOf(
  name: string,
  raw: unknown,
): { key: string; message: string }[] {
  try {
    parseInboundConfig(name, raw);
  } catch (error) {
    if (error instanceof InboundConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected parseInboundConfig to throw');
}

describe('parseInboundConfig', () => {
  describe('when the configuration is valid', () => {
    it.each(['stripe', 'github', 'standard-webhooks'])(
      'accepts %s with defaults',
      (verifier) => {
        const config = parseInboundConfig('source', {
          verifier,
          secret: SECRET,
          typePrefix: 'acme.events',
        });

        expect(config).toEqual({
          verifier,
          secret: SECRET,
          typePrefix: 'acme.events',
          toleranceSec: 300,
        });
      },
    );

    it('keeps an explicit tolerance', () => {
      const config = parseInboundConfig('s', {
        verifier: 'stripe',
        secret: 'x',
        typePrefix: 'p',
        toleranceSec: 0,
      });

      expect(config.toleranceSec).toBe(0);
    });

    it('lower-cases hmac-sha256 header names', () => {
      const config = parseInboundConfig('shop', {
        verifier: 'hmac-sha256',
        secret: ['old', 'new'],
        typePrefix: 'shop',
        header: 'X-Shop-Hmac-SHA256',
        typeHeader: 'X-Shop-Topic',
        idField: 'event.id',
      });

      expect(config).toEqual({
        verifier: 'hmac-sha256',
        secret: ['old', 'new'],
        typePrefix: 'shop',
        toleranceSec: 300,
        header: 'x-shop-hmac-sha256',
        typeHeader: 'x-shop-topic',
        idField: 'event.id',
      });
    });

    it('freezes the result', () => {
      const config = parseInboundConfig('s', {
        verifier: 'github',
        secret: ['a', 'b'],
        typePrefix: 'p',
      });

      expect(Object.isFrozen(config)).toBe(true);
      expect(Object.isFrozen(config.secret)).toBe(true);
    });

    it('does not modify its input', () => {
      const raw = { verifier: 'github', secret: 'a', typePrefix: 'p' };
      parseInboundConfig('s', raw);

      expect(raw).toEqual({ verifier: 'github', secret: 'a', typePrefix: 'p' });
    });
  });

  describe('when the configuration is invalid', () => {
    const base = { verifier: 'stripe', secret: SECRET, typePrefix: 'stripe' };
    const hmacBase = {
      verifier: 'hmac-sha256',
      secret: SECRET,
      typePrefix: 'shop',
      header: 'x-sig',
      typeField: 'type',
      idField: 'id',
    };

    it.each([
      {
        title: 'not an object',
        name: 's',
        raw: SECRET,
        key: 'inbound.s',
        part: 'must be an object, got a string',
      },
      {
        title: 'an array',
        name: 's',
        raw: [base],
        key: 'inbound.s',
        part: 'must be an object, got an array',
      },
      {
        title: 'null',
        name: 's',
        raw: null,
        key: 'inbound.s',
        part: 'must be an object, got null',
      },
      {
        title: 'misspelled verifier',
        name: 's',
        raw: { ...base, verifier: 'strpe' },
        key: 'inbound.s.verifier',
        part: 'must be one of stripe, github, standard-webhooks, hmac-sha256, got "strpe"',
      },
      {
        title: 'missing verifier',
        name: 's',
        raw: { secret: SECRET },
        key: 'inbound.s.verifier',
        part: 'got nothing',
      },
      {
        title: 'missing secret',
        name: 's',
        raw: { ...base, secret: undefined },
        key: 'inbound.s.secret',
        part: 'must be a non-empty string',
      },
      {
        title: 'empty secret',
        name: 's',
        raw: { ...base, secret: '' },
        key: 'inbound.s.secret',
        part: 'must be a non-empty string',
      },
      {
        title: 'empty secret list',
        name: 's',
        raw: { ...base, secret: [] },
        key: 'inbound.s.secret',
        part: 'non-empty list',
      },
      {
        title: 'empty secret in a list',
        name: 's',
        raw: { ...base, secret: [SECRET, ''] },
        key: 'inbound.s.secret.1',
        part: 'non-empty',
      },
      {
        title: 'numeric secret',
        name: 's',
        raw: { ...base, secret: 12345 },
        key: 'inbound.s.secret',
        part: 'must be a non-empty string',
      },
      {
        title: 'missing typePrefix',
        name: 's',
        raw: { ...base, typePrefix: undefined },
        key: 'inbound.s.typePrefix',
        part: 'got nothing',
      },
      {
        title: 'empty typePrefix segment',
        name: 's',
        raw: { ...base, typePrefix: 'a..b' },
        key: 'inbound.s.typePrefix',
        part: 'dot-separated segments',
      },
      {
        title: 'typePrefix with a slash',
        name: 's',
        raw: { ...base, typePrefix: 'a/b' },
        key: 'inbound.s.typePrefix',
        part: 'got "a/b"',
      },
      {
        title: 'overlong typePrefix',
        name: 's',
        raw: { ...base, typePrefix: 'a'.repeat(254) },
        key: 'inbound.s.typePrefix',
        part: 'at most 253 characters',
      },
      {
        title: 'typePrefix of 64 segments',
        name: 's',
        raw: { ...base, typePrefix: Array(64).fill('a').join('.') },
        key: 'inbound.s.typePrefix',
        part: '63 segments',
      },
      {
        title: 'fractional toleranceSec',
        name: 's',
        raw: { ...base, toleranceSec: 1.5 },
        key: 'inbound.s.toleranceSec',
        part: 'got 1.5',
      },
      {
        title: 'negative toleranceSec',
        name: 's',
        raw: { ...base, toleranceSec: -1 },
        key: 'inbound.s.toleranceSec',
        part: 'from 0 to 86400',
      },
      {
        title: 'toleranceSec in ms',
        name: 's',
        raw: { ...base, toleranceSec: 300_000 },
        key: 'inbound.s.toleranceSec',
        part: 'got 300000',
      },
      {
        title: 'string toleranceSec',
        name: 's',
        raw: { ...base, toleranceSec: '300' },
        key: 'inbound.s.toleranceSec',
        part: 'got "300"',
      },
      {
        title: 'unknown key',
        name: 's',
        raw: { ...base, tolerance: 300 },
        key: 'inbound.s.tolerance',
        part: 'is not an option of this verifier',
      },
      {
        title: 'hmac option on stripe',
        name: 's',
        raw: { ...base, header: 'x' },
        key: 'inbound.s.header',
        part: 'is not an option',
      },
      {
        title: 'raw secret for standard-webhooks',
        name: 's',
        raw: { ...base, verifier: 'standard-webhooks', secret: 'plain-secret' },
        key: 'inbound.s.secret',
        part: 'whsec_ followed by',
      },
      {
        title: 'bad base64 in a whsec secret',
        name: 's',
        raw: {
          ...base,
          verifier: 'standard-webhooks',
          secret: ['whsec_AAAA', 'whsec_***'],
        },
        key: 'inbound.s.secret.1',
        part: 'whsec_ followed by',
      },
      {
        title: 'empty whsec key',
        name: 's',
        raw: { ...base, verifier: 'standard-webhooks', secret: 'whsec_' },
        key: 'inbound.s.secret',
        part: 'non-empty base64 key',
      },
      {
        title: 'missing hmac header',
        name: 's',
        raw: { ...hmacBase, header: undefined },
        key: 'inbound.s.header',
        part: 'must be an HTTP header name, got nothing',
      },
      {
        title: 'header with a space',
        name: 's',
        raw: { ...hmacBase, header: 'X Sig' },
        key: 'inbound.s.header',
        part: 'got "X Sig"',
      },
      {
        title: 'neither typeField nor typeHeader',
        name: 's',
        raw: { ...hmacBase, typeField: undefined },
        key: 'inbound.s.typeField',
        part: 'set exactly one of typeField and typeHeader',
      },
      {
        title: 'both idField and idHeader',
        name: 's',
        raw: { ...hmacBase, idHeader: 'x-id' },
        key: 'inbound.s.idField',
        part: 'set exactly one of idField and idHeader',
      },
      {
        title: 'empty key in a field path',
        name: 's',
        raw: { ...hmacBase, typeField: 'event..type' },
        key: 'inbound.s.typeField',
        part: 'dot path of non-empty keys',
      },
      {
        title: 'empty source name',
        name: '',
        raw: base,
        key: 'inbound.',
        part: 'source name must be 1 to 64',
      },
      {
        title: 'source name with a dot',
        name: 'a.b',
        raw: base,
        key: 'inbound.a.b',
        part: 'got "a.b"',
      },
      {
        title: 'overlong source name',
        name: 'n'.repeat(65),
        raw: base,
        key: `inbound.${'n'.repeat(65)}`,
        part: 'source name must be 1 to 64',
      },
    ])('rejects $title', ({ name, raw, key, part }) => {
      const issues = issuesOf(name, raw);
      const issue = issues.find((candidate) => candidate.key === key);

      expect(issues.map((candidate) => candidate.key)).toContain(key);
      expect(issue?.message).toContain(part);
      for (const { message } of issues) expect(message).not.toContain(SECRET);
    });

    it('reports every invalid key at once', () => {
      const keys = issuesOf('s', {
        ...base,
        typePrefix: '',
        toleranceSec: -5,
        extra: 1,
      }).map(({ key }) => key);

      expect(keys.sort()).toEqual([
        'inbound.s.extra',
        'inbound.s.toleranceSec',
        'inbound.s.typePrefix',
      ]);
    });

    it('throws an error with a stable code', () => {
      expect(() => parseInboundConfig('s', {})).toThrow(
        expect.objectContaining({
          name: 'InboundConfigError',
          code: 'SIGNALPOST_ERR_INBOUND_CONFIG_INVALID',
          message: expect.stringContaining(
            'inbound.s.verifier: must be one of',
          ),
        }),
      );
    });

    it('never echoes a secret near a misspelled verifier', () => {
      const error = captureError(() =>
        parseInboundConfig('s', { secret: SECRET, verifier: 'nope' }),
      );

      expect(error.message).not.toContain(SECRET.slice(0, 12));
    });
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}
