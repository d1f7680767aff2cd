/** One invalid key of an inbound source configuration. */
export interface InboundConfigIssue {
  /** Full configuration key, such as `inbound.stripe.secret`. */
  key: string;
  /** The rule that the value breaks. It never contains a secret. */
  message: string;
}

/**
 * Error thrown when an inbound source configuration is invalid. The message
 * lists every issue, each prefixed with its key.
 */
export class InboundConfigError extends Error {
  /** Stable error code. */
  readonly code = 'SIGNALPOST_ERR_INBOUND_CONFIG_INVALID';
  /** Every invalid key, in the order the schema found them. */
  readonly issues: readonly InboundConfigIssue[];

  constructor(issues: readonly InboundConfigIssue[]) {
    const lines = issues.map((issue) => `${issue.key}: ${issue.message}`);
    super(`Invalid inbound configuration. ${lines.join('; ')}`);
    this.name = 'InboundConfigError';
    this.issues = Object.freeze([...issues]);
  }
}
