/** Minimum base delay of a delivery held back by `maxInFlight`, in ms. */
const MIN_BASE_MS = 250;

/** Maximum base delay of a delivery held back by `maxInFlight`, in ms. */
const MAX_BASE_MS = 8_000;

/**
 * Deliveries paced per lease expected to free up. A delivery that finds no
 * lease free goes to the end of the schedule, and the lease it missed stays
 * unused until the next delivery comes, so one per lease leaves leases idle.
 */
const PACED_PER_FREE_LEASE = 3;

/** Weight of the newest lease in the average lease time. */
const LEASE_TIME_WEIGHT = 0.1;

/** Max targets kept. Past it, the map starts over. */
const MAX_KEPT_TARGETS = 10_000;

/** One target's leases as this worker saw them. */
interface TargetLeases {
  /** Time of the last lease, or of the first hold before any lease. */
  lastLeaseAtMs: number;
  /** Average time a lease was held, once one was released. */
  averageLeaseMs: number | undefined;
  /**
   * The last release of a lease that sent a request, or the time the entry
   * was made before any.
   */
  lastReleaseAtMs: number;
  /** Number of leases this worker has open. */
  open: number;
  /** Time the worker last went from no open lease to one. */
  openSinceMs: number;
}

/**
 * Delays of the deliveries that this worker holds back because their target
 * has `maxInFlight` requests open.
 *
 * Once the worker has released a lease of the target, it has the average
 * time a lease lasts, so a lease frees up about every `leaseTime /
 * maxInFlight`. Held deliveries then take return times one after another
 * from the target's schedule, which all workers share, three per lease
 * expected to free up. A backlog so comes back at about the pace the
 * target takes it, and each delivery is held a few times (about four in a
 * measured backlog) instead of every few hundred ms. While the worker has a
 * lease of the target open, the lease time is at least the time since the
 * last release of a lease that sent a request, or since the open leases
 * were taken if that is later. Pacing so slows down when the target stops
 * responding.
 *
 * Before any release, the worker takes return times spaced as the
 * schedule was last spaced by another worker. Without one, the base delay
 * is half the time since the worker last got a lease for the target, or
 * first held one of its deliveries back. It is kept between 250 ms and
 * 8 s, and a random share of up to one more base is added. Each worker
 * measures leases from those it took itself.
 * NOTE: while no worker has seen a lease of the target end, as behind a
 * target that holds every request until its timeout, held deliveries come
 * back after those growing delays, up to 16 s each.
 */
export class InFlightHoldDelays {
  private readonly targets = new Map<string, TargetLeases>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {}

  /** Records that a delivery to the target, by its lease key, got a lease. */
  leased(leaseKey: string): void {
    const nowMs = this.now();
    const target = this.entry(leaseKey, nowMs);
    target.lastLeaseAtMs = nowMs;
    if (target.open === 0) target.openSinceMs = nowMs;
    target.open += 1;
  }

  /**
   * Records that a lease of the target was released after `heldMs`. A lease
   * under which no request was sent passes `undefined`, so that it leaves
   * the average lease time alone.
   */
  released(leaseKey: string, heldMs: number | undefined): void {
    const nowMs = this.now();
    const target = this.entry(leaseKey, nowMs);
    if (heldMs !== undefined) {
      target.averageLeaseMs =
        target.averageLeaseMs === undefined
          ? heldMs
          : target.averageLeaseMs +
            LEASE_TIME_WEIGHT * (heldMs - target.averageLeaseMs);
    }
    // A lease that sent no request has no response time to count, so the
    // quiet time keeps running.
    if (heldMs !== undefined) target.lastReleaseAtMs = nowMs;
    target.open = Math.max(0, target.open - 1);
  }

  /**
   * Returns the spacing in ms of the return times of deliveries to the
   * target held back at `limit` requests in flight, or undefined before
   * this worker has seen a lease of the target released.
   */
  spacing(leaseKey: string, limit: number): number | undefined {
    const target = this.targets.get(leaseKey);
    if (target?.averageLeaseMs === undefined) return undefined;
    // While this worker has leases of the target open, a lease lasts at
    // least as long as none has been released since they were taken.
    const quietSinceMs = Math.max(target.lastReleaseAtMs, target.openSinceMs);
    const quietMs = target.open > 0 ? this.now() - quietSinceMs : 0;
    const leaseMs = Math.max(target.averageLeaseMs, quietMs);
    return leaseMs / (PACED_PER_FREE_LEASE * Math.max(1, limit));
  }

  /**
   * Returns the delay in ms of a delivery to the target held back now
   * without a return time: half the time since the last lease, from 250 ms
   * to 8 s, plus up to as much again.
   */
  unpacedDelay(leaseKey: string): number {
    const nowMs = this.now();
    const target = this.entry(leaseKey, nowMs);
    const baseMs = Math.min(
      MAX_BASE_MS,
      Math.max(MIN_BASE_MS, (nowMs - target.lastLeaseAtMs) / 2),
    );
    return baseMs + this.random() * baseMs;
  }

  private entry(leaseKey: string, nowMs: number): TargetLeases {
    let target = this.targets.get(leaseKey);
    if (target === undefined) {
      if (this.targets.size >= MAX_KEPT_TARGETS) this.targets.clear();
      target = {
        lastLeaseAtMs: nowMs,
        averageLeaseMs: undefined,
        lastReleaseAtMs: nowMs,
        open: 0,
        openSinceMs: nowMs,
      };
      this.targets.set(leaseKey, target);
    }
    return target;
  }
}
