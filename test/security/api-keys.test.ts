import { rawRequest, sendRawHttp } from '../support/raw-http';
import {
  ADMIN_KEY,
  PUBLISH_KEY,
  startTestStack,
  type TestStack,
} from '../support/stack';

const SIGNALS_READ_KEY = 'test-signals-read-key-0001';
const SUBSCRIPTIONS_READ_KEY = 'test-subscriptions-read-key-0001';
const SUBSCRIPTIONS_WRITE_KEY = 'test-subscriptions-write-key-0001';
const ALL_KEYS = [
  ADMIN_KEY,
  PUBLISH_KEY,
  SIGNALS_READ_KEY,
  SUBSCRIPTIONS_READ_KEY,
  SUBSCRIPTIONS_WRITE_KEY,
];
const API_KEYS = [
  `${ADMIN_KEY}=admin`,
  `${PUBLISH_KEY}=signals:publish`,
  `${SIGNALS_READ_KEY}=signals:read`,
  `${SUBSCRIPTIONS_READ_KEY}=subscriptions:read`,
  `${SUBSCRIPTIONS_WRITE_KEY}=subscriptions:write`,
].join(',');

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Authorization values that must not authenticate. */
const REJECTED_CREDENTIALS: [string, string | undefined][] = [
  ['no Authorization header', undefined],
  ['an unknown key', 'Bearer not-a-configured-key'],
  ['the admin key in upper case', `Bearer ${ADMIN_KEY.toUpperCase()}`],
  [
    'the admin key without its last character',
    `Bearer ${ADMIN_KEY.slice(0, -1)}`,
  ],
  ['the admin key with one more character', `Bearer ${ADMIN_KEY}0`],
  [
    'the admin key with a changed character',
    `Bearer ${ADMIN_KEY.slice(0, -1)}2`,
  ],
  ['Bearer without a key', 'Bearer'],
  ['the key without a scheme', ADMIN_KEY],
  ['an unknown scheme', `Token ${ADMIN_KEY}`],
  ['the key as the Basic user name', basic(ADMIN_KEY, '')],
  ['the key followed by another word', `Bearer ${ADMIN_KEY} extra`],
];

