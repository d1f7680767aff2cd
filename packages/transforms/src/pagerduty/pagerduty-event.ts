/** Severity values that the PagerDuty Events API v2 accepts. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** `payload` of a PagerDuty Events API v2 trigger event. */
export interface PagerDutyPayload {
  /** One-line description, at most 1024 characters. */
  readonly summary: string;
  /** Affected system: the signal's `source`. */
  readonly source: string;
  /** Alert severity. */
  readonly severity: PagerDutySeverity;
  /** Time of the occurrence: the signal's `time`. */
  readonly timestamp?: string;
  /** Affected component: `data.component`. */
  readonly component?: string;
  /** Logical group: `data.service`. */
  readonly group?: string;
  /** Event class: the signal's `type`. */
  readonly class?: string;
  /** Free-form details: the signal's `data`. */
  readonly custom_details?: Readonly<Record<string, unknown>>;
}

/** Body of a PagerDuty Events API v2 trigger event, for `/v2/enqueue`. */
export interface PagerDutyTriggerEvent {
  /** Integration key of the PagerDuty service. */
  readonly routing_key: string;
  /** Always `trigger`. */
  readonly event_action: 'trigger';
  /** Key that later resolve events refer to. */
  readonly dedup_key: string;
  /** Alert details. */
  readonly payload: PagerDutyPayload;
  /** Name of the sending client: `signalpost`. */
  readonly client: string;
  /** Link shown beside the alert in PagerDuty. */
  readonly client_url?: string;
}

/** Body of a PagerDuty Events API v2 resolve event, for `/v2/enqueue`. */
export interface PagerDutyResolveEvent {
  /** Integration key of the PagerDuty service. */
  readonly routing_key: string;
  /** Always `resolve`. */
  readonly event_action: 'resolve';
  /** Key of the alert to resolve. */
  readonly dedup_key: string;
}
