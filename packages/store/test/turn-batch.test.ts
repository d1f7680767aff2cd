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
    const batch = new TurnBatch<number, number>(async (items) => {
      calls.push([...items]);
      return items.map((item) => item * 10);
    }, 2);

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
