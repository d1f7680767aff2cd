/**
 * Stable codes of the errors this package throws. Both mean a caller bug, so
 * neither is retried.
 *
 * NOTE: these codes are not yet in a documented error registry, because
 * `@signalpost/errors` so far lists only the codes the HTTP API returns.
 */
export const DELIVERY_POLICY_ERROR_CODES = Object.freeze({
  /** An argument is out of range or of the wrong type. */
  invalidArgument: 'SIGNALPOST_ERR_POLICY_INVALID_ARGUMENT',
  /** A Lua script returned a reply of an unexpected shape. */
  unexpectedScriptReply: 'SIGNALPOST_ERR_POLICY_SCRIPT_REPLY',
} as const);

/** One of {@link DELIVERY_POLICY_ERROR_CODES}. */
export type DeliveryPolicyErrorCode =
  (typeof DELIVERY_POLICY_ERROR_CODES)[keyof typeof DELIVERY_POLICY_ERROR_CODES];

/** An error raised by the delivery policy itself, never by a target. */
export class DeliveryPolicyError extends Error {
  readonly code: DeliveryPolicyErrorCode;

  constructor(
    code: DeliveryPolicyErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryPolicyError';
    this.code = code;
  }
}
