/** States of a signal's record. */
export type SignalState = 'routing' | 'routed' | 'unmatched' | 'filtered';

/** States of a delivery's record. */
export type DeliveryState =
  | 'pending'
  | 'scheduled'
  | 'in_flight'
  | 'delivered'
  | 'dead_lettered'
  | 'throttled'
  | 'dropped';

/** Final outcomes a delivery can end in; each is counted in the ledger. */
export type FinalOutcome =
  'delivered' | 'dead_lettered' | 'throttled' | 'dropped';

/** Classes of a failed attempt. */
export type AttemptErrorClass =
  'timeout' | 'connection' | 'dns' | 'tls' | 'http' | 'refused_target';

/** One delivery attempt as recorded. */
export interface AttemptRecord {
  readonly number: number;
  readonly at: string;
  readonly statusCode?: number;
  readonly durationMs: number;
  readonly errorClass?: AttemptErrorClass;
  readonly errorMessage?: string;
  /** The first 4 KiB of the response body. */
  readonly responseBody?: string;
}

/** The fixed part of a delivery record, written when it is created. */
export interface DeliveryInfo {
  readonly id: string;
  readonly signalId: string;
  readonly source: string;
  /** `(source, id)` identity hash of the signal. */
  readonly signalIdentity: string;
  readonly subscriptionId: string;
  readonly targetId: string;
  readonly createdAt: string;
  /** The delivery this one is the fallback of, if any. */
  readonly fallbackOf?: string;
  /** The delivery this one replays from the dead letters, if any. */
  readonly replayOf?: string;
}

/** A delivery record as the API returns it. */
export interface DeliveryRecord extends DeliveryInfo {
  readonly state: DeliveryState;
  readonly nextAttemptAt?: string;
  readonly reason?: string;
  /** The cause of a dead-lettered delivery's end in words, where there is one. */
  readonly message?: string;
  readonly updatedAt?: string;
  readonly attempts: AttemptRecord[];
}
