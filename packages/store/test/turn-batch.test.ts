import { TurnBatch } from '../src';

describe('TurnBatch', () => {
  it('sends one turn in one call', async () => {
    const calls: number[][] = [];
    const batch = new TurnBatch<number, number>(async (items) => {
      calls.push([...items]);
      return items.map((item) => item * 10);
    });

    const results = await Promise.all([batch.add(1), batch.add(2)]);

    expect(results).toEqual([10, 20]);
    expect(calls).toEqual([[1, 2]]);
  });

  it('sends later turns separately', async () => {
    const calls: number[][] = [];
    const batch = new TurnBatch<number, number>(async (items) => {
      calls.push([...items]);
      return [...items];
    });

    await batch.add(1);
    await batch.add(2);

    expect(calls).toEqual([[1], [2]]);
  });

  it('splits a turn at maxItems', async () => {
    const calls: number[][] = [];
    const batch = new TurnBatch<number, number>(
      async (items) => {
        calls.push([...items]);
        return items.map((item) => item * 10);
      },
      { maxItems: 2 },
    );

    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => batch.add(n)));

    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(calls).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects every caller of a failed call', async () => {
    const batch = new TurnBatch<number, number>(async () => {
      throw new Error('Redis down');
    });

    const calls = [batch.add(1), batch.add(2)];

    for (const call of calls) await expect(call).rejects.toThrow('Redis down');
  });
});

describe('TurnBatch with oneCallAtATime', () => {
  /** Builds a `send` whose calls stay in flight until the test settles them. */
  function heldCalls() {
    const calls: { items: number[]; settle: (error?: Error) => void }[] = [];
    const send = (items: readonly number[]): Promise<number[]> =>
      new Promise((resolve, reject) => {
        calls.push({
          items: [...items],
          settle: (error) =>
            error ? reject(error) : resolve(items.map((item) => item * 10)),
        });
      });
    const sentItems = (): number[][] => calls.map((call) => call.items);
    return { calls, send, sentItems };
  }

  const nextTurn = (): Promise<void> =>
    new Promise((resolve) => setImmediate(resolve));

  it('joins later turns after the reply', async () => {
    const { calls, send, sentItems } = heldCalls();
    const batch = new TurnBatch<number, number>(send, {
      oneCallAtATime: true,
    });

    const first = batch.add(1);
    await nextTurn();
    const later = [batch.add(2)];
    await nextTurn();
    later.push(batch.add(3));
    await nextTurn();
    expect(sentItems()).toEqual([[1]]);

    calls[0]?.settle();
    await expect(first).resolves.toBe(10);
    expect(sentItems()).toEqual([[1], [2, 3]]);
    calls[1]?.settle();
    await expect(Promise.all(later)).resolves.toEqual([20, 30]);
  });

  it('sends waiting items after a failure', async () => {
    const { calls, send, sentItems } = heldCalls();
    const batch = new TurnBatch<number, number>(send, {
      oneCallAtATime: true,
    });

    const first = batch.add(1);
    await nextTurn();
    const second = batch.add(2);
    await nextTurn();
    calls[0]?.settle(new Error('Redis down'));

    await expect(first).rejects.toThrow('Redis down');
    expect(sentItems()).toEqual([[1], [2]]);
    calls[1]?.settle();
    await expect(second).resolves.toBe(20);
  });

  it('keeps maxItems for waiting items', async () => {
    const { calls, send, sentItems } = heldCalls();
    const batch = new TurnBatch<number, number>(send, {
      oneCallAtATime: true,
      maxItems: 2,
    });

    const all = [batch.add(1), batch.add(2)];
    all.push(...[3, 4, 5].map((n) => batch.add(n)));
    await nextTurn();
    expect(sentItems()).toEqual([[1, 2]]);

    calls[0]?.settle();
    await nextTurn();
    expect(sentItems()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    calls[1]?.settle();
    await nextTurn();
    calls[2]?.settle();
    await expect(Promise.all(all)).resolves.toEqual([10, 20, 30, 40, 50]);
    expect(sentItems()).toEqual([[1, 2], [3, 4], [5]]);
  });
});
