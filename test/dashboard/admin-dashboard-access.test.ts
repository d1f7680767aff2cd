import {
  ADMIN_KEY,
  PUBLISH_KEY,
  startTestStack,
  type TestStack,
} from '../support/stack';

const CHALLENGE = 'Basic realm="signalpost"';

function basic(userAndPassword: string): string {
  return `Basic ${Buffer.from(userAndPassword, 'utf8').toString('base64')}`;
}

const CREDENTIAL_CASES = [
  { name: 'no credentials', authorization: undefined, status: 401 },
  { name: 'an unknown Bearer key', authorization: 'Bearer nope', status: 401 },
  {
    name: 'an unknown Basic password',
    authorization: basic(`admin:${ADMIN_KEY}x`),
    status: 401,
  },
  {
    name: 'a Basic value without a password',
    authorization: basic(ADMIN_KEY),
    status: 401,
  },
  {
    name: 'a non-admin Bearer key',
    authorization: `Bearer ${PUBLISH_KEY}`,
    status: 403,
  },
  {
    name: 'a non-admin Basic password',
    authorization: basic(`admin:${PUBLISH_KEY}`),
    status: 403,
  },
  {
    name: 'the admin key as Bearer token',
    authorization: `Bearer ${ADMIN_KEY}`,
    status: 200,
  },
  {
    name: 'the admin key as Basic password',
    authorization: basic(`anyone:${ADMIN_KEY}`),
    status: 200,
  },
  {
    name: 'the admin key with an empty user name',
    authorization: basic(`:${ADMIN_KEY}`),
    status: 200,
  },
] as const;

const WRITE_REQUESTS = [
  { method: 'PUT', path: '/api/queues/signals/pause' },
  { method: 'PUT', path: '/api/queues/pause' },
  { method: 'PUT', path: '/api/queues/deliveries/retry/failed' },
  { method: 'PUT', path: '/api/queues/deliveries/clean/completed' },
  { method: 'POST', path: '/api/queues/deliveries/add' },
] as const;

describe('admin dashboard access', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({}, 0);
  });

  afterAll(async () => {
    await stack?.close();
  });

  function get(path: string, authorization?: string) {
    return stack.request('GET', `/admin/queues${path}`, {
      key: null,
      headers: authorization ? { authorization } : {},
    });
  }

  describe.each(CREDENTIAL_CASES)('with $name', (credentials) => {
    it(`returns ${credentials.status}`, async () => {
      const response = await get('', credentials.authorization);
      expect(response.status).toBe(credentials.status);
    });

    if (credentials.status === 200) {
      it('serves the board page', async () => {
        const response = await get('', credentials.authorization);
        expect(response.headers.get('content-type')).toMatch(/^text\/html/);
        expect(response.body).toContain('<base href="/admin/queues/" />');
      });
      return;
    }

    it('returns the API error body', async () => {
      const response = await get('', credentials.authorization);
      const code = credentials.status === 401 ? 'unauthorized' : 'forbidden';
      expect(response.body.error.code).toBe(code);
      expect(typeof response.body.error.message).toBe('string');
    });

    it('challenges only a missing or unknown key', async () => {
      const response = await get('', credentials.authorization);
      const expected = credentials.status === 401 ? CHALLENGE : null;
      expect(response.headers.get('www-authenticate')).toBe(expected);
    });
  });

  it.each(['/static/favicon-32x32.png', '/api/queues', '/queue/signals'])(
    'requires the admin key for %s',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(CHALLENGE);
    },
  );

  it('returns 404 for unknown board paths', async () => {
    const response = await get('/api/no-such-route', `Bearer ${ADMIN_KEY}`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('drops upgrade-insecure-requests on the board only', async () => {
    const board = await get('', `Bearer ${ADMIN_KEY}`);
    const health = await stack.request('GET', '/healthz');
    const boardPolicy = board.headers.get('content-security-policy') ?? '';
    const healthPolicy = health.headers.get('content-security-policy') ?? '';
    expect(boardPolicy).not.toContain('upgrade-insecure-requests');
    expect(boardPolicy).toContain("script-src 'self'");
    expect(boardPolicy).toContain("object-src 'none'");
    expect(healthPolicy).toContain('upgrade-insecure-requests');
  });

  it('omits the X-Powered-By header', async () => {
    const response = await get('', `Bearer ${ADMIN_KEY}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  describe('when SIGNALPOST_DASHBOARD_WRITE is unset', () => {
    it('lists both queues as read-only', async () => {
      const response = await get('/api/queues', `Bearer ${ADMIN_KEY}`);
      expect(response.status).toBe(200);
      const queues = response.body.queues as {
        name: string;
        readOnlyMode: boolean;
      }[];
      expect(queues.map((queue) => queue.name).sort()).toEqual([
        'deliveries',
        'signals',
      ]);
      for (const queue of queues) expect(queue.readOnlyMode).toBe(true);
    });

    it.each(WRITE_REQUESTS)('rejects $method $path', async (request) => {
      const response = await stack.request(
        request.method,
        `/admin/queues${request.path}`,
        { body: { name: 'manual', data: {} } },
      );
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
      expect(response.body.error.message).toContain(
        'SIGNALPOST_DASHBOARD_WRITE',
      );
    });

    it('leaves the queues untouched after rejected writes', async () => {
      const { signalsQueue, deliveriesQueue } = stack.api.context;
      expect(await signalsQueue.isPaused()).toBe(false);
      expect(await deliveriesQueue.isPaused()).toBe(false);
      expect(await deliveriesQueue.count()).toBe(0);
    });
  });
});

describe('admin dashboard with SIGNALPOST_DASHBOARD_WRITE=true', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ SIGNALPOST_DASHBOARD_WRITE: 'true' }, 0);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('lists both queues as writable', async () => {
    const response = await stack.request('GET', '/admin/queues/api/queues');
    expect(response.status).toBe(200);
    const queues = response.body.queues as { readOnlyMode: boolean }[];
    expect(queues).toHaveLength(2);
    for (const queue of queues) expect(queue.readOnlyMode).toBe(false);
  });

  it('pauses and resumes a queue', async () => {
    const queue = stack.api.context.signalsQueue;
    const paused = await stack.request(
      'PUT',
      '/admin/queues/api/queues/signals/pause',
    );
    expect(paused.status).toBe(200);
    expect(await queue.isPaused()).toBe(true);

    const resumed = await stack.request(
      'PUT',
      '/admin/queues/api/queues/signals/resume',
    );
    expect(resumed.status).toBe(200);
    expect(await queue.isPaused()).toBe(false);
  });

  it('still rejects a non-admin key', async () => {
    const response = await stack.request(
      'PUT',
      '/admin/queues/api/queues/signals/pause',
      { key: PUBLISH_KEY },
    );
    expect(response.status).toBe(403);
    expect(await stack.api.context.signalsQueue.isPaused()).toBe(false);
  });
});
