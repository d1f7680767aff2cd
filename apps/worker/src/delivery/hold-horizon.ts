/**
 * Furthest ahead a held delivery is scheduled, in ms. A delivery past it
 * comes back after one to two times this, or after its minimum delay when
 * that is longer, and is scheduled again.
 */
export const MAX_SCHEDULED_MS = 60_000;

/**
 * Returns the delay of a held delivery that no return time within
 * {@link MAX_SCHEDULED_MS} could take: one to two times that, or its
 * minimum delay plus up to that much when longer.
 */
export function delayPastHorizon(
  minDelayMs: number,
  random: () => number = Math.random,
): number {
  return Math.max(MAX_SCHEDULED_MS, minDelayMs) + random() * MAX_SCHEDULED_MS;
}
