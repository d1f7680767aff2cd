import {
  delayPastHorizon,
  MAX_SCHEDULED_MS,
} from '../src/delivery/hold-horizon';

describe('delayPastHorizon', () => {
  it('waits one horizon before jitter', () => {
    expect(delayPastHorizon(0, () => 0)).toBe(MAX_SCHEDULED_MS);
  });

  it('adds up to one more horizon', () => {
    expect(delayPastHorizon(0, () => 0.5)).toBe(1.5 * MAX_SCHEDULED_MS);
  });

  it('keeps a longer minimum delay', () => {
    const minDelayMs = 3 * MAX_SCHEDULED_MS;
    expect(delayPastHorizon(minDelayMs, () => 0)).toBe(minDelayMs);
  });
});
