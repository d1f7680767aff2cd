import path from 'node:path';
import {
  createCapturedLogger,
  type CapturedLogger,
} from '../support/captured-logger';
import { startProcessStack, type ProcessStack } from '../support/process-stack';
import { startReceiver, type Receiver } from '../support/receiver';
import {
  ADMIN_KEY,
  PUBLISH_KEY,
  startTestStack,
  waitFor,
  type TestStack,
} from '../support/stack';

const PLUGIN = path.resolve(__dirname, '../fixtures/test-plugin.ts');
const SECRET_BYTES = Buffer.alloc(32, 11).toString('base64');
const SECRET = `whsec_${SECRET_BYTES}`;
const TARGET_TOKEN = 'target-token-4f9e2c71d0';
const WRONG_KEY = 'wrong-key-8c3b1a9e77';
/** pino's number for the info level. Warn is 40, error 50. */
const INFO_LEVEL = 30;

/** A parsed pino line with the fields that the checks read. */
interface LogEntry {
  readonly level: number;
  readonly msg: string;
  readonly deliveryId?: string;
  readonly [field: string]: unknown;
}

/** A delivery outcome, the signal that ends so, and its log line's fields. */
interface OutcomeCase {
  readonly outcome: string;
  readonly signalId: string;
  readonly subscription: string;
  /** Pattern that the outcome line's message matches. */
  readonly message: RegExp;
  readonly fields: Readonly<Record<string, unknown>>;
}

const OUTCOMES: readonly OutcomeCase[] = [
  {
    outcome: 'delivered',
    signalId: 'log-ok-1',
    subscription: 'log-ok',
    message: /delivered/,
    fields: { attempt: 1, status: 200, durationMs: expect.any(Number) },
  },
  {
    outcome: 'dead_lettered',
    signalId: 'log-fail-1',
    subscription: 'log-fail',
    message: /dead-lettered|dead_lettered/,
    fields: { attempt: 1, status: 400, durationMs: expect.any(Number) },
  },
  {
    outcome: 'throttled',
    signalId: 'log-fail-2',
    subscription: 'log-fail',
    message: /throttled/,
    fields: { attempt: 0 },
  },
  {
    outcome: 'dropped',
    signalId: 'log-drop-1',
    subscription: 'log-ok',
    message: /dropped/,
    fields: { attempt: 1 },
  },
];

describe('logs of an in-process stack', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let captured: CapturedLogger;
  const deliveryIds = new Map<string, string>();

  beforeAll(async () => {
    captured = createCapturedLogger('trace');
    receiver = await startReceiver();
    receiver.answer((_index, request) =>
      request.url === '/fail' ? { status: 400 } : { status: 200 },
    );
    stack = await startTestStack(
      { SIGNALPOST_PLUGINS: PLUGIN },
      1,
      captured.logger,
    );
    await putLoggedSubscriptions(stack, receiver);
    await publishOutcomes(stack);
    for (const item of OUTCOMES) {
      deliveryIds.set(item.signalId, await endedDeliveryId(stack, item));
    }
    const refused = await stack.request('GET', '/v1/subscriptions', {
      key: WRONG_KEY,
    });
    expect(refused.status).toBe(401);
  }, 90_000);

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  const entries = (): LogEntry[] =>
    captured.lines.map((line) => JSON.parse(line) as LogEntry);

  const outcomeLines = (item: OutcomeCase): LogEntry[] =>
    entries().filter(
      (entry) =>
        entry.deliveryId === deliveryIds.get(item.signalId) &&
        item.message.test(entry.msg),
    );

  it('writes every line as one JSON object', () => {
    expect(captured.lines.length).toBeGreaterThan(0);
    for (const line of captured.lines) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });

  describe.each(OUTCOMES)('for a $outcome delivery', (item) => {
    it('logs ids, attempt, status and duration', () => {
      const lines = outcomeLines(item);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toEqual(
        expect.objectContaining({
          signalId: item.signalId,
          deliveryId: deliveryIds.get(item.signalId),
          subscriptionId: item.subscription,
          ...item.fields,
        }),
      );
    });

    it('logs no more than one line for the outcome', () => {
      expect(outcomeLines(item).length).toBeLessThanOrEqual(1);
    });
  });

  it('logs no secret, signature or Authorization value', () => {
    const signatures = receiver.requests.flatMap((request) =>
      signatureValues(request.headers['webhook-signature']),
    );
    const forbidden = [
      SECRET,
      SECRET_BYTES,
      TARGET_TOKEN,
      ADMIN_KEY,
      PUBLISH_KEY,
      WRONG_KEY,
      ...signatures,
    ];
    expect(signatures.length).toBeGreaterThan(0);
    const text = captured.lines.join('\n');
    for (const value of forbidden) {
      expect({ value, logged: text.includes(value) }).toEqual({
        value,
        logged: false,
      });
    }
  });
});

