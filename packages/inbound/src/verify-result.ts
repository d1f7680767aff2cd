/** Header values by lower-case name, as Node's `IncomingMessage` gives them. */
export type InboundHeaders = Record<string, string | string[] | undefined>;

/** One inbound webhook request, as received. */
export interface InboundRequest {
  /** Request headers by lower-case name. */
  headers: InboundHeaders;
  /** The body bytes exactly as received, which are what the sender signed. */
  rawBody: Buffer;
  /** Time of arrival in unix seconds, usually `Math.floor(Date.now() / 1000)`. */
  nowSec: number;
}

/**
 * Reason for rejecting a request: `invalid_signature` covers missing,
 * malformed, wrong and expired signatures.
 */
export type InboundRejectionCode =
  'invalid_signature' | 'invalid_json' | 'validation_failed';

/** A request whose signature matched, with its event type, id and payload. */
export interface VerifiedEvent {
  /** Always true for a verified request. */
  ok: true;
  /** Event type as the provider named it, before any prefix or cleaning. */
  eventType: string;
  /** Event id as the provider sent it. */
  eventId: string;
  /** The parsed JSON body. */
  payload: unknown;
}

/** A rejected request. The message never contains a secret or a signature. */
export interface VerifyFailure {
  /** Always false for a rejected request. */
  ok: false;
  /** Stable reason, to map to an HTTP status. */
  code: InboundRejectionCode;
  /** Description of the failure, safe to log. */
  message: string;
}

/** Outcome of verifying one inbound request. */
export type VerifyResult = VerifiedEvent | VerifyFailure;

/** Builds a rejection. */
export function reject(
  code: InboundRejectionCode,
  message: string,
): VerifyFailure {
  return { ok: false, code, message };
}
