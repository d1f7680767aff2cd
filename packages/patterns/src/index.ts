export {
  assertValidPattern,
  MULTI_WILDCARD,
  parsePattern,
  SINGLE_WILDCARD,
  type ParsePatternResult,
} from './parse-pattern';
export { PATTERN_INVALID_CODE, PatternError } from './pattern-error';
export { PATTERN_LIMITS, type PatternLimits } from './pattern-limits';
export { PatternMatcher } from './pattern-matcher';
