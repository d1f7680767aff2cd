import { parseInboundConfig, verifyInbound } from '../src';
import {
  GITHUB_SECRET,
  hmacDigest,
  inboundRequest,
  messageOf,
  outcome,
} from './support/signed-requests';

const config = parseInboundConfig('github', {
  verifier: 'github',
  secret: GITHUB_SECRET,
  typePrefix: 'github',
});

const body = JSON.stringify({ ref: 'refs/heads/main', after: 'a1b2c3' });
const deliveryId = '72d3162e-cc78-11e3-81ab-4c9367dc0958';

function githubHeaders(signedBody: string, secret = GITHUB_SECRET) {
  return {
    'x-hub-signature-256': `sha256=${hmacDigest(secret, signedBody).toString('hex')}`,
    'x-github-event': 'push',
    'x-github-delivery': deliveryId,
  };
}

describe('github verifier', () => {
  it('accepts the documented example signature', () => {
    // GitHub's documentation signs "Hello, World!" with this secret and
    // publishes the digest, so the check does not depend on our own HMAC.
    const headers = {
      'x-hub-signature-256':
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      'x-github-event': 'push',
      'x-github-delivery': deliveryId,
    };
    const result = verifyInbound(
      config,
      inboundRequest(headers, 'Hello, World!'),
    );

    // The signature passes, and only then does the non-JSON body fail.
    expect(outcome(result)).toBe('invalid_json');
  });

  it('accepts a signed push', () => {
    const result = verifyInbound(
      config,
      inboundRequest(githubHeaders(body), body),
    );

    expect(result).toEqual({
      ok: true,
      eventType: 'push',
      eventId: deliveryId,
      payload: JSON.parse(body),
    });
  });

  it('accepts an old secret during rotation', () => {
    const rotated = { ...config, secret: ['new-secret', GITHUB_SECRET] };
    const result = verifyInbound(
      rotated,
      inboundRequest(githubHeaders(body), body),
    );

    expect(outcome(result)).toBe('ok');
  });

  it('ignores the tolerance without a timestamp', () => {
    const request = inboundRequest(githubHeaders(body), body, 0);

    expect(outcome(verifyInbound(config, request))).toBe('ok');
  });

  it.each([
    {
      title: 'missing header',
      header: undefined,
      part: 'missing header x-hub-signature-256',
    },
    {
      title: 'sha1 scheme',
      header: `sha1=${'a'.repeat(40)}`,
      part: 'sha256= followed by 64',
    },
    {
      title: 'upper-case prefix',
      header: `SHA256=${'a'.repeat(64)}`,
      part: 'sha256= followed by 64',
    },
    {
      title: 'upper-case hex',
      header: `sha256=${hmacDigest(GITHUB_SECRET, body).toString('hex').toUpperCase()}`,
      part: 'lower-case hex',
    },
  ])('rejects $title', ({ header, part }) => {
    const headers = { ...githubHeaders(body), 'x-hub-signature-256': header };
    const result = verifyInbound(config, inboundRequest(headers, body));

    expect(outcome(result)).toBe('invalid_signature');
    expect(messageOf(result)).toContain(part);
  });

  it('rejects a changed body', () => {
    const headers = githubHeaders(body);
    const result = verifyInbound(config, inboundRequest(headers, `${body} `));

    expect(outcome(result)).toBe('invalid_signature');
    expect(messageOf(result)).toContain('no signature');
  });

  it.each([
    {
      title: 'missing event header',
      header: 'x-github-event',
      part: 'missing event type',
    },
    {
      title: 'missing delivery header',
      header: 'x-github-delivery',
      part: 'missing event id',
    },
  ])('rejects $title', ({ header, part }) => {
    const headers = { ...githubHeaders(body), [header]: undefined };
    const result = verifyInbound(config, inboundRequest(headers, body));

    expect(outcome(result)).toBe('validation_failed');
    expect(messageOf(result)).toContain(part);
    expect(messageOf(result)).toContain(`header ${header}`);
  });
});
