/** Outcome of {@link runBounded}. */
export interface BoundedRun {
  /** Tasks that resolved `true`. */
  readonly succeeded: number;
  /** Tasks that resolved a failure message or threw. */
  readonly failed: number;
  /** Tasks never started because the deadline passed first. */
  readonly skipped: number;
  /** The first error message or failure description seen, if any. */
  readonly firstError?: string;
}

/**
 * Runs tasks `0` to `count - 1` with at most `concurrency` in flight, and
 * starts no task once `deadlineMs` (a `performance.now()` time) has passed.
 * A task resolves `true` on success, or a message that describes its
 * failure.
 */
export async function runBounded(
  count: number,
  concurrency: number,
  deadlineMs: number,
  task: (index: number) => Promise<true | string>,
): Promise<BoundedRun> {
  let next = 0;
  let succeeded = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async (): Promise<void> => {
    while (next < count && performance.now() < deadlineMs) {
      const index = next;
      next += 1;
      const outcome = await task(index).catch((error: Error) => error.message);
      if (outcome === true) succeeded += 1;
      else {
        failed += 1;
        firstError ??= outcome;
      }
    }
  };
  const lanes = Math.max(1, Math.min(concurrency, count));
  await Promise.all(Array.from({ length: lanes }, lane));
  const skipped = count - succeeded - failed;
  return { succeeded, failed, skipped, ...(firstError ? { firstError } : {}) };
}
