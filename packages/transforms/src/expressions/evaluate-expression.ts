import type { SignalLike } from '../signal-like';
import {
  EXPRESSION_ERROR_CODES,
  ExpressionError,
  type ExpressionErrorDetails,
  type ExpressionPurpose,
} from '../errors/expression-error';
import { expressionOf, type CompiledExpression } from './compile-expression';
import {
  GuardrailViolation,
  registerEvaluation,
  resolveLimits,
  type ExpressionLimits,
} from './expression-guardrails';
import { toJsonValue } from './json-value';

/** A runtime error as jsonata 2.2 throws it: a plain object, not an Error. */
interface JsonataRuntimeError {
  readonly code?: unknown;
  readonly position?: unknown;
  readonly message?: unknown;
  /** The inner error, when `$eval` wrapped one. */
  readonly error?: unknown;
}

/**
 * Evaluates a compiled expression against a signal within the limits and
 * returns the result as plain JSON data, or `undefined` when the expression
 * selects nothing.
 *
 * The time limit is checked between evaluation steps. A single built-in
 * function call runs to completion, so it can take longer than `timeoutMs`.
 *
 * @param limits - evaluation limits, by default
 *   `DEFAULT_EXPRESSION_LIMITS`
 * @throws ExpressionError with code `SIGNALPOST_ERR_EXPRESSION_FAILED` when
 *   the evaluation raises an error, exceeds a limit or returns a function
 * @throws RangeError when a limit is invalid
 */
export async function evaluate(
  compiled: CompiledExpression,
  signal: SignalLike,
  limits?: ExpressionLimits,
): Promise<unknown> {
  const expression = expressionOf(compiled);
  const resolvedLimits = resolveLimits(limits);
  // A fresh object per evaluation keys the evaluation's limit bookkeeping.
  const input = { ...signal };
  registerEvaluation(input, resolvedLimits);

  let result: unknown;
  try {
    result = await expression.evaluate(input);
  } catch (error) {
    throw toEvaluationError(compiled.purpose, error);
  }
  try {
    return toJsonValue(result);
  } catch (error) {
    throw failed(compiled.purpose, (error as Error).message, { cause: error });
  }
}

/**
 * Evaluates a filter and returns `true` only when the result is exactly
 * `true`. Any other result, also a truthy one such as `1` or `'yes'`, is
 * `false`.
 *
 * @throws ExpressionError as {@link evaluate} does
 */
export async function evaluateFilter(
  compiled: CompiledExpression,
  signal: SignalLike,
  limits?: ExpressionLimits,
): Promise<boolean> {
  return (await evaluate(compiled, signal, limits)) === true;
}

/**
 * Evaluates an idempotency or throttle key expression and returns the key:
 * a string as it is, a number or boolean in its string form, no result as
 * `''`, and `null`, an object or an array as its JSON text.
 *
 * @throws ExpressionError as {@link evaluate} does
 */
export async function evaluateKey(
  compiled: CompiledExpression,
  signal: SignalLike,
  limits?: ExpressionLimits,
): Promise<string> {
  const result = await evaluate(compiled, signal, limits);
  if (result === undefined) {
    return '';
  }
  if (typeof result === 'string') {
    return result;
  }
  if (typeof result === 'number' || typeof result === 'boolean') {
    return String(result);
  }
  return JSON.stringify(result);
}

function toEvaluationError(
  purpose: ExpressionPurpose,
  error: unknown,
): ExpressionError {
  const violation = findViolation(error);
  if (violation !== undefined) {
    return failed(purpose, violation.message, {
      limit: violation.limit,
      cause: violation,
    });
  }

  const { code, position, message } = asErrorFields(error);
  const reason = typeof message === 'string' ? message : String(error);
  const at = typeof position === 'number' ? ` at position ${position}` : '';
  return failed(purpose, `${reason}${at}`, {
    position: typeof position === 'number' ? position : undefined,
    jsonataCode: typeof code === 'string' ? code : undefined,
    cause: error,
  });
}

function asErrorFields(error: unknown): JsonataRuntimeError {
  return typeof error === 'object' && error !== null ? error : {};
}

// $eval wraps errors raised inside it, so the violation may be nested.
function findViolation(error: unknown): GuardrailViolation | undefined {
  const seen = new Set<unknown>();
  let current = error;
  while (
    typeof current === 'object' &&
    current !== null &&
    !seen.has(current)
  ) {
    if (current instanceof GuardrailViolation) {
      return current;
    }
    seen.add(current);
    current = (current as JsonataRuntimeError).error;
  }
  return undefined;
}

function failed(
  purpose: ExpressionPurpose,
  reason: string,
  details: Omit<ExpressionErrorDetails, 'purpose'>,
): ExpressionError {
  return new ExpressionError(
    EXPRESSION_ERROR_CODES.failed,
    `The ${purpose} expression failed: ${reason}`,
    { ...details, purpose },
  );
}
