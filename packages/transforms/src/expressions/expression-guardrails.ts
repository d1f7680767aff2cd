import type jsonata from 'jsonata';

import { dropUndefined } from '../drop-undefined';
import type { ExpressionLimit } from '../errors/expression-error';

/** Limits of one expression evaluation. */
export interface ExpressionLimits {
  /**
   * Maximum wall-clock time of the evaluation, in milliseconds.
   *
   * @defaultValue 100
   */
  readonly timeoutMs?: number;
  /**
   * Maximum number of evaluation steps in progress at once. Nested steps
   * count, about three per level of a one-line recursive function, and so do
   * the members of array and object constructors, which jsonata evaluates
   * concurrently. A step in progress uses about 2.5 KB of heap (an estimate
   * measured with jsonata 2.2.2 on Node.js 20), so the default bounds one
   * evaluation to about 12 MB.
   *
   * @defaultValue 5000
   */
  readonly maxDepth?: number;
  /**
   * Maximum length of any sequence or array that a step produces.
   *
   * @defaultValue 100000
   */
  readonly maxSequenceLength?: number;
}

/** Default {@link ExpressionLimits}. */
export const DEFAULT_EXPRESSION_LIMITS: Readonly<Required<ExpressionLimits>> =
  Object.freeze({
    timeoutMs: 100,
    maxDepth: 5000,
    maxSequenceLength: 100_000,
  });

/**
 * A guardrail that stopped an evaluation: an exceeded limit, or a regular
 * expression reached through `$eval`. `limit` is `undefined` for the latter.
 */
export class GuardrailViolation extends Error {
  override readonly name = 'GuardrailViolation';

