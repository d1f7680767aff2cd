/**
 * Furthest ahead a held delivery is scheduled, in ms. A delivery past it
 * comes back after one to two times this, or after its minimum delay when
 * that is longer, and is scheduled again.
 */
export const MAX_SCHEDULED_MS = 60_000;

/** Max keys whose schedule is kept. Past it, the map starts over. */
const MAX_KEPT_KEYS = 10_000;

/**
 * Return times of held deliveries, one after another per key. Deliveries
 * held back by one limit get return times `spacingMs` apart, so a backlog
 * comes back at the pace the limit lets through, instead of all at once
 * to be held again.
 * NOTE: each worker keeps its own schedule, so with N workers a backlog
 * comes back up to N times as fast as the limit lets it through.
 */
export class HoldSlots {
  private readonly lastSlotAtMs = new Map<string, number>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Returns the delay in ms of the next return time of `key`: `spacingMs`
   * after the last one given out and at least `minDelayMs` from now, plus
   * a random share of one spacing.
   */
  next(key: string, spacingMs: number, minDelayMs = 0): number {
    const nowMs = this.now();
    const lastAtMs = this.lastSlotAtMs.get(key) ?? nowMs;
    const slotAtMs = Math.max(
      lastAtMs + spacingMs,
      nowMs + Math.max(spacingMs, minDelayMs),
    );
    if (slotAtMs - nowMs > MAX_SCHEDULED_MS)
      return delayPastHorizon(minDelayMs, this.random);

    if (this.lastSlotAtMs.size >= MAX_KEPT_KEYS && !this.lastSlotAtMs.has(key))
      this.lastSlotAtMs.clear();
    this.lastSlotAtMs.set(key, slotAtMs);
    return slotAtMs - nowMs + this.random() * spacingMs;
  }
}

/**
 * Returns the delay of a held delivery that no slot within
 * {@link MAX_SCHEDULED_MS} could take: one to two times that, or its
 * minimum delay plus up to that much when longer.
 */
export function delayPastHorizon(
  minDelayMs: number,
  random: () => number = Math.random,
): number {
  return Math.max(MAX_SCHEDULED_MS, minDelayMs) + random() * MAX_SCHEDULED_MS;
}
