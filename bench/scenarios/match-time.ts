import { PatternMatcher } from '@signalpost/patterns';
import type { MatchTimeResult } from '../scenario-result';
import { seededRandom } from '../seeded-random';
import { median } from '../stats';

/** Subscription counts the match time is measured at. */
export const SUBSCRIPTION_COUNTS = Object.freeze([10, 10_000, 100_000]);

/**
 * Share of each pattern shape. Literal: `svc<i>.event<j>`. Single wildcard:
 * `svc<i>.*`. Multi wildcard: `svc<i>.**` or `**.svc<i>.event<j>`, half
 * each, so both a trailing and a leading `**` are in the trie.
 */
export const PATTERN_MIX = Object.freeze({
  literal: 0.6,
  singleWildcard: 0.25,
  multiWildcard: 0.15,
});

/**
 * Event names per service. Services grow with the subscription count
 * (one per ten subscriptions), so a type matches about the same number of
 * subscriptions at every count and only the non-matching ones grow.
 */
const EVENTS_PER_SERVICE = 10;
const SUBSCRIPTIONS_PER_SERVICE = 10;
const TIMED_RUNS = 5;
/** Distinct types of the control run, few enough to stay in CPU caches. */
const HOT_TYPES = 10;
const PATTERN_SEED = 20_240_601;
const TYPE_SEED = 7;

/**
 * Builds a `PatternMatcher` per subscription count and times
 * `match()` over `lookups` random types of the form `svc<i>.event<j>`.
 */
export function measureMatchTimes(lookups: number): MatchTimeResult[] {
  return SUBSCRIPTION_COUNTS.map((count) => measureMatchTime(count, lookups));
}

/** Generates `count` patterns of {@link PATTERN_MIX}, the same every run. */
export function generatePatterns(count: number): string[] {
  const random = seededRandom(PATTERN_SEED);
  const services = serviceCount(count);
  return Array.from({ length: count }, () => {
    const service = `svc${Math.floor(random() * services)}`;
    const event = `event${Math.floor(random() * EVENTS_PER_SERVICE)}`;
    const shape = random();
    if (shape < PATTERN_MIX.literal) return `${service}.${event}`;
    if (shape < PATTERN_MIX.literal + PATTERN_MIX.singleWildcard) {
      return `${service}.*`;
    }
    return random() < 0.5 ? `${service}.**` : `**.${service}.${event}`;
  });
}

/** Generates `count` signal types over the services of `subscriptions`. */
export function generateTypes(subscriptions: number, count: number): string[] {
  const random = seededRandom(TYPE_SEED);
  const services = serviceCount(subscriptions);
  return Array.from(
    { length: count },
    () =>
      `svc${Math.floor(random() * services)}.event${Math.floor(random() * EVENTS_PER_SERVICE)}`,
  );
}

function measureMatchTime(count: number, lookups: number): MatchTimeResult {
  const buildStartMs = performance.now();
  const matcher = new PatternMatcher<string>();
  generatePatterns(count).forEach((pattern, index) =>
    matcher.add(pattern, `sub-${index}`),
  );
  const buildMs = performance.now() - buildStartMs;
  const types = generateTypes(count, lookups);
  timeRun(matcher, types);
  const runs = Array.from({ length: TIMED_RUNS }, () =>
    timeRun(matcher, types),
  );
  const hotTypes = types.map((_, index) => types[index % HOT_TYPES] as string);
  timeRun(matcher, hotTypes);
  const hotRuns = Array.from({ length: TIMED_RUNS }, () =>
    timeRun(matcher, hotTypes),
  );
  return {
    subscriptions: count,
    nsPerMatch: median(runs.map((run) => run.nsPerMatch)),
    runsNsPerMatch: runs.map((run) => run.nsPerMatch),
    hotNsPerMatch: median(hotRuns.map((run) => run.nsPerMatch)),
    matchesPerType: (runs[0]?.matched ?? 0) / lookups,
    visitedNodesPerType: meanVisitedNodes(matcher, types),
    buildMs,
  };
}

// The first call of each size is a warm-up, so the JIT has compiled the
// walk before the timed runs.
function timeRun(
  matcher: PatternMatcher<string>,
  types: readonly string[],
): { nsPerMatch: number; matched: number } {
  let matched = 0;
  const started = process.hrtime.bigint();
  for (const type of types) matched += matcher.match(type).length;
  const elapsedNs = Number(process.hrtime.bigint() - started);
  return { nsPerMatch: elapsedNs / types.length, matched };
}

function meanVisitedNodes(
  matcher: PatternMatcher<string>,
  types: readonly string[],
): number {
  const sample = types.slice(0, 10_000);
  const total = sample.reduce(
    (sum, type) => sum + matcher.countVisitedNodes(type),
    0,
  );
  return total / sample.length;
}

function serviceCount(subscriptions: number): number {
  return Math.max(1, Math.ceil(subscriptions / SUBSCRIPTIONS_PER_SERVICE));
}
