import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  rawRequest,
  sendRawHttp,
  type RawHttpResponse,
} from '../support/raw-http';
import {
  ADMIN_KEY,
  PUBLISH_KEY,
  startTestStack,
  type TestStack,
} from '../support/stack';

/** Seed of the random requests. A failure reports it with the path to replay. */
const FUZZ_SEED = 20_240_611;
/** Random requests sent, within the budget of 2000 requests in all. */
const FUZZ_RUNS = 1500;
/** Time after which the run stops early and still counts as passed. */
const FUZZ_TIME_LIMIT_MS = 50_000;
/** Time to wait for a response before the request counts as a hang. */
const RESPONSE_TIMEOUT_MS = 10_000;
const STACK_TRACE_PATTERN = /\n\s+at |\bat .+:\d+:\d+|node_modules|\.ts:\d+/;

const ROUTES = [
  '/v1/signals',
  '/v1/signals/{id}',
  '/v1/subscriptions',
  '/v1/subscriptions/{id}',
  '/v1/dead-letters',
  '/v1/dead-letters/{id}/replay',
  '/v1/inbound/{id}',
  '/v1/inbound/github',
  '/healthz',
  '/readyz',
  '/metrics',
  '/admin/queues',
  '/admin/queues/api/queues',
  '/admin/queues/api/queues/deliveries/{id}',
];

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

const HOSTILE_IDS = [
  '%00',
  'a%00b',
  '..%2f..%2fetc%2fpasswd',
  '..%2F..%2Fv1%2Fsubscriptions',
  '%2e%2e',
  '%',
  '%zz',
  '%ff%fe',
  '__proto__',
  'constructor',
  'x'.repeat(5000),
  encodeURIComponent('ünïcødé-🚀-\u202e'),
  'ünïcødé',
  '*',
  '(',
  'sub_1',
  'github',
];

const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'multipart/form-data; boundary=xyz',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/octet-stream',
  ';;;',
];

