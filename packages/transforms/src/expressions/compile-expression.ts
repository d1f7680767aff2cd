import jsonata from 'jsonata';

import {
  EXPRESSION_ERROR_CODES,
  ExpressionError,
  type ExpressionErrorDetails,
  type ExpressionPurpose,
} from '../errors/expression-error';
import { installGuardrails } from './expression-guardrails';
import { findRegexLiteral } from './regex-literals';

/** Roles that an expression can have in a subscription. */
export const EXPRESSION_PURPOSES: readonly ExpressionPurpose[] = Object.freeze([
  'transform',
  'filter',
  'idempotencyKey',
  'throttleKey',
] as const);

/**
 * A parsed JSONata expression with its guardrails installed. Evaluate it with
 * `evaluate`, `evaluateFilter` or `evaluateKey`.
 */
export interface CompiledExpression {
  /** JSONata source text. */
  readonly source: string;
  /** Role of the expression. */
  readonly purpose: ExpressionPurpose;
}

/** A parse error as jsonata 2.2 throws it: a plain object, not an Error. */
interface JsonataParseError {
  readonly code?: unknown;
  readonly position?: unknown;
  readonly message?: unknown;
}

// The jsonata expression stays private, so that no caller can evaluate it
// without the limits.
const expressions = new WeakMap<CompiledExpression, jsonata.Expression>();

/**
 * Parses a JSONata expression and installs its evaluation guardrails.
 *
 * Regular expression literals (`/.../`) are rejected: JavaScript runs them on
 * a backtracking engine, where a crafted pattern can take exponential time,
 * and no linear-time engine is installed. String patterns of `$contains`,
 * `$split` and `$replace` still work.
 *
 * @throws ExpressionError with code `SIGNALPOST_ERR_EXPRESSION_INVALID` and
 *   JSONata's message and position when the source does not parse or
 *   contains a regular expression literal
 * @throws TypeError when `purpose` is not one of {@link EXPRESSION_PURPOSES}
 */
export function compileExpression(
  source: string,
  purpose: ExpressionPurpose,
): CompiledExpression {
  if (!EXPRESSION_PURPOSES.includes(purpose)) {
    throw new TypeError(
      `purpose must be one of ${EXPRESSION_PURPOSES.join(', ')}, got ${String(purpose)}`,
    );
  }
  if (typeof source !== 'string' || source.trim() === '') {
    throw invalid(
      purpose,
      `Invalid ${purpose} expression: the expression is empty`,
    );
  }

  const expression = parse(source, purpose);
  rejectRegexLiterals(expression, purpose);
  installGuardrails(expression);

  const compiled: CompiledExpression = Object.freeze({ source, purpose });
  expressions.set(compiled, expression);
  return compiled;
}

/**
 * Returns the jsonata expression behind a compiled expression.
 *
 * @throws TypeError when `compiled` was not made by {@link compileExpression}
 */
export function expressionOf(compiled: CompiledExpression): jsonata.Expression {
  const expression = expressions.get(compiled);
  if (expression === undefined) {
    throw new TypeError(
      'compiled must be a CompiledExpression returned by compileExpression',
    );
  }
  return expression;
}

function parse(source: string, purpose: ExpressionPurpose): jsonata.Expression {
  try {
    return jsonata(source);
  } catch (error) {
    const fields: JsonataParseError =
      typeof error === 'object' && error !== null ? error : {};
    const { code, position, message } = fields;
    const at = typeof position === 'number' ? ` at position ${position}` : '';
    const reason = typeof message === 'string' ? message : String(error);
    throw invalid(purpose, `Invalid ${purpose} expression${at}: ${reason}`, {
      position: typeof position === 'number' ? position : undefined,
      jsonataCode: typeof code === 'string' ? code : undefined,
      cause: error,
    });
  }
}

function rejectRegexLiterals(
  expression: jsonata.Expression,
  purpose: ExpressionPurpose,
): void {
  const literal = findRegexLiteral(expression.ast());
  if (literal === undefined) {
    return;
  }
  const at =
    literal.position === undefined ? '' : ` at position ${literal.position}`;
  throw invalid(
    purpose,
    `Invalid ${purpose} expression${at}: regular expression literals are not supported because they run on a backtracking engine. Use a string pattern with $contains, $split or $replace instead`,
    { position: literal.position },
  );
}

function invalid(
  purpose: ExpressionPurpose,
  message: string,
  details: Omit<ExpressionErrorDetails, 'purpose'> = {},
): ExpressionError {
  return new ExpressionError(EXPRESSION_ERROR_CODES.invalid, message, {
    ...details,
    purpose,
  });
}