describe('API keys', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ SIGNALPOST_API_KEYS: API_KEYS }, 0);
  });

  afterAll(async () => {
    await stack?.close();
  });

  function withAuthorization(method: string, path: string, value?: string) {
    return stack.request(method, path, {
      key: null,
      headers: value === undefined ? {} : { authorization: value },
    });
  }

  function rawGet(path: string, headerLines: string[]) {
    const request = rawRequest(`GET ${path} HTTP/1.1`, [
      `host: 127.0.0.1:${stack.api.port}`,
      'connection: close',
      ...headerLines,
    ]);
    return sendRawHttp(stack.api.port, request);
  }

  describe('with credentials that do not match a key', () => {
    it.each(REJECTED_CREDENTIALS)(
      'rejects %s with 401',
      async (_name, authorization) => {
        const response = await withAuthorization(
          'GET',
          '/v1/subscriptions',
          authorization,
        );

        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe('unauthorized');
        expect(response.headers.get('content-type')).toMatch(
          /^application\/json/,
        );
      },
    );

    it('returns one body for every rejection', async () => {
      const bodies = new Set<string>();
      for (const [, authorization] of REJECTED_CREDENTIALS) {
        const response = await withAuthorization(
          'GET',
          '/v1/subscriptions',
          authorization,
        );
        if (response.status === 401) bodies.add(JSON.stringify(response.body));
      }

      expect(bodies.size).toBe(1);
    });

    it('keeps configured keys out of the body', async () => {
      const response = await withAuthorization(
        'GET',
        '/v1/subscriptions',
        `Bearer ${ADMIN_KEY.slice(0, -1)}`,
      );
      const text = JSON.stringify(response.body);

      for (const key of ALL_KEYS) expect(text).not.toContain(key.slice(0, 12));
      expect(response.headers.get('www-authenticate')).toBeNull();
    });

    it.each([
      [
        'the api_key query parameter',
        `/v1/subscriptions?api_key=${ADMIN_KEY}`,
        {},
      ],
      [
        'the access_token query parameter',
        `/v1/subscriptions?access_token=${ADMIN_KEY}`,
        {},
      ],
      ['an X-API-Key header', '/v1/subscriptions', { 'x-api-key': ADMIN_KEY }],
      ['a cookie', '/v1/subscriptions', { cookie: `token=${ADMIN_KEY}` }],
    ])('ignores the key in %s', async (_name, path, headers) => {
      const response = await stack.request('GET', path, { key: null, headers });

      expect(response.status).toBe(401);
    });
  });

  describe('with the right key', () => {
    it.each([
      ['a lower-case scheme', `bearer ${ADMIN_KEY}`],
      ['an upper-case scheme', `BEARER ${ADMIN_KEY}`],
    ])('accepts %s', async (_name, authorization) => {
      const response = await withAuthorization(
        'GET',
        '/v1/subscriptions',
        authorization,
      );

      expect(response.status).toBe(200);
    });

    // HTTP strips whitespace around a field value, so these bytes reach the
    // API as the key alone.
    it.each([
      ['trailing spaces', `authorization: Bearer ${ADMIN_KEY}   `],
      ['a trailing tab', `authorization: Bearer ${ADMIN_KEY}\t`],
    ])('accepts the key with %s on the wire', async (_name, line) => {
      const response = await rawGet('/v1/subscriptions', [line]);

      expect(response.status).toBe(200);
    });

    it('rejects the key with a trailing non-breaking space', async () => {
      const value = `Bearer ${ADMIN_KEY}\u00a0`;
      const response = await rawGet('/v1/subscriptions', [
        `authorization: ${value}`,
      ]);

      expect(response.status).toBe(401);
    });

    // NOTE: every route accepts the key as a Basic password, not only the
    // dashboard. It is the same secret, and the 401 of API routes carries no
    // WWW-Authenticate challenge, so a browser does not offer a dashboard
    // login to them. The documented form for API routes is Bearer.
    it('accepts the key as a Basic password on an API route', async () => {
      const response = await withAuthorization(
        'GET',
        '/v1/subscriptions',
        basic('anyone', ADMIN_KEY),
      );

      expect(response.status).toBe(200);
    });
  });

  describe('scopes', () => {
    const invalidSubscription = {
      pattern: 'a..b',
      dispatch: { adapter: 'noop' },
    };

    // A status other than 401 and 403 shows that the key was accepted.
    const SCOPE_CASES: [string, string, string, number, string][] = [
      ['signals:read', 'POST', '/v1/signals', 403, SIGNALS_READ_KEY],
      ['signals:read', 'GET', '/v1/signals/unknown', 404, SIGNALS_READ_KEY],
      ['signals:read', 'GET', '/v1/dead-letters', 200, SIGNALS_READ_KEY],
      ['signals:read', 'GET', '/v1/subscriptions', 403, SIGNALS_READ_KEY],
      [
        'signals:read',
        'POST',
        '/v1/dead-letters/unknown/replay',
        403,
        SIGNALS_READ_KEY,
      ],
      [
        'signals:read',
        'GET',
        '/admin/queues/api/queues',
        403,
        SIGNALS_READ_KEY,
      ],
      [
        'subscriptions:read',
        'GET',
        '/v1/subscriptions',
        200,
        SUBSCRIPTIONS_READ_KEY,
      ],
      [
        'subscriptions:read',
        'GET',
        '/v1/subscriptions/unknown',
        404,
        SUBSCRIPTIONS_READ_KEY,
      ],
      [
        'subscriptions:read',
        'POST',
        '/v1/subscriptions',
        403,
        SUBSCRIPTIONS_READ_KEY,
      ],
      [
        'subscriptions:read',
        'PUT',
        '/v1/subscriptions/unknown',
        403,
        SUBSCRIPTIONS_READ_KEY,
      ],
      [
        'subscriptions:read',
        'DELETE',
        '/v1/subscriptions/unknown',
        403,
        SUBSCRIPTIONS_READ_KEY,
      ],
      [
        'subscriptions:read',
        'POST',
        '/v1/signals',
        403,
        SUBSCRIPTIONS_READ_KEY,
      ],
      [
        'subscriptions:read',
        'GET',
        '/v1/dead-letters',
        403,
        SUBSCRIPTIONS_READ_KEY,
      ],
      [
        'subscriptions:write',
        'POST',
        '/v1/subscriptions',
        400,
        SUBSCRIPTIONS_WRITE_KEY,
      ],
      [
        'subscriptions:write',
        'DELETE',
        '/v1/subscriptions/unknown',
        404,
        SUBSCRIPTIONS_WRITE_KEY,
      ],
      [
        'subscriptions:write',
        'POST',
        '/v1/dead-letters/unknown/replay',
        404,
        SUBSCRIPTIONS_WRITE_KEY,
      ],
      [
        'subscriptions:write',
        'POST',
        '/v1/signals',
        403,
        SUBSCRIPTIONS_WRITE_KEY,
      ],
      ['signals:publish', 'POST', '/v1/signals', 400, PUBLISH_KEY],
      ['signals:publish', 'GET', '/v1/signals/unknown', 403, PUBLISH_KEY],
      ['signals:publish', 'POST', '/v1/subscriptions', 403, PUBLISH_KEY],
    ];

    it.each(SCOPE_CASES)(
      'answers a %s key on %s %s with %i',
      async (_scope, method, path, status, key) => {
        const body = path.startsWith('/v1/subscriptions')
          ? invalidSubscription
          : {};
        const response = await stack.request(method, path, {
          key,
          ...(method === 'GET' ? {} : { body }),
        });

        expect(response.status).toBe(status);
        if (status === 403) {
          expect(response.body.error.code).toBe('forbidden');
          expect(response.body.error.message).toMatch(/scope/);
        }
      },
    );

    it('checks the scope before reading the body', async () => {
      const response = await stack.request('POST', '/v1/subscriptions', {
        key: SUBSCRIPTIONS_READ_KEY,
        rawBody: '{"pattern":',
        headers: { 'content-type': 'application/json' },
      });

      expect(response.status).toBe(403);
    });

    it('stores nothing for a forbidden write', async () => {
      const created = await stack.request(
        'PUT',
        '/v1/subscriptions/forbidden',
        {
          key: SUBSCRIPTIONS_READ_KEY,
          body: { pattern: 'a.b', dispatch: { adapter: 'noop' } },
        },
      );
      expect(created.status).toBe(403);

      const read = await stack.request('GET', '/v1/subscriptions/forbidden', {
        key: SUBSCRIPTIONS_READ_KEY,
      });
      expect(read.status).toBe(404);
    });
  });
});
