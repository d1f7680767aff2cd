import type { AllowRule } from './allow-rule';
import { type CheckResult, isAddressAllowed } from './is-address-allowed';
import {
  type AddressResolver,
  checkResolvedAddresses,
  resolveHost,
  systemResolver,
} from './resolve-host';
import { hostLiteralAddress, parseTargetUrl, targetPort } from './target-url';

/**
 * Checks a target URL when a subscription is saved.
 *
 * The URL must pass `parseTargetUrl`. An IP literal host is checked as it is.
 * A name is resolved to all of its addresses and refused when any address is
 * refused or when it does not resolve. Localhost names are never sent to DNS.
 * Names are checked again at connect time by `createGuardedLookup`, because
 * their addresses can change after the save.
 *
 * @param resolver - resolves names to addresses.
 *   @defaultValue `systemResolver`, which calls `dns.promises.lookup`
 */
export async function checkTargetAtSave(
  url: string,
  rules: readonly AllowRule[],
  resolver: AddressResolver = systemResolver,
): Promise<CheckResult> {
  const parsed = parseTargetUrl(url);
  if (!parsed.ok) return parsed;

  const port = targetPort(parsed.url);
  const literal = hostLiteralAddress(parsed.url);
  if (literal !== undefined) return isAddressAllowed(literal, port, rules);

  const hostname = parsed.url.hostname;
  try {
    const addresses = await resolveHost(hostname, { family: 0 }, resolver);
    return checkResolvedAddresses(hostname, addresses, port, rules);
  } catch (error) {
    return { ok: false, reason: unresolvedReason(hostname, error) };
  }
}

function unresolvedReason(hostname: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === 'string' ? ` (${code})` : '';
  return `${hostname} does not resolve to an address${detail}. Check the host name`;
}
