import type { Subscription, Target } from './subscription';

/** Finds a target by id among a subscription's targets and their fallbacks. */
export function findTarget(
  subscription: Subscription,
  targetId: string,
): Target | undefined {
  for (const target of subscription.dispatch) {
    if (target.id === targetId) return target;
    if (target.fallback?.id === targetId) return target.fallback;
  }
  return undefined;
}
