/**
 * Codes of {@link ExpressionError}, stable across releases.
 *
 * - `invalid`: the JSONata expression does not parse or uses a construct that
 *   is not allowed, such as a regular expression literal. Fix the expression
 *   before saving it.
 * - `failed`: evaluation raised a runtime error or exceeded a limit (time,
 *   depth or sequence length).
 */
export const EXPRESSION_ERROR_CODES = Object.freeze({
  invalid: 'SIGNALPOST_ERR_EXPRESSION_INVALID',
  failed: 'SIGNALPOST_ERR_EXPRESSION_FAILED',
} as const);

/** One of the values of {@link EXPRESSION_ERROR_CODES}. */
export type ExpressionErrorCode =
  (typeof EXPRESSION_ERROR_CODES)[keyof typeof EXPRESSION_ERROR_CODES];

/** Role of an expression in a subscription. */
export type ExpressionPurpose =
  'transform' | 'filter' | 'idempotencyKey' | 'throttleKey';

/** Evaluation limit that an expression exceeded. */
export type ExpressionLimit = 'timeout' | 'depth' | 'sequence';

/** Details of an {@link ExpressionError}. */
export interface ExpressionErrorDetails {
  /** Role of the expression that failed. */
  readonly purpose: ExpressionPurpose;
  /** Character offset in the source that JSONata reported, when it did. */
  readonly position?: number;
  /** JSONata's own error code, such as `S0203` or `T2001`. */
  readonly jsonataCode?: string;
  /** Limit that stopped the evaluation, when a limit did. */
  readonly limit?: ExpressionLimit;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** Error raised when a JSONata expression cannot be compiled or evaluated. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  /** Stable error code. */
  readonly code: ExpressionErrorCode;
  /** Role of the expression that failed. */
  readonly purpose: ExpressionPurpose;
  /** Character offset in the source that JSONata reported, when it did. */
  readonly position: number | undefined;
  /** JSONata's own error code, when JSONata raised the error. */
  readonly jsonataCode: string | undefined;
  /** Limit that stopped the evaluation, when a limit did. */
  readonly limit: ExpressionLimit | undefined;

  constructor(
    code: ExpressionErrorCode,
    message: string,
    details: ExpressionErrorDetails,
  ) {
    super(message, { cause: details.cause });
    this.code = code;
    this.purpose = details.purpose;
    this.position = details.position;
    this.jsonataCode = details.jsonataCode;
    this.limit = details.limit;
  }
}
