import { randomUUID } from 'node:crypto';
import { startReceiver, type Receiver } from '../../../test/support/receiver';
import {
  ADMIN_KEY,
  PUBLISH_KEY,
  startTestStack,
  waitFor,
  type TestStack,
} from '../../../test/support/stack';
import {
  SignalpostApiError,
  SignalpostClient,
  SignalpostClientError,
  type DeadLetterEntry,
} from '../src';

describe('SignalpostClient against the API', () => {
  let stack: TestStack;
  let admin: SignalpostClient;

  beforeAll(async () => {
    stack = await startTestStack();
    admin = new SignalpostClient({ baseUrl: stack.baseUrl, apiKey: ADMIN_KEY });
  });

  afterAll(async () => {
    await stack.close();
  });

  describe('publish', () => {
    it('returns the id of a new signal', async () => {
      const result = await admin.publish({
        type: 'order.created',
        source: 'shop',
        id: 'p-1',
        data: { total: 12 },
      });
      expect(result).toEqual({ id: 'p-1', duplicate: false });
    });

    it('reports a repeated (source, id) as a duplicate', async () => {
      const signal = { type: 'order.created', source: 'shop', id: 'p-2' };
      await admin.publish(signal);
      await expect(admin.publish(signal)).resolves.toEqual({
        id: 'p-2',
        duplicate: true,
      });
    });

    it('answers a repeated idempotency key with the original id', async () => {
      const idempotencyKey = randomUUID();
      const signal = { type: 'order.created', source: 'shop' };
      const first = await admin.publish(signal, { idempotencyKey });
      const second = await admin.publish(signal, { idempotencyKey });
      expect(first.duplicate).toBe(false);
      expect(second).toEqual({ id: first.id, duplicate: true });
    });

    it('rejects an idempotency key reused with another body', async () => {
      const idempotencyKey = randomUUID();
      await admin.publish({ type: 'a.b', source: 'shop' }, { idempotencyKey });
      const error = await admin
        .publish({ type: 'a.c', source: 'shop' }, { idempotencyKey })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SignalpostApiError);
      expect((error as SignalpostApiError).status).toBe(422);
      expect((error as SignalpostApiError).code).toBe('idempotency_key_reused');
    });

    it('throws validation_failed with details for a bad signal', async () => {
      const error = (await admin
        .publish({ type: 'bad..type', source: 'shop' })
        .catch((caught: unknown) => caught)) as SignalpostApiError;
      expect(error.status).toBe(400);
      expect(error.code).toBe('validation_failed');
      expect(JSON.stringify(error.details)).toContain('type');
    });
  });

  describe('publishBatch', () => {
    it('returns accepted and duplicate ids', async () => {
      await admin.publish({ type: 'order.created', source: 'shop', id: 'b-0' });
      const result = await admin.publishBatch([
        { type: 'order.created', source: 'shop', id: 'b-0' },
        { type: 'order.created', source: 'shop', id: 'b-1' },
        { type: 'order.created', source: 'shop', id: 'b-2' },
      ]);
      expect([...result.accepted].sort()).toEqual(['b-1', 'b-2']);
      expect(result.duplicates).toEqual(['b-0']);
    });

    it('rejects an empty batch before sending', async () => {
      await expect(admin.publishBatch([])).rejects.toBeInstanceOf(
        SignalpostClientError,
      );
    });

    it('rejects a batch over 1000 signals before sending', async () => {
      const signals = Array.from({ length: 1001 }, () => ({
        type: 'a',
        source: 's',
      }));
      await expect(admin.publishBatch(signals)).rejects.toBeInstanceOf(
        SignalpostClientError,
      );
    });
  });

  describe('getSignal', () => {
    it('reads a published signal', async () => {
      await admin.publish({ type: 'order.paid', source: 'till', id: 'g-1' });
      const record = await admin.getSignal('g-1', { source: 'till' });
      expect(record.signal.id).toBe('g-1');
      expect(record.signal.source).toBe('till');
      expect(record.signal.specversion).toBe('1.0');
    });

    it('throws not_found for an unknown id', async () => {
      await expect(admin.getSignal('no-such-signal')).rejects.toMatchObject({
        status: 404,
        code: 'not_found',
      });
    });
  });

  describe('subscriptions', () => {
    const body = {
      id: 'sdk-sub',
      pattern: 'sdk.**',
      dispatch: { adapter: 'noop' },
    };

    it('creates, reads, replaces, lists and deletes one', async () => {
      const created = await admin.createSubscription(body);
      expect(created.id).toBe('sdk-sub');
      expect(created.dispatch[0]?.adapter).toBe('noop');

      const read = await admin.getSubscription('sdk-sub');
      expect(read.pattern).toBe('sdk.**');

      const replaced = await admin.putSubscription('sdk-sub', {
        ...body,
        pattern: 'sdk.v2.*',
      });
      expect(replaced.pattern).toBe('sdk.v2.*');
      expect(replaced.version).toBeGreaterThan(read.version);

      const page = await admin.listSubscriptions({ limit: 1000 });
      expect(page.data.map((item) => item.id)).toContain('sdk-sub');

      await admin.deleteSubscription('sdk-sub');
      await expect(admin.getSubscription('sdk-sub')).rejects.toMatchObject({
        status: 404,
        code: 'not_found',
      });
    });

    it('pages with limit and cursor', async () => {
      for (const id of ['page-a', 'page-b', 'page-c']) {
        await admin.createSubscription({ ...body, id });
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page += 1) {
        const result = await admin.listSubscriptions({ limit: 1, cursor });
        expect(result.data.length).toBeLessThanOrEqual(1);
        seen.push(...result.data.map((item) => item.id));
        if (result.nextCursor === null) break;
        cursor = result.nextCursor;
      }
      expect(seen).toEqual(expect.arrayContaining(['page-a', 'page-b']));
      expect(seen).toContain('page-c');
    });

    it('throws conflict when the id exists', async () => {
      await admin.createSubscription({ ...body, id: 'twice' });
      await expect(
        admin.createSubscription({ ...body, id: 'twice' }),
      ).rejects.toMatchObject({ status: 409, code: 'conflict' });
    });
  });

  describe('with a publish-only key', () => {
    it('throws forbidden when listing subscriptions', async () => {
      const client = new SignalpostClient({
        baseUrl: stack.baseUrl,
        apiKey: PUBLISH_KEY,
      });
      const error = (await client
        .listSubscriptions()
        .catch((caught: unknown) => caught)) as SignalpostApiError;
      expect(error).toBeInstanceOf(SignalpostApiError);
      expect(error.status).toBe(403);
      expect(error.code).toBe('forbidden');
    });
  });

  describe('with an unknown key', () => {
    it('throws unauthorized without the key in the message', async () => {
      const apiKey = `unknown-${randomUUID()}`;
      const client = new SignalpostClient({ baseUrl: stack.baseUrl, apiKey });
      const error = (await client
        .publish({ type: 'a', source: 's' })
        .catch((caught: unknown) => caught)) as SignalpostApiError;
      expect(error.status).toBe(401);
      expect(error.code).toBe('unauthorized');
      expect(error.message).not.toContain(apiKey);
      expect(JSON.stringify(error)).not.toContain(apiKey);
    });
  });

  describe('dead letters', () => {
    let receiver: Receiver;

    beforeAll(async () => {
      receiver = await startReceiver();
      receiver.answer(() => ({ status: 400, body: 'rejected' }));
      await admin.createSubscription({
        id: 'rejecting',
        pattern: 'reject.me',
        dispatch: { adapter: 'webhook', url: `${receiver.url}/hook` },
      });
    });

    afterAll(async () => {
      await receiver.close();
    });

    it('lists an entry by subscription and replays it', async () => {
      await admin.publish({ type: 'reject.me', source: 'shop', id: 'dl-1' });
      const entry = await waitFor<DeadLetterEntry>(
        async () => {
          const page = await admin.listDeadLetters({
            subscription: 'rejecting',
          });
          return page.data.find((item) => item.signalId === 'dl-1');
        },
        15_000,
        'the dead-letter entry',
      );
      expect(entry.reason).toBe('non_retryable_status');
      expect(entry.kind).toBe('delivery');

      const replayed = await admin.replayDeadLetter(entry.id);
      expect(replayed.deliveryId).toMatch(/^dlv_/);
    });

    it('filters by queue', async () => {
      const page = await admin.listDeadLetters({ queue: 'no-such-queue' });
      expect(page.data).toEqual([]);
    });

    it('throws not_found when replaying an unknown entry', async () => {
      await expect(
        admin.replayDeadLetter('no-such-entry'),
      ).rejects.toMatchObject({ status: 404, code: 'not_found' });
    });
  });
});
