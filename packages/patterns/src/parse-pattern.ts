import { PatternError } from './pattern-error';
import { PATTERN_LIMITS } from './pattern-limits';

/** Pattern segment that matches exactly one type segment. */
export const SINGLE_WILDCARD = '*';

/** Pattern segment that matches zero or more type segments. */
export const MULTI_WILDCARD = '**';

// `*` is allowed here so that a misplaced star is reported as a wildcard fault.
const INVALID_CHARACTER = /[^A-Za-z0-9_*-]/u;
const STARS_ONLY = /^\*+$/;
const MAX_QUOTED_CHARACTERS = 60;
const ALLOWED_CHARACTERS_HINT =
  'A segment contains only A-Z, a-z, 0-9, "_" and "-", or is a whole "*" or "**".';

/** Result of {@link parsePattern}, either the segments or why the pattern is invalid. */
export type ParsePatternResult =
  { ok: true; segments: string[] } | { ok: false; message: string };

/**
 * Parses a subscription pattern into its dot-separated segments. Each segment
 * is a literal of `[A-Za-z0-9_-]+`, `*` (exactly one type segment) or `**`
 * (zero or more type segments, allowed anywhere but never twice in a row).
 * It never throws. For an invalid pattern it returns a message that names the
 * fault and the index of the segment where it occurs.
 */
export function parsePattern(pattern: string): ParsePatternResult {
  if (typeof pattern !== 'string') {
    return {
      ok: false,
      message: `Invalid pattern: expected a string, got ${typeof pattern}.`,
    };
  }
  const sizeFault = findSizeFault(pattern);
  if (sizeFault !== undefined) return reject(pattern, sizeFault);

  const segments = pattern.split('.');
  const fault = findCountFault(segments) ?? findSegmentFault(segments);
  if (fault !== undefined) return reject(pattern, fault);
  return { ok: true, segments };
}

/**
 * Throws a {@link PatternError} unless `pattern` is valid by the rules of
 * {@link parsePattern}.
 */
export function assertValidPattern(pattern: string): void {
  const result = parsePattern(pattern);
  if (!result.ok) throw new PatternError(pattern, result.message);
}

function findSizeFault(pattern: string): string | undefined {
  if (pattern === '') {
    return 'the pattern is empty. Use dot-separated segments such as "order.created" or "order.**".';
  }
  const { maxCharacters } = PATTERN_LIMITS;
  if (pattern.length <= maxCharacters) return undefined;
  return `it is ${pattern.length} characters long, more than the maximum of ${maxCharacters}.`;
}

function findCountFault(segments: string[]): string | undefined {
  const { maxSegments } = PATTERN_LIMITS;
  if (segments.length <= maxSegments) return undefined;
  return `it has ${segments.length} segments, more than the maximum of ${maxSegments}.`;
}

function findSegmentFault(segments: string[]): string | undefined {
  for (const [index, segment] of segments.entries()) {
    const previous = segments[index - 1];
    const fault =
      describeSegmentFault(segment, index) ??
      describeRepeatFault(previous, segment, index);
    if (fault !== undefined) return fault;
  }
  return undefined;
}

function describeSegmentFault(
  segment: string,
  index: number,
): string | undefined {
  if (segment === '') return `segment ${index} is empty. Remove the extra dot.`;
  if (segment === SINGLE_WILDCARD || segment === MULTI_WILDCARD)
    return undefined;

  const invalid = INVALID_CHARACTER.exec(segment);
  if (invalid !== null) {
    const character = JSON.stringify(invalid[0]);
    return `segment ${index} contains the invalid character ${character}. ${ALLOWED_CHARACTERS_HINT}`;
  }
  if (STARS_ONLY.test(segment)) {
    return `segment ${index} is ${JSON.stringify(segment)}, which is not a wildcard. Use "*" for exactly one segment or "**" for zero or more.`;
  }
  if (segment.includes(SINGLE_WILDCARD)) {
    return `segment ${index} is ${JSON.stringify(segment)}, a partial wildcard. A wildcard must be the whole segment, "*" or "**".`;
  }
  return undefined;
}

function describeRepeatFault(
  previous: string | undefined,
  segment: string,
  index: number,
): string | undefined {
  if (previous !== MULTI_WILDCARD || segment !== MULTI_WILDCARD)
    return undefined;
  return `segments ${index - 1} and ${index} are both "**", which is ambiguous and redundant. Use a single "**".`;
}

function reject(pattern: string, fault: string): ParsePatternResult {
  return { ok: false, message: `Invalid pattern ${quote(pattern)}: ${fault}` };
}

// Keeps messages short when the pattern itself is what is too long.
function quote(pattern: string): string {
  if (pattern.length <= MAX_QUOTED_CHARACTERS) return JSON.stringify(pattern);
  return `${JSON.stringify(pattern.slice(0, MAX_QUOTED_CHARACTERS))}...`;
}
