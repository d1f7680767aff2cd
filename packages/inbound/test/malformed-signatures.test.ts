import {
  type InboundSourceConfig,
  parseInboundConfig,
  verifyInbound,
} from '../src';
import { hmacDigest, inboundRequest, outcome } from './support/signed-requests';

const SECRET = 'malformed-signature-secret';
const body = JSON.stringify({ type: 'ping', id: 'evt_1' });
const wrongSecretHex = hmacDigest('another-secret', body).toString('hex');
const rightHex = hmacDigest(SECRET, body).toString('hex');

const sources: { name: string; config: InboundSourceConfig; header: string }[] =
  [
    {
      name: 'github',
      config: parseInboundConfig('github', {
        verifier: 'github',
        secret: SECRET,
        typePrefix: 'github',
      }),
      header: 'x-hub-signature-256',
    },
    {
      name: 'hmac-sha256',
      config: parseInboundConfig('custom', {
        verifier: 'hmac-sha256',
        secret: SECRET,
        typePrefix: 'custom',
        header: 'X-Signature',
        typeField: 'type',
        idField: 'id',
      }),
      header: 'x-signature',
    },
  ];

const malformedValues = [
  { title: 'sha256=abcd', value: 'sha256=abcd' },
  { title: 'empty after sha256=', value: 'sha256=' },
  { title: '63 hex digits', value: `sha256=${rightHex.slice(0, 63)}` },
  { title: '65 hex digits', value: `sha256=${rightHex}0` },
  { title: '66 hex digits', value: `sha256=${rightHex}00` },
  { title: '64 é characters', value: `sha256=${'é'.repeat(64)}` },
  { title: '64 é without prefix', value: 'é'.repeat(64) },
  { title: '32 é characters', value: `sha256=${'é'.repeat(32)}` },
  { title: 'non-hex letters', value: `sha256=${'g'.repeat(64)}` },
  { title: 'right digest with a space', value: `sha256= ${rightHex}` },
  { title: 'NUL bytes', value: `sha256=${'\u0000'.repeat(64)}` },
  { title: 'valid hex of the wrong secret', value: `sha256=${wrongSecretHex}` },
];

const cases = sources.flatMap((source) =>
  malformedValues.map((malformed) => ({ ...source, ...malformed })),
);

describe('malformed signature headers', () => {
  it.each(cases)('$name rejects $title', ({ config, header, value }) => {
    const request = inboundRequest(
      { [header]: value, 'x-github-event': 'ping', 'x-github-delivery': 'd1' },
      body,
    );
    const verify = () => verifyInbound(config, request);

    expect(verify).not.toThrow();
    expect(outcome(verify())).toBe('invalid_signature');
  });

  it.each(sources)('$name accepts the right digest', ({ config, header }) => {
    const request = inboundRequest(
      {
        [header]: `sha256=${rightHex}`,
        'x-github-event': 'ping',
        'x-github-delivery': 'd1',
      },
      body,
    );

    expect(outcome(verifyInbound(config, request))).toBe('ok');
  });
});