  constructor(
    readonly limit: ExpressionLimit | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Per-evaluation bookkeeping, shared by all steps of one evaluation. */
interface EvaluationState {
  readonly startedAtMs: number;
  readonly limits: Readonly<Required<ExpressionLimits>>;
  depth: number;
  violation: GuardrailViolation | undefined;
}

/** The parts of a JSONata frame that the hooks read. */
interface Frame {
  readonly base?: object;
}

/** A jsonata expression's `assign`, which binds symbols as well as names. */
interface SymbolAssignable {
  assign(name: symbol, value: unknown): void;
}

/** The parts of a JSONata AST node that the hooks read. */
interface StepNode {
  readonly type?: string;
}

// jsonata 2.2 calls the functions bound to these symbols before and after
// every evaluation step, including steps of expressions run by $eval.
const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');
const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');

// A state is registered under the evaluation's input object, then moved to
// the evaluation's root frame by the first hook call. Each evaluation gets a
// fresh input object, so concurrent evaluations never share a state.
const statesByInput = new WeakMap<object, EvaluationState>();
const statesByFrame = new WeakMap<object, EvaluationState>();

/**
 * Validates limits and fills in the defaults.
 *
 * @throws RangeError when a limit is not a positive number, or when
 *   `maxDepth` or `maxSequenceLength` is not an integer
 */
export function resolveLimits(
  limits: ExpressionLimits = {},
): Readonly<Required<ExpressionLimits>> {
  const resolved = { ...DEFAULT_EXPRESSION_LIMITS, ...dropUndefined(limits) };
  requirePositive('timeoutMs', resolved.timeoutMs, false);
  requirePositive('maxDepth', resolved.maxDepth, true);
  requirePositive('maxSequenceLength', resolved.maxSequenceLength, true);
  return Object.freeze(resolved);
}

/**
 * Binds the guardrail hooks into a compiled JSONata expression. The hooks
 * apply the limits registered by {@link registerEvaluation}.
 */
export function installGuardrails(expression: jsonata.Expression): void {
  // The type definitions of jsonata 2.2 accept only string names, but the
  // hooks are looked up by symbol.
  const target = expression as unknown as SymbolAssignable;
  target.assign(ENTRY_HOOK, enterStep);
  target.assign(EXIT_HOOK, exitStep);
}

/**
 * Registers the limits of an evaluation that is about to start on `input`,
 * which must be an object used by no other evaluation.
 */
export function registerEvaluation(
  input: object,
  limits: Readonly<Required<ExpressionLimits>>,
): void {
  statesByInput.set(input, {
    startedAtMs: Date.now(),
    limits,
    depth: 0,
    violation: undefined,
  });
}

function enterStep(node: StepNode, input: unknown, frame: Frame): void {
  const state = stateOf(frame, input);
  throwIfViolated(state);

  state.depth += 1;
  if (state.depth > state.limits.maxDepth) {
    violate(
      state,
      new GuardrailViolation(
        'depth',
        `evaluation exceeded the maximum depth of ${state.limits.maxDepth} steps in progress. The usual cause is deep recursion, which tail recursion avoids`,
      ),
    );
  }
  checkElapsedTime(state);

  // Regular expressions run on the backtracking RegExp engine, so one that
  // arrives through $eval at run time is stopped like a literal at compile.
  if (node.type === 'regex') {
    violate(
      state,
      new GuardrailViolation(
        undefined,
        'regular expressions are not supported because they run on a backtracking engine',
      ),
    );
  }
}

function exitStep(
  _node: StepNode,
  input: unknown,
  frame: Frame,
  result: unknown,
): void {
  const state = stateOf(frame, input);
  throwIfViolated(state);

  state.depth -= 1;
  checkElapsedTime(state);

  // NOTE: the step has already built its result when this check runs, so a
  // range such as [1..9999999] allocates up to jsonata's own cap of 10^7
  // items before it is rejected.
  const maxLength = state.limits.maxSequenceLength;
  if (Array.isArray(result) && result.length > maxLength) {
    violate(
      state,
      new GuardrailViolation(
        'sequence',
        `evaluation produced a sequence of ${result.length} items, more than the maximum of ${maxLength}`,
      ),
    );
  }
}

function stateOf(frame: Frame, input: unknown): EvaluationState {
  const root = frame.base ?? frame;
  const known = statesByFrame.get(root);
  if (known !== undefined) {
    return known;
  }

  const registered =
    typeof input === 'object' && input !== null
      ? statesByInput.get(input)
      : undefined;
  if (registered !== undefined) {
    statesByInput.delete(input as object);
  }
  // Only `evaluate` runs the private jsonata expressions, and it registers
  // every evaluation, so the defaults here are a fallback that is not reached.
  const state = registered ?? {
    startedAtMs: Date.now(),
    limits: DEFAULT_EXPRESSION_LIMITS,
    depth: 0,
    violation: undefined,
  };
  statesByFrame.set(root, state);
  return state;
}

// NOTE: the elapsed time is wall-clock time. Evaluations interleaved on one
// event loop count each other's steps, so heavy concurrency can hit the
// limit early. A single built-in call (such as $pad to a huge width) is not
// interrupted, because the check runs only between steps.
function checkElapsedTime(state: EvaluationState): void {
  const timeoutMs = state.limits.timeoutMs;
  if (Date.now() - state.startedAtMs > timeoutMs) {
    violate(
      state,
      new GuardrailViolation(
        'timeout',
        `evaluation timed out after ${timeoutMs} ms`,
      ),
    );
  }
}

// Steps that run concurrently with the failed one (members of an array or
// object constructor) keep running after the evaluation has rejected, so
// every later hook call for the same evaluation throws the same violation.
function violate(state: EvaluationState, violation: GuardrailViolation): never {
  state.violation = violation;
  throw violation;
}

function throwIfViolated(state: EvaluationState): void {
  if (state.violation !== undefined) {
    throw state.violation;
  }
}

function requirePositive(name: string, value: number, integer: boolean): void {
  const valid = integer ? Number.isSafeInteger(value) : Number.isFinite(value);
  if (!valid || value <= 0) {
    const kind = integer ? 'a positive integer' : 'a positive number';
    throw new RangeError(`${name} must be ${kind}, got ${String(value)}`);
  }
}
