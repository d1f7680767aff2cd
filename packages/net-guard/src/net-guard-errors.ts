/** Stable codes of the errors that this package raises. */
export const NET_GUARD_ERROR_CODES = Object.freeze({
  /** A target resolves to an address that is neither global nor allowed. */
  targetRefused: 'SIGNALPOST_ERR_TARGET_REFUSED',
  /** An entry of the allowed targets list cannot be parsed. */
  invalidAllowRule: 'SIGNALPOST_ERR_TARGET_INVALID_ALLOW_RULE',
});

/**
 * Error raised when a connection to a target is refused. The message names
 * the host and the reason, never a full URL, so it carries no credentials.
 */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
  /** Stable code that callers branch on. */
  readonly code = NET_GUARD_ERROR_CODES.targetRefused;

  constructor(
    /** Host name or IP literal of the target. */
    readonly host: string,
    /** Reason for the refusal, safe to log. */
    readonly reason: string,
  ) {
    super(`target ${host} refused: ${reason}`);
  }
}

/** Error raised by `parseAllowTargets` for an entry it cannot parse. */
export class InvalidAllowRuleError extends Error {
  override readonly name = 'InvalidAllowRuleError';
  /** Stable code that callers branch on. */
  readonly code = NET_GUARD_ERROR_CODES.invalidAllowRule;

  constructor(
    /** The entry as written. */
    readonly entry: string,
    problem: string,
  ) {
    super(
      `invalid allowed target ${JSON.stringify(entry)}: ${problem}. ` +
        'Write a CIDR or an IP, optionally with a port: ' +
        '10.0.0.0/8, 127.0.0.1:8080, fc00::/7 or [::1/128]:8080',
    );
  }
}
