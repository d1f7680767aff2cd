import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

describe('subscriptions', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    const dir = mkdtempSync(path.join(tmpdir(), 'signalpost-subscriptions-'));
    const configFile = path.join(dir, 'signalpost.yaml');
    writeFileSync(
      configFile,
      [
        'subscriptions:',
        '  - id: from-config',
        '    pattern: config.**',
        '    dispatch:',
        '      adapter: noop',
        '',
      ].join('\n'),
    );
    stack = await startTestStack({ SIGNALPOST_CONFIG: configFile });
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  const webhook = (
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> => ({
    adapter: 'webhook',
    url: `${receiver.url}/hook`,
    ...extra,
  });

  it('creates, reads, replaces and deletes with the documented statuses', async () => {
    const created = await stack.request('POST', '/v1/subscriptions', {
      body: {
        id: 'crud',
        pattern: 'crud.*',
        dispatch: webhook({ secret: SECRET }),
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.dispatch).toHaveLength(1);
    expect(created.body.dispatch[0]).toMatchObject({
      id: 'crud#0',
      method: 'POST',
      format: 'json',
      timeoutMs: 10000,
      maxInFlight: 10,
      deadLetterQueue: 'dead-letters',
      signature: 'standard-webhooks',
      secret: { set: true, kind: 'literal' },
    });
    expect(created.body.dispatch[0].retry).toMatchObject({
      maxRetries: 10,
      baseDelayMs: 30000,
    });
    expect(JSON.stringify(created.body)).not.toContain(SECRET);

    const again = await stack.request('POST', '/v1/subscriptions', {
      body: { id: 'crud', pattern: 'crud.*', dispatch: webhook() },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');

    const replaced = await stack.request('PUT', '/v1/subscriptions/crud', {
      body: {
        pattern: 'crud.**',
        dispatch: webhook({ retry: { maxRetries: 2 } }),
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.version).toBe(2);
    expect(replaced.body.dispatch[0].secret).toEqual({
      set: true,
      kind: 'literal',
    });
    expect(replaced.body.dispatch[0].retry).toMatchObject({
      maxRetries: 2,
      baseDelayMs: 30000,
    });

    const cleared = await stack.request('PUT', '/v1/subscriptions/crud', {
      body: { pattern: 'crud.**', dispatch: webhook({ secret: null }) },
    });
    expect(cleared.body.dispatch[0].secret).toBeUndefined();

    const fresh = await stack.request('PUT', '/v1/subscriptions/crud-put', {
      body: { pattern: 'crud.put', dispatch: { adapter: 'noop' } },
    });
    expect(fresh.status).toBe(201);

    expect(
      (await stack.request('DELETE', '/v1/subscriptions/crud')).status,
    ).toBe(204);
    expect((await stack.request('GET', '/v1/subscriptions/crud')).status).toBe(
      404,
    );
    expect(
      (await stack.request('DELETE', '/v1/subscriptions/crud')).status,
    ).toBe(404);
  });

  it('sets signatureHeader on hmac-sha256 targets only', async () => {
    const hmac = await stack.request('PUT', '/v1/subscriptions/hmac-header', {
      body: {
        pattern: 'hmac.header',
        dispatch: webhook({ signature: 'hmac-sha256' }),
      },
    });
    expect(hmac.status).toBe(201);
    expect(hmac.body.dispatch[0].signatureHeader).toBe('X-Signature-256');

    // A body read back from an older record may carry the header along.
    const standard = await stack.request(
      'PUT',
      '/v1/subscriptions/standard-header',
      {
        body: {
          pattern: 'standard.header',
          dispatch: webhook({ signatureHeader: 'X-Signature-256' }),
        },
      },
    );
    expect(standard.status).toBe(201);
    expect(standard.body.dispatch[0].signature).toBe('standard-webhooks');
    expect(standard.body.dispatch[0]).not.toHaveProperty('signatureHeader');
  });

  it('names a hidden secret saved back', async () => {
    const created = await stack.request('PUT', '/v1/subscriptions/read-back', {
      body: {
        pattern: 'read.back',
        dispatch: webhook({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
      },
    });
    const saved = await stack.request('PUT', '/v1/subscriptions/read-back', {
      body: created.body,
    });
    const fixed = structuredClone(created.body);
    fixed.dispatch[0].secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const again = await stack.request('PUT', '/v1/subscriptions/read-back', {
      body: fixed,
    });

    expect(saved.status).toBe(400);
    expect(saved.body.error.details).toEqual([
      {
        path: 'dispatch[0].secret',
        message: expect.stringContaining('{"env": "NAME"}'),
      },
    ]);
    // With the secret given again, the rest of what was read back saves.
    expect(again.status).toBe(200);
    expect(again.body.dispatch[0].secret).toEqual({
      set: true,
      kind: 'literal',
    });
  });

  it.each([
    [
      'a number bound',
      { timeoutMs: 70_000 },
      'dispatch.timeoutMs',
      'must be at most 60000',
    ],
    [
      'a length bound',
      { headers: { 'x-big': 'a'.repeat(4097) } },
      'dispatch.headers.x-big',
      'must have at most 4096 characters',
    ],
    // A message that the schema sets itself is kept.
    ['a message of the schema', { url: '' }, 'dispatch.url', 'url is required'],
  ])('words %s plainly', async (_case, fields, path, message) => {
    const response = await stack.request('POST', '/v1/subscriptions', {
      body: { pattern: 'bounds.*', dispatch: webhook(fields) },
    });

    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual(
      expect.arrayContaining([{ path, message }]),
    );
  });

  it('makes an id when none is given', async () => {
    const created = await stack.request('POST', '/v1/subscriptions', {
      body: { pattern: 'generated.*', dispatch: { adapter: 'noop' } },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^sub_[0-9a-f-]{36}$/);
  });

  it('pages through the list with a cursor', async () => {
    for (let index = 0; index < 5; index += 1) {
      await stack.request('PUT', `/v1/subscriptions/page-${index}`, {
        body: { pattern: 'page.*', dispatch: { adapter: 'noop' } },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const response = await stack.request(
        'GET',
        `/v1/subscriptions?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...response.body.data.map((item: { id: string }) => item.id));
      cursor = response.body.nextCursor;
    }
    expect(seen.filter((id) => id.startsWith('page-'))).toEqual([
      'page-0',
      'page-1',
      'page-2',
      'page-3',
      'page-4',
    ]);
    expect(new Set(seen).size).toBe(seen.length);
    const tooMany = await stack.request('GET', '/v1/subscriptions?limit=1001');
    expect(tooMany.status).toBe(400);
  });

  it('keeps config-file subscriptions read-only', async () => {
    const listed = await stack.request('GET', '/v1/subscriptions/from-config');
    expect(listed.status).toBe(200);
    expect(listed.body.managedBy).toBe('config');
    const put = await stack.request('PUT', '/v1/subscriptions/from-config', {
      body: { pattern: 'x.*', dispatch: { adapter: 'noop' } },
    });
    expect(put.status).toBe(409);
    expect(put.body.error.code).toBe('managed_by_config');
    const deleted = await stack.request(
      'DELETE',
      '/v1/subscriptions/from-config',
    );
    expect(deleted.body.error.code).toBe('managed_by_config');
  });

  it('routes with a changed pattern within a second', async () => {
    await stack.request('PUT', '/v1/subscriptions/moving', {
      body: { pattern: 'before.*', dispatch: webhook() },
    });
    await stack.request('PUT', '/v1/subscriptions/moving', {
      body: { pattern: 'after.*', dispatch: webhook() },
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await stack.request('POST', '/v1/signals', {
      body: { type: 'before.x', source: 's', id: 'mv-1' },
    });
    await stack.request('POST', '/v1/signals', {
      body: { type: 'after.x', source: 's', id: 'mv-2' },
    });
    const before = await waitFor(async () => {
      const response = await stack.request('GET', '/v1/signals/mv-1');
      return response.body?.state && response.body.state !== 'routing'
        ? response.body
        : undefined;
    });
    const after = await waitFor(async () => {
      const response = await stack.request('GET', '/v1/signals/mv-2');
      return response.body?.state && response.body.state !== 'routing'
        ? response.body
        : undefined;
    });
    expect(before.state).toBe('unmatched');
    expect(after.state).toBe('routed');
  });

  it('refuses internal targets without an allow rule', async () => {
    const closed = await startTestStack({ SIGNALPOST_ALLOW_TARGETS: '' });
    try {
      const response = await closed.request('POST', '/v1/subscriptions', {
        body: {
          pattern: 'x.*',
          dispatch: { adapter: 'webhook', url: 'http://127.0.0.1:9/' },
        },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.details[0].path).toBe('dispatch[0].url');
    } finally {
      await closed.close();
    }
  });
});
