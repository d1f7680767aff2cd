/**
 * Header that the baseline worker sends with the job's signal id, so the
 * receiver can match each request to the job it carries.
 */
export const BENCH_ID_HEADER = 'x-bench-id';

/** The line the baseline worker prints on stdout once it takes jobs. */
export const BASELINE_READY_LINE = 'ready';

/** Name of the baseline's BullMQ queue. */
export const BASELINE_QUEUE = 'baseline';