describe('logs of app processes started with LOG_LEVEL=warn', () => {
  let stack: ProcessStack;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    receiver.answer((_index, request) =>
      request.url === '/fail' ? { status: 400 } : { status: 200 },
    );
    stack = await startProcessStack({ processLogLevel: 'warn' });
    await putLoggedSubscriptions(stack, receiver);
    for (const id of ['warn-ok-1', 'warn-fail-1']) {
      const type = id.includes('fail') ? 'log.fail' : 'log.ok';
      const response = await stack.request('POST', '/v1/signals', {
        body: { type, source: 'logs', id },
        key: PUBLISH_KEY,
      });
      expect(response.status).toBe(202);
    }
    for (const [id, state] of [
      ['warn-ok-1', 'delivered'],
      ['warn-fail-1', 'dead_lettered'],
    ]) {
      await waitFor(
        async () => {
          const response = await stack.request('GET', `/v1/signals/${id}`);
          const delivery = response.body?.deliveries?.[0];
          return delivery?.state === state ? true : undefined;
        },
        30_000,
        `signal ${id}'s delivery to be ${state}`,
      );
    }
  }, 90_000);

  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
  });

  const processEntries = (): LogEntry[] =>
    [stack.router, stack.worker]
      .flatMap((item) => item.app.output.join('').split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogEntry);

  it('logs the dead-lettered delivery at warn', async () => {
    const line = await waitFor(
      async () =>
        processEntries().find((entry) => /dead-lettered/.test(entry.msg)),
      10_000,
      'the dead-letter line of the worker process',
    );
    expect(line.level).toBeGreaterThanOrEqual(40);
  });

  it('writes no info line', () => {
    const below = processEntries().filter((entry) => entry.level <= INFO_LEVEL);
    expect(below).toEqual([]);
  });

  it('writes nothing but JSON lines', () => {
    const lines = [stack.router, stack.worker]
      .flatMap((item) => item.app.output.join('').split('\n'))
      .filter((line) => line.trim() !== '');
    expect(lines.filter((line) => !line.startsWith('{'))).toEqual([]);
  });

  it('logs no secret or key value', () => {
    const text = [stack.router, stack.worker]
      .map((item) => item.app.output.join(''))
      .join('\n');
    for (const value of [SECRET, SECRET_BYTES, TARGET_TOKEN, ADMIN_KEY]) {
      expect(text.includes(value)).toBe(false);
    }
  });
});

/** Anything with the request method the two stacks of this file share. */
interface RequestingStack {
  request: TestStack['request'];
}

async function putLoggedSubscriptions(
  stack: RequestingStack,
  receiver: Receiver,
): Promise<void> {
  const subscriptions = {
    'log-ok': {
      pattern: 'log.ok',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/ok`,
        secret: SECRET,
        headers: { authorization: `Bearer ${TARGET_TOKEN}` },
      },
    },
    'log-fail': {
      pattern: 'log.fail',
      dispatch: {
        adapter: 'webhook',
        url: `${receiver.url}/fail`,
        secret: SECRET,
        throttle: { key: 'type', maxCalls: 1, windowMs: 600_000 },
      },
    },
  };
  for (const [id, body] of Object.entries(subscriptions)) {
    const response = await stack.request('PUT', `/v1/subscriptions/${id}`, {
      body,
    });
    expect(response.status).toBe(201);
  }
  // A router in another process learns of new subscriptions through pub/sub.
  await new Promise((resolve) => setTimeout(resolve, 500));
}

/** Publishes the signals of {@link OUTCOMES}, the throttled one last. */
async function publishOutcomes(stack: TestStack): Promise<void> {
  const publish = async (type: string, id: string, data?: unknown) => {
    const response = await stack.request('POST', '/v1/signals', {
      body: { type, source: 'logs', id, data },
      key: PUBLISH_KEY,
    });
    expect(response.status).toBe(202);
  };
  await publish('log.ok', 'log-ok-1');
  await publish('log.ok', 'log-drop-1', { drop: true });
  await publish('log.fail', 'log-fail-1');
  await endedDeliveryId(stack, OUTCOMES[1] as OutcomeCase);
  await publish('log.fail', 'log-fail-2');
}

async function endedDeliveryId(
  stack: TestStack,
  item: OutcomeCase,
): Promise<string> {
  return waitFor(
    async () => {
      const response = await stack.request(
        'GET',
        `/v1/signals/${item.signalId}`,
      );
      const delivery = response.body?.deliveries?.[0];
      return delivery?.state === item.outcome ? String(delivery.id) : undefined;
    },
    30_000,
    `signal ${item.signalId}'s delivery to be ${item.outcome}`,
  );
}

/** Splits a `webhook-signature` header (`v1,<sig> v1,<sig>`) into signatures. */
function signatureValues(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : [header ?? ''];
  return values
    .flatMap((value) => value.split(' '))
    .map((part) => part.split(',')[1] ?? '')
    .filter((part) => part.length > 0);
}
