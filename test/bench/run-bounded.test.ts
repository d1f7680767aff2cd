import { runBounded } from '../../bench/run-bounded';
import { sleep } from '../../bench/sleep';

describe('runBounded', () => {
  it('keeps at most the given tasks in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const run = await runBounded(20, 3, Infinity, async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(5);
      inFlight -= 1;
      return true;
    });
    expect(run.succeeded).toBe(20);
    expect(maxInFlight).toBe(3);
  });

  it('counts failures and keeps the first message', async () => {
    const run = await runBounded(4, 1, Infinity, async (index) => {
      if (index === 1) return 'answered 500';
      if (index === 2) throw new Error('socket hang up');
      return true;
    });
    expect(run).toEqual({
      succeeded: 2,
      failed: 2,
      skipped: 0,
      firstError: 'answered 500',
    });
  });

  it('starts nothing after the deadline', async () => {
    const deadlineMs = performance.now() + 30;
    const run = await runBounded(1000, 2, deadlineMs, async () => {
      await sleep(10);
      return true;
    });
    expect(run.skipped).toBeGreaterThan(0);
    expect(run.succeeded + run.skipped).toBe(1000);
  });

  it('runs nothing for a count of zero', async () => {
    const task = jest.fn(async () => true as const);
    const run = await runBounded(0, 4, Infinity, task);
    expect(task).not.toHaveBeenCalled();
    expect(run.succeeded).toBe(0);
  });
});
