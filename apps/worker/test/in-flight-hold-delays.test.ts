import { InFlightHoldDelays } from '../src/delivery/in-flight-hold-delays';
import { ManualClock } from './manual-clock';

const TARGET = 'leases:target-a';
const OTHER_TARGET = 'leases:target-b';
const LIMIT = 10;

function delaysWith(clock: ManualClock, random: number): InFlightHoldDelays {
  return new InFlightHoldDelays(
    () => clock.nowMs,
    () => random,
  );
}

describe('InFlightHoldDelays before a release', () => {
  it('holds a first delivery 250 ms before jitter', () => {
    const clock = new ManualClock();
    expect(delaysWith(clock, 0).unpacedDelay(TARGET)).toBe(250);
  });

  it('adds up to one more base as jitter', () => {
    const clock = new ManualClock();
    expect(delaysWith(clock, 0.999).unpacedDelay(TARGET)).toBeCloseTo(499.75);
  });

  it('grows with the time since the last lease', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.leased(TARGET);
    clock.advance(2_000);
    expect(delays.unpacedDelay(TARGET)).toBe(1_000);
    clock.advance(6_000);
    expect(delays.unpacedDelay(TARGET)).toBe(4_000);
  });

  it('counts from the first hold without any lease', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    expect(delays.unpacedDelay(TARGET)).toBe(250);
    clock.advance(4_000);
    expect(delays.unpacedDelay(TARGET)).toBe(2_000);
  });

  it('stops growing at 8 s before jitter without a lease', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0.5);
    delays.unpacedDelay(TARGET);
    clock.advance(600_000);
    expect(delays.unpacedDelay(TARGET)).toBe(12_000);
  });

  it('starts over after a new lease', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.unpacedDelay(TARGET);
    clock.advance(10_000);
    expect(delays.unpacedDelay(TARGET)).toBe(5_000);
    delays.leased(TARGET);
    expect(delays.unpacedDelay(TARGET)).toBe(250);
  });

  it('has no spacing before a release', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.leased(TARGET);
    expect(delays.spacing(TARGET, LIMIT)).toBeUndefined();
  });

  it('keeps each target apart', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.unpacedDelay(TARGET);
    delays.unpacedDelay(OTHER_TARGET);
    clock.advance(10_000);
    delays.leased(OTHER_TARGET);
    expect(delays.unpacedDelay(TARGET)).toBe(5_000);
    expect(delays.unpacedDelay(OTHER_TARGET)).toBe(250);
  });
});

describe('InFlightHoldDelays after a release', () => {
  it('spaces holds by lease time over three times the limit', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.leased(TARGET);
    clock.advance(300);
    delays.released(TARGET, 300);
    expect(delays.spacing(TARGET, LIMIT)).toBe(10);
  });

  it('averages the lease times', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.released(TARGET, 300);
    delays.released(TARGET, 600);
    expect(delays.spacing(TARGET, LIMIT)).toBeCloseTo(11);
  });

  it('counts the time since the last release with an open lease', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.leased(TARGET);
    delays.leased(TARGET);
    delays.released(TARGET, 300);
    clock.advance(30_000);
    expect(delays.spacing(TARGET, LIMIT)).toBe(1_000);
  });

  it('keeps the average lease time without an open lease', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.leased(TARGET);
    delays.released(TARGET, 300);
    clock.advance(30_000);
    expect(delays.spacing(TARGET, LIMIT)).toBe(10);
  });

  it('ignores a quiet time before the open leases', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.leased(TARGET);
    delays.released(TARGET, 300);
    clock.advance(600_000);
    delays.leased(TARGET);
    clock.advance(100);
    expect(delays.spacing(TARGET, LIMIT)).toBe(10);
  });

  it('keeps the average when a lease sent nothing', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.leased(TARGET);
    delays.released(TARGET, 300);
    for (let step = 0; step < 30; step += 1) {
      delays.leased(TARGET);
      delays.released(TARGET, undefined);
    }
    expect(delays.spacing(TARGET, LIMIT)).toBe(10);
  });

  it('keeps the quiet time after a lease that sent nothing', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.leased(TARGET);
    delays.leased(TARGET);
    delays.released(TARGET, 300);
    clock.advance(19_000);
    delays.leased(TARGET);
    delays.released(TARGET, undefined);
    expect(delays.spacing(TARGET, 2)).toBeCloseTo(19_000 / 6);
  });

  it('paces holds below 250 ms while leases keep coming', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    for (let step = 0; step < 20; step += 1) {
      delays.leased(TARGET);
      clock.advance(30);
      delays.released(TARGET, 30);
    }
    expect(delays.spacing(TARGET, LIMIT)).toBe(1);
  });

  it('keeps each target apart', () => {
    const clock = new ManualClock();
    const delays = delaysWith(clock, 0);
    delays.released(TARGET, 300);
    expect(delays.spacing(TARGET, LIMIT)).toBe(10);
    expect(delays.unpacedDelay(OTHER_TARGET)).toBe(250);
  });
});
