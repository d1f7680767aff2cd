import { request } from 'undici';
import { BENCH_ID_HEADER } from '../../bench/baseline-protocol';
import {
  startBenchReceiver,
  type BenchReceiver,
} from '../../bench/bench-receiver';

describe('bench receiver', () => {
  let receiver: BenchReceiver;

  beforeEach(async () => {
    receiver = await startBenchReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  const post = async (headers: Record<string, string> = {}) => {
    const response = await request(`${receiver.url}/hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{"a":1}',
    });
    return { status: response.statusCode, body: await response.body.text() };
  };

  it('answers 200 and counts requests', async () => {
    expect(await post()).toEqual({ status: 200, body: 'ok' });
    await post();
    expect(receiver.count).toBe(2);
    expect(receiver.arrivalsMs).toHaveLength(2);
  });

  it('records first arrivals by webhook-id', async () => {
    await post({ 'webhook-id': 'msg_a' });
    const first = receiver.arrivalById.get('msg_a');
    await post({ 'webhook-id': 'msg_a' });
    expect(receiver.arrivalById.get('msg_a')).toBe(first);
  });

  it('records the baseline id header', async () => {
    await post({ [BENCH_ID_HEADER]: 'baseline-3' });
    expect(receiver.arrivalById.has('baseline-3')).toBe(true);
  });

  it('forgets everything on reset', async () => {
    await post({ 'webhook-id': 'msg_b' });
    receiver.reset();
    expect(receiver.count).toBe(0);
    expect(receiver.arrivalById.size).toBe(0);
  });

  it('waits for a count', async () => {
    const waiting = receiver.waitForCount(2, performance.now() + 10_000);
    await post();
    await post();
    expect(await waiting).toBe('reached');
  });

  it('times out at the deadline', async () => {
    const outcome = await receiver.waitForCount(1, performance.now() + 150);
    expect(outcome).toBe('timed_out');
  });

  it('stops waiting when told to', async () => {
    const outcome = await receiver.waitForCount(
      1,
      performance.now() + 10_000,
      () => true,
    );
    expect(outcome).toBe('stopped');
  });

  it('waits for given ids', async () => {
    const waiting = receiver.waitForIds(
      ['msg_1', 'msg_2'],
      performance.now() + 10_000,
    );
    await post({ 'webhook-id': 'msg_2' });
    await post({ 'webhook-id': 'msg_1' });
    expect(await waiting).toBe('reached');
  });

  it('waits before answering when delayed', async () => {
    receiver.setDelayMs(120);
    const startedMs = performance.now();
    await post();
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(100);
  });
});
