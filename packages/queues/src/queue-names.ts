/** BullMQ queue of accepted signals, read by the router. */
export const SIGNALS_QUEUE = 'signals';

/** BullMQ queue of deliveries, one job per dispatch target, read by workers. */
export const DELIVERIES_QUEUE = 'deliveries';

/** Job name of a signal in {@link SIGNALS_QUEUE}. */
export const SIGNAL_JOB_NAME = 'signal';

/**
 * Job name of several signals the API accepted in one batch request, routed
 * by one job so they share one job lifecycle in {@link SIGNALS_QUEUE}.
 */
export const SIGNAL_BATCH_JOB_NAME = 'signal-batch';

/** Job name of a delivery in {@link DELIVERIES_QUEUE}. */
export const DELIVERY_JOB_NAME = 'delivery';

/** Default dead-letter queue of a target. */
export const DEFAULT_DEAD_LETTER_QUEUE = 'dead-letters';
