import fc from 'fast-check';

import {
  type InboundSourceConfig,
  parseInboundConfig,
  verifyInbound,
} from '../src';
import {
  GITHUB_SECRET,
  HMAC_SECRET,
  hmacDigest,
  inboundRequest,
  NOW_SEC,
  outcome,
  STANDARD_SECRET,
  STRIPE_SECRET,
  stripeHeader,
  svixSignature,
} from './support/signed-requests';

interface SignedFixture {
  name: string;
  config: InboundSourceConfig;
  body: Buffer;
  headers: Record<string, string>;
  signatureHeader: string;
}

const body = JSON.stringify(
  {
    id: 'evt_42',
    type: 'invoice.paid',
    data: { total: '9,99 €', note: 'ok ✓' },
  },
  null,
  2,
);
const bodyBytes = Buffer.from(body, 'utf8');
const hmacConfig = {
  verifier: 'hmac-sha256',
  secret: HMAC_SECRET,
  typePrefix: 'custom',
  header: 'x-signature',
  typeField: 'type',
  idField: 'id',
};

const fixtures: SignedFixture[] = [
  {
    name: 'stripe',
    config: parseInboundConfig('stripe', {
      verifier: 'stripe',
      secret: STRIPE_SECRET,
      typePrefix: 'stripe',
    }),
    body: bodyBytes,
    headers: { 'stripe-signature': stripeHeader(body) },
    signatureHeader: 'stripe-signature',
  },
  {
    name: 'github',
    config: parseInboundConfig('github', {
      verifier: 'github',
      secret: GITHUB_SECRET,
      typePrefix: 'github',
    }),
    body: bodyBytes,
    headers: {
      'x-hub-signature-256': `sha256=${hmacDigest(GITHUB_SECRET, body).toString('hex')}`,
      'x-github-event': 'invoice',
      'x-github-delivery': 'delivery-1',
    },
    signatureHeader: 'x-hub-signature-256',
  },
  {
    name: 'standard-webhooks',
    config: parseInboundConfig('billing', {
      verifier: 'standard-webhooks',
      secret: STANDARD_SECRET,
      typePrefix: 'billing',
    }),
    body: bodyBytes,
    headers: {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(NOW_SEC),
      'webhook-signature': svixSignature(body, 'msg_1'),
    },
    signatureHeader: 'webhook-signature',
  },
  {
    name: 'hmac-sha256 with base64',
    config: parseInboundConfig('custom', hmacConfig),
    body: bodyBytes,
    headers: {
      'x-signature': `sha256=${hmacDigest(HMAC_SECRET, body).toString('base64')}`,
    },
    signatureHeader: 'x-signature',
  },
  {
    name: 'hmac-sha256 with upper-case hex',
    config: parseInboundConfig('custom', hmacConfig),
    body: bodyBytes,
    headers: {
      'x-signature': hmacDigest(HMAC_SECRET, body)
        .toString('hex')
        .toUpperCase(),
    },
    signatureHeader: 'x-signature',
  },
];

// Replacements most likely to alias a valid signature: the other letter case
// (hex is accepted in one case only), code neighbours (base64 digits that
// differ only in unused low bits) and separators of the header formats.
function nearbyReplacements(character: string): string[] {
  const code = character.charCodeAt(0);
  const neighbours = [-3, -2, -1, 1, 2, 3].map((offset) =>
    String.fromCharCode(code + offset),
  );
  const cases = [character.toUpperCase(), character.toLowerCase()];
  const separators = [' ', ',', '=', '.', 'é', '\u0000'];
  const candidates = new Set([...neighbours, ...cases, ...separators]);
  return [...candidates].filter((candidate) => candidate !== character);
}

// One replacement character: a likely alias, printable ASCII, or any code
// point.
function replacementFor(character: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...nearbyReplacements(character)),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  );
}

function replaceAt(text: string, index: number, replacement: string): string {
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

describe.each(fixtures)('$name under random mutation', (fixture) => {
  it('accepts the unmutated request', () => {
    const request = inboundRequest(fixture.headers, fixture.body);

    expect(outcome(verifyInbound(fixture.config, request))).toBe('ok');
  });

  it('rejects any flipped body byte', () => {
    const position = fc.nat({ max: fixture.body.length - 1 });
    const mask = fc.integer({ min: 1, max: 255 });

    fc.assert(
      fc.property(position, mask, (index, bits) => {
        const mutated = Buffer.from(fixture.body);
        mutated[index] = (mutated[index] ?? 0) ^ bits;
        const result = verifyInbound(
          fixture.config,
          inboundRequest(fixture.headers, mutated),
        );
        expect(outcome(result)).toBe('invalid_signature');
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any changed signature character', () => {
    const original = fixture.headers[fixture.signatureHeader] ?? '';
    const mutation = fc
      .nat({ max: original.length - 1 })
      .chain((index) =>
        fc.tuple(fc.constant(index), replacementFor(original.charAt(index))),
      );

    fc.assert(
      fc.property(mutation, ([index, replacement]) => {
        fc.pre(replacement !== original.charAt(index));
        const mutated = replaceAt(original, index, replacement);
        const headers = {
          ...fixture.headers,
          [fixture.signatureHeader]: mutated,
        };
        const result = verifyInbound(
          fixture.config,
          inboundRequest(headers, fixture.body),
        );
        expect(outcome(result)).toBe('invalid_signature');
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects every likely alias at every position', () => {
    const original = fixture.headers[fixture.signatureHeader] ?? '';
    const accepted: string[] = [];

    for (let index = 0; index < original.length; index += 1) {
      for (const replacement of nearbyReplacements(original.charAt(index))) {
        const mutated = replaceAt(original, index, replacement);
        const headers = {
          ...fixture.headers,
          [fixture.signatureHeader]: mutated,
        };
        const result = verifyInbound(
          fixture.config,
          inboundRequest(headers, fixture.body),
        );
        if (outcome(result) !== 'invalid_signature') accepted.push(mutated);
      }
    }
    expect(accepted).toEqual([]);
  });
});
