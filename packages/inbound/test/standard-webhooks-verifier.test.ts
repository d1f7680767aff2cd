import { type InboundHeaders, parseInboundConfig, verifyInbound } from '../src';
import {
  inboundRequest,
  messageOf,
  NOW_SEC,
  OTHER_STANDARD_SECRET,
  outcome,
  STANDARD_SECRET,
  svixSignature,
} from './support/signed-requests';

const messageId = 'msg_2Lh9KRb0pzN4LePd3XiA4ivcnCv';
const body = JSON.stringify({
  type: 'invoice.paid',
  data: { amount: '12,50 €', status: 'paid ✓' },
});
const signature = svixSignature(body, messageId);
const bogusSignature = `v1,${'A'.repeat(43)}=`;
const encodedSignature = signature.slice('v1,'.length);

const config = parseInboundConfig('billing', {
  verifier: 'standard-webhooks',
  secret: STANDARD_SECRET,
  typePrefix: 'billing',
});

interface StandardCase {
  title: string;
  headers: InboundHeaders;
  body?: string;
  secret?: string | string[];
}

function signedHeaders(overrides: InboundHeaders = {}): InboundHeaders {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(NOW_SEC),
    'webhook-signature': signature,
    ...overrides,
  };
}

function headersSignedAt(timestampSec: number): InboundHeaders {
  return signedHeaders({
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': svixSignature(body, messageId, timestampSec),
  });
}

const acceptedCases: StandardCase[] = [
  { title: 'svix signature over non-ASCII body', headers: signedHeaders() },
  {
    title: 'bogus first signature in the list',
    headers: signedHeaders({
      'webhook-signature': `${bogusSignature} ${signature}`,
    }),
  },
  {
    title: 'unknown versions skipped',
    headers: signedHeaders({
      'webhook-signature': `v1a,${encodedSignature} v2,${encodedSignature} ${signature}`,
    }),
  },
  {
    title: 'entries that are not base64 skipped',
    headers: signedHeaders({
      'webhook-signature': `v1,not-base64! v1 ${signature}`,
    }),
  },
  {
    title: 'timestamp exactly 300 s old',
    headers: headersSignedAt(NOW_SEC - 300),
  },
  {
    title: 'timestamp exactly 300 s ahead',
    headers: headersSignedAt(NOW_SEC + 300),
  },
  {
    title: 'svix header names',
    headers: {
      'svix-id': messageId,
      'svix-timestamp': String(NOW_SEC),
      'svix-signature': signature,
    },
  },
  {
    title: 'old secret during rotation',
    headers: signedHeaders(),
    secret: [OTHER_STANDARD_SECRET, STANDARD_SECRET],
  },
];

const rejectedCases: (StandardCase & { messagePart: string })[] = [
  {
    title: 'unknown versions only',
    headers: signedHeaders({
      'webhook-signature': `v1a,${encodedSignature} v2,${encodedSignature}`,
    }),
    messagePart: 'no signature in header webhook-signature matches',
  },
  {
    title: 'bogus signature only',
    headers: signedHeaders({ 'webhook-signature': bogusSignature }),
    messagePart: 'no signature',
  },
  {
    title: 'body changed after signing',
    headers: signedHeaders(),
    body: body.replace('12,50', '12,51'),
    messagePart: 'no signature',
  },
  {
    title: 'message id changed after signing',
    headers: signedHeaders({ 'webhook-id': 'msg_other' }),
    messagePart: 'no signature',
  },
  {
    title: 'wrong secret',
    headers: signedHeaders(),
    secret: OTHER_STANDARD_SECRET,
    messagePart: 'no signature',
  },
  {
    title: 'timestamp 301 s old',
    headers: headersSignedAt(NOW_SEC - 301),
    messagePart: '301 s in the past',
  },
  {
    title: 'timestamp 301 s ahead',
    headers: headersSignedAt(NOW_SEC + 301),
    messagePart: '301 s in the future',
  },
  {
    title: 'timestamp in milliseconds',
    headers: signedHeaders({ 'webhook-timestamp': `${NOW_SEC}000` }),
    messagePart: 'not whole unix seconds',
  },
  {
    title: 'missing webhook-id',
    headers: signedHeaders({ 'webhook-id': undefined }),
    messagePart: 'missing header webhook-id',
  },
  {
    title: 'missing webhook-timestamp',
    headers: signedHeaders({ 'webhook-timestamp': undefined }),
    messagePart: 'missing header webhook-timestamp',
  },
  {
    title: 'missing webhook-signature',
    headers: signedHeaders({ 'webhook-signature': undefined }),
    messagePart: 'missing header webhook-signature',
  },
  {
    title: 'repeated webhook-signature',
    headers: signedHeaders({ 'webhook-signature': [signature, signature] }),
    messagePart: 'sent more than once',
  },
  {
    title: 'non-canonical base64 padding bits',
    headers: signedHeaders({
      'webhook-signature': `v1,${flipUnusedBits(encodedSignature)}`,
    }),
    messagePart: 'no signature',
  },
];

// Changes the last base64 digit before `=` in its two unused low bits, which
// Node's decoder ignores.
function flipUnusedBits(encoded: string): string {
  const alphabet =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const index = encoded.length - 2;
  const digit = alphabet.indexOf(encoded.charAt(index));
  const changed = alphabet.charAt(digit ^ 1);
  return `${encoded.slice(0, index)}${changed}${encoded.slice(index + 1)}`;
}

function verify(testCase: StandardCase) {
  const source = testCase.secret
    ? { ...config, secret: testCase.secret }
    : config;
  const request = inboundRequest(testCase.headers, testCase.body ?? body);
  return verifyInbound(source, request);
}

describe('standard-webhooks verifier', () => {
  it.each(acceptedCases)('accepts $title', (testCase) => {
    const result = verify(testCase);

    expect(outcome(result)).toBe('ok');
    expect(result).toEqual({
      ok: true,
      eventType: 'invoice.paid',
      eventId: messageId,
      payload: JSON.parse(body),
    });
  });

  it.each(rejectedCases)('rejects $title', (testCase) => {
    const result = verify(testCase);

    expect(outcome(result)).toBe('invalid_signature');
    expect(messageOf(result)).toContain(testCase.messagePart);
    expect(messageOf(result)).not.toContain(STANDARD_SECRET.slice(6));
    expect(messageOf(result)).not.toContain(encodedSignature);
  });

  it('flipping unused bits still decodes equal', () => {
    // Guards the case above: it only tests canonical decoding if Node's own
    // decoder maps both spellings to the same bytes.
    const flipped = flipUnusedBits(encodedSignature);

    expect(flipped).not.toBe(encodedSignature);
    expect(Buffer.from(flipped, 'base64')).toEqual(
      Buffer.from(encodedSignature, 'base64'),
    );
  });
});
