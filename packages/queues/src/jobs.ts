import { createHash } from 'node:crypto';
import type { Signal } from '@signalpost/signal';

/** Data of a job in the deliveries queue: ids and the signal, never secrets. */
export interface DeliveryJobData {
  readonly deliveryId: string;
  readonly signal: Signal;
  /** `(source, id)` identity hash of the signal. */
  readonly signalIdentity: string;
  readonly subscriptionId: string;
  readonly targetId: string;
  /** Same on every attempt and every target of one signal. */
  readonly webhookId: string;
  /** Unix ms when the delivery was created; `giveUpAfterMs` counts from here. */
  readonly createdAtMs: number;
  /** Unix ms when the API accepted the signal, for end-to-end latency. */
  readonly acceptedAtMs: number;
  /** Set on a fallback delivery: the delivery it stands in for. */
  readonly fallbackOf?: string;
  /** Set on the original once its fallback was created. */
  readonly fallbackSent?: boolean;
}

/** One signal of a {@link SignalBatchJobData} and the job id it routes under. */
export interface SignalBatchItem {
  /**
   * The signal's own job id, as {@link signalJobId} derives it: its delivery
   * ids derive from it, exactly as for a signal enqueued alone.
   */
  readonly jobId: string;
  readonly signal: Signal;
}

/** Data of a `signal-batch` job in the signals queue. */
export interface SignalBatchJobData {
  readonly signals: readonly SignalBatchItem[];
}

/** Job id of a signal accepted by the API: never all digits, never a colon. */
export function signalJobId(identity: string, acceptedAtMs: number): string {
  return `sig_${identity.slice(0, 32)}_${acceptedAtMs.toString(36)}`;
}

/**
 * Job id of a batch of signals: derived from the signals' own job ids, so
 * enqueueing the same batch twice adds one job.
 */
export function signalBatchJobId(signalJobIds: readonly string[]): string {
  const digest = createHash('sha256')
    .update(signalJobIds.join('\0'))
    .digest('base64url');
  return `sigb_${digest.slice(0, 22)}`;
}

/**
 * Delivery id, also its job id: derived from the signal's job and the
 * target, so a router that handles the same job twice creates nothing new.
 */
export function deliveryId(
  signalJobIdValue: string,
  subscriptionId: string,
  targetId: string,
): string {
  const digest = createHash('sha256')
    .update(`${signalJobIdValue}\0${subscriptionId}\0${targetId}`)
    .digest('base64url');
  return `dlv_${digest.slice(0, 22)}`;
}

/** Id of a delivery derived from another (a fallback or a replay). */
export function derivedDeliveryId(
  parentId: string,
  kind: 'fallback' | 'replay',
  salt = '',
): string {
  const digest = createHash('sha256')
    .update(`${parentId}\0${kind}\0${salt}`)
    .digest('base64url');
  return `dlv_${digest.slice(0, 22)}`;
}
