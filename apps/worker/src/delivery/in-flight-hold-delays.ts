/** Minimum base delay of a delivery held back by `maxInFlight`, in ms. */
const MIN_BASE_MS = 250;

/** Maximum base delay of a delivery held back by `maxInFlight`, in ms. */
const MAX_BASE_MS = 8_000;

/** Targets whose last lease is kept; past it the map starts over. */
const MAX_KEPT_TARGETS = 10_000;

/**
 * Delays of the deliveries that this worker holds back because their target
 * has `maxInFlight` requests open. The base delay is half the time since
 * the worker last got a lease for the target, or first held one of its
 * deliveries back, kept between 250 ms and 8 s. Each delay adds a random
 * share of up to one more base.
 *
 * A target that keeps responding frees its leases often, so its held
 * deliveries come back within 250 to 500 ms. Deliveries held behind
 * requests that hang come back less and less often, so re-checking them
 * costs the other targets' deliveries less. Each worker keeps its own
 * view, from the leases it took itself.
 * NOTE: a worker that gets none of a busy target's leases while other
 * workers take them all holds that target's deliveries longer and longer,
 * up to 16 s each, although the target keeps responding.
 */
export class InFlightHoldDelays {
  private readonly lastLeaseAtMs = new Map<string, number>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {}

  /** Records that a delivery to the target, by its lease key, got a lease. */
  leased(leaseKey: string): void {
    this.remember(leaseKey, this.now());
  }

  /** Returns the delay in ms of a delivery to the target held back now. */
  next(leaseKey: string): number {
    const nowMs = this.now();
    let sinceMs = this.lastLeaseAtMs.get(leaseKey);
    if (sinceMs === undefined) {
      sinceMs = nowMs;
      this.remember(leaseKey, nowMs);
    }
    const baseMs = Math.min(
      MAX_BASE_MS,
      Math.max(MIN_BASE_MS, (nowMs - sinceMs) / 2),
    );
    return baseMs + this.random() * baseMs;
  }

  private remember(leaseKey: string, atMs: number): void {
    if (
      this.lastLeaseAtMs.size >= MAX_KEPT_TARGETS &&
      !this.lastLeaseAtMs.has(leaseKey)
    ) {
      this.lastLeaseAtMs.clear();
    }
    this.lastLeaseAtMs.set(leaseKey, atMs);
  }
}