const VALID_SIGNAL = '{"type":"fuzz.signal","source":"fuzz","data":{"n":1}}';
const HOSTILE_BODIES: Buffer[] = [
  Buffer.alloc(0),
  Buffer.from(VALID_SIGNAL),
  Buffer.from(VALID_SIGNAL.slice(0, 25)),
  Buffer.from('['.repeat(10_000)),
  Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`),
  Buffer.from(
    `{"type":"a.b","source":"s","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
  ),
  Buffer.from(
    `{"pattern":"a.b","dispatch":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
  ),
  Buffer.from('{"type":"a.b","source":"s","data":1e999999}'),
  Buffer.from(`{"type":"a.b","source":"s","data":${'9'.repeat(5000)}}`),
  Buffer.from('{"__proto__":{"polluted":true},"type":"a.b","source":"s"}'),
  Buffer.from(
    '{"constructor":{"prototype":{"polluted":true}},"type":"a.b","source":"s"}',
  ),
  Buffer.from(
    '{"pattern":"a.b","dispatch":{"adapter":"noop","__proto__":{"polluted":true}}}',
  ),
  Buffer.from([0xff, 0xfe, 0xfd, 0xc3, 0x28, 0xa0, 0xa1]),
  Buffer.from([
    0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d,
  ]),
  Buffer.from(
    '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n',
  ),
  Buffer.from('[]'),
  Buffer.from('null'),
  Buffer.from('"string"'),
];

/** One request of the fuzz, as sent on the wire. */
interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headerLines: readonly string[];
  readonly body: Buffer;
}

const queryArbitrary = fc.option(
  fc
    .record({
      name: fc.constantFrom(
        'limit',
        'cursor',
        'source',
        'queue',
        'subscription',
        'status',
      ),
      value: fc.oneof(
        fc.constantFrom(
          '0',
          '-1',
          '1001',
          '1e9',
          'abc',
          'NaN',
          '%00',
          '(',
          '[',
          '99999999999999999999',
        ),
        fc.string({ maxLength: 20 }).map(encodeURIComponent),
      ),
    })
    .map(({ name, value }) => `?${name}=${value}`),
  { nil: '' },
);

const idArbitrary = fc.oneof(
  fc.constantFrom(...HOSTILE_IDS),
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
);

const pathArbitrary = fc
  .tuple(fc.constantFrom(...ROUTES), idArbitrary, queryArbitrary)
  .map(([route, id, query]) => `${route.replace('{id}', id)}${query}`);

const bodyArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_BODIES) },
  {
    weight: 1,
    arbitrary: fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text)),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 200 })
      .map((bytes) => Buffer.from(bytes)),
  },
);

const headerLinesArbitrary = fc
  .record({
    authorization: fc.constantFrom(
      `authorization: Bearer ${ADMIN_KEY}`,
      `authorization: Bearer ${PUBLISH_KEY}`,
      'authorization: Bearer wrong-key',
      'authorization: Basic Og==',
      undefined,
    ),
    contentType: fc.constantFrom(...CONTENT_TYPES),
    binaryMode: fc.constantFrom(
      undefined,
      ['ce-specversion: 1.0', 'ce-type: fuzz.binary', 'ce-source: fuzz'],
      [
        'ce-specversion: 1.0',
        `ce-type: ${'a'.repeat(8000)}`,
        'ce-source: fuzz',
      ],
      ['ce-specversion: 2.0', `ce-source: ${'s'.repeat(8000)}`],
      [
        'ce-specversion: 1.0',
        'ce-type: a.b',
        'ce-source: s',
        `ce-${'x'.repeat(30)}: 1`,
      ],
    ),
    idempotency: fc.constantFrom(
      undefined,
      ['idempotency-key: fuzz-1'],
      ['idempotency-key: fuzz-1', 'idempotency-key: fuzz-2'],
      [`idempotency-key: ${'k'.repeat(300)}`],
    ),
  })
  .map(({ authorization, contentType, binaryMode, idempotency }) => [
    ...(authorization ? [authorization] : []),
    ...(contentType ? [`content-type: ${contentType}`] : []),
    ...(binaryMode ?? []),
    ...(idempotency ?? []),
  ]);

const requestArbitrary: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constantFrom(...METHODS),
  path: pathArbitrary,
  headerLines: headerLinesArbitrary,
  body: bodyArbitrary,
});

function describeRequest(request: FuzzRequest): string {
  const path =
    request.path.length > 200 ? `${request.path.slice(0, 200)}…` : request.path;
  const headers = request.headerLines.map((line) =>
    line.length > 120 ? `${line.slice(0, 120)}…` : line,
  );
  const body = request.body.subarray(0, 120).toString('latin1');
  return `${request.method} ${path}\n${headers.join('\n')}\n(${request.body.length} body bytes) ${JSON.stringify(body)}`;
}

function findProblem(response: RawHttpResponse): string | undefined {
  if (response.status >= 500 && response.status !== 503)
    return `status ${response.status}`;
  if (STACK_TRACE_PATTERN.test(response.body.toString('utf8')))
    return 'a stack trace in the body';
  if (response.headers['x-powered-by'] !== undefined)
    return 'an x-powered-by header';
  return undefined;
}

describe('HTTP fuzz of every route', () => {
  let stack: TestStack;
  let configDir: string;
  let sent = 0;
  const unavailable: string[] = [];

  async function send(request: FuzzRequest): Promise<RawHttpResponse> {
    sent += 1;
    const lines = [
      `host: 127.0.0.1:${stack.api.port}`,
      'connection: close',
      ...request.headerLines,
      ...(request.body.length > 0 || request.method !== 'GET'
        ? [`content-length: ${request.body.length}`]
        : []),
    ];
    const bytes = rawRequest(
      `${request.method} ${request.path} HTTP/1.1`,
      lines,
      request.body,
    );
    return sendRawHttp(stack.api.port, bytes, RESPONSE_TIMEOUT_MS);
  }

  async function check(request: FuzzRequest): Promise<void> {
    let response: RawHttpResponse;
    try {
      response = await send(request);
    } catch (error) {
      throw new Error(
        `${(error as Error).message} for:\n${describeRequest(request)}`,
      );
    }
    const problem = findProblem(response);
    if (problem) {
      const body = response.body.subarray(0, 300).toString('utf8');
      throw new Error(
        `${problem} (status ${response.status}, body ${body}) for:\n${describeRequest(request)}`,
      );
    }
    if (response.status === 503) {
      unavailable.push(
        `${response.body.subarray(0, 200).toString('utf8')} for:\n${describeRequest(request)}`,
      );
    }
  }

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'signalpost-fuzz-'));
    const configPath = join(configDir, 'signalpost.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        inbound: {
          github: {
            verifier: 'github',
            secret: 'fuzz-github-secret-0001',
            typePrefix: 'github',
          },
        },
      }),
    );
    stack = await startTestStack({ SIGNALPOST_CONFIG: configPath }, 0);
    const created = await stack.request('PUT', '/v1/subscriptions/sub_1', {
      body: { pattern: 'fuzz.**', dispatch: { adapter: 'noop' } },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  describe('with each hostile body', () => {
    const targets: [string, string, string[]][] = [
      ['POST', '/v1/signals', ['content-type: application/json']],
      [
        'POST',
        '/v1/signals',
        ['content-type: application/cloudevents-batch+json'],
      ],
      [
        'POST',
        '/v1/signals',
        [
          'ce-specversion: 1.0',
          'ce-type: a.b',
          'ce-source: s',
          'content-type: application/json',
        ],
      ],
      ['POST', '/v1/subscriptions', ['content-type: application/json']],
      [
        'PUT',
        '/v1/subscriptions/fuzz',
        ['content-type: application/json; charset=utf-16'],
      ],
      [
        'POST',
        '/v1/inbound/github',
        ['content-type: application/json', 'x-github-event: push'],
      ],
    ];
    const cases = targets.flatMap(([method, path, headers]) =>
      HOSTILE_BODIES.map((body, index): [string, number, FuzzRequest] => [
        `${method} ${path} ${headers[0]}`,
        index,
        {
          method,
          path,
          headerLines: [`authorization: Bearer ${ADMIN_KEY}`, ...headers],
          body,
        },
      ]),
    );

    it.each(cases)(
      'handles %s with body %i without a 5xx',
      async (_name, _index, request) => {
        await check(request);
      },
    );
  });

  // Each of these is the client's fault, so the status is a 4xx and never
  // a 503, which asks the client to retry.
  it.each([
    [
      'a path id with an invalid percent escape',
      'GET',
      '/v1/subscriptions/%zz',
      {},
      400,
    ],
    [
      'a path id with a cut UTF-8 escape',
      'GET',
      '/v1/signals/%E0%A4%A',
      {},
      400,
    ],
    [
      'a non-numeric dead-letter cursor',
      'GET',
      '/v1/dead-letters?cursor=abc',
      {},
      400,
    ],
    [
      'an infinite dead-letter cursor',
      'GET',
      '/v1/dead-letters?cursor=1e400',
      {},
      400,
    ],
    [
      'a JSON body in an unsupported charset',
      'POST',
      '/v1/subscriptions',
      {
        rawBody: '{}',
        headers: { 'content-type': 'application/json; charset=latin1' },
      },
      415,
    ],
  ])('rejects %s with a 4xx', async (_name, method, path, options, status) => {
    const response = await stack.request(method, path, options);

    expect(response.body?.error?.code).not.toBe('redis_unavailable');
    expect(response.status).toBe(status);
  });

  it('handles random requests without a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary, (request) => check(request)),
      {
        seed: FUZZ_SEED,
        numRuns: FUZZ_RUNS,
        endOnFailure: true,
        plugins: [fc.interruptAfterTimeLimit(FUZZ_TIME_LIMIT_MS)],
      },
    );
  }, 120_000);

  it('returns no 503 while Redis is healthy', async () => {
    const ready = await stack.request('GET', '/readyz', { key: null });
    expect(ready.status).toBe(200);

    const examples = unavailable.slice(0, 5).join('\n---\n');
    expect(`${unavailable.length} requests answered 503\n${examples}`).toBe(
      '0 requests answered 503\n',
    );
  });

  it('stays alive after the fuzz', async () => {
    const response = await stack.request('GET', '/healthz', { key: null });

    expect(response.status).toBe(200);
    expect(sent).toBeGreaterThanOrEqual(FUZZ_RUNS);
    expect(sent).toBeLessThanOrEqual(2000);
  });

  it('leaves Object.prototype unpolluted', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
