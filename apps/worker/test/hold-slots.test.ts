import { HoldSlots } from '../src/delivery/hold-slots';
import { ManualClock } from './manual-clock';

const KEY = 'bucket:target-a';
const OTHER_KEY = 'bucket:target-b';

function slotsWith(clock: ManualClock, random: number): HoldSlots {
  return new HoldSlots(
    () => clock.nowMs,
    () => random,
  );
}

describe('HoldSlots', () => {
  it('gives return times one spacing apart', () => {
    const slots = slotsWith(new ManualClock(), 0);
    expect(slots.next(KEY, 10)).toBe(10);
    expect(slots.next(KEY, 10)).toBe(20);
    expect(slots.next(KEY, 10)).toBe(30);
  });

  it('counts from the last slot as time passes', () => {
    const clock = new ManualClock();
    const slots = slotsWith(clock, 0);
    expect(slots.next(KEY, 10)).toBe(10);
    expect(slots.next(KEY, 10)).toBe(20);
    clock.advance(15);
    expect(slots.next(KEY, 10)).toBe(15);
  });

  it('starts from now once the last slot has passed', () => {
    const clock = new ManualClock();
    const slots = slotsWith(clock, 0);
    expect(slots.next(KEY, 10)).toBe(10);
    clock.advance(100);
    expect(slots.next(KEY, 10)).toBe(10);
  });

  it('waits at least the minimum delay', () => {
    const slots = slotsWith(new ManualClock(), 0);
    expect(slots.next(KEY, 10, 500)).toBe(500);
    expect(slots.next(KEY, 10, 500)).toBe(510);
  });

  it('adds jitter within one spacing', () => {
    const slots = slotsWith(new ManualClock(), 0.5);
    expect(slots.next(KEY, 10)).toBe(15);
    expect(slots.next(KEY, 10)).toBe(25);
  });

  it('sends slots past 60 s back after 60 to 120 s', () => {
    const slots = slotsWith(new ManualClock(), 0.5);
    const delays = Array.from({ length: 5 }, () => slots.next(KEY, 20_000));
    expect(delays).toEqual([30_000, 50_000, 70_000, 90_000, 90_000]);
  });

  it('keeps the minimum delay past 60 s', () => {
    const slots = slotsWith(new ManualClock(), 0);
    expect(slots.next(KEY, 360_000, 300_000)).toBe(300_000);
  });

  it('keeps each key apart', () => {
    const slots = slotsWith(new ManualClock(), 0);
    expect(slots.next(KEY, 10)).toBe(10);
    expect(slots.next(OTHER_KEY, 10)).toBe(10);
  });
});
