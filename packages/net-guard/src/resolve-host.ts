import dns, { type LookupAddress } from 'node:dns';

import type { AllowRule } from './allow-rule';
import { type CheckResult, checkAddress } from './is-address-allowed';
import { isLocalhostName } from './target-url';

/** Address family to resolve: 0 for both, 4 for IPv4, 6 for IPv6. */
export type AddressFamily = 0 | 4 | 6;

/**
 * Function that resolves a host name to all of its addresses, in the order
 * they should be dialled. It rejects when the name does not resolve.
 */
export type AddressResolver = (
  hostname: string,
  options: { family: AddressFamily; hints?: number },
) => Promise<LookupAddress[]>;

// Localhost names get these answers without DNS. When either family will do,
// only 127.0.0.1 is returned, so that an allow rule for 127.0.0.0/8 alone
// admits localhost.
const LOCALHOST_ADDRESSES: Readonly<Record<AddressFamily, LookupAddress[]>> =
  Object.freeze({
    0: [{ address: '127.0.0.1', family: 4 }],
    4: [{ address: '127.0.0.1', family: 4 }],
    6: [{ address: '::1', family: 6 }],
  });

/** Resolves with the operating system's resolver, `dns.promises.lookup`. */
export const systemResolver: AddressResolver = (hostname, options) =>
  dns.promises.lookup(hostname, { ...options, all: true });

/**
 * Resolves `hostname` with `resolver`, except that localhost names resolve to
 * the loopback address without a DNS query.
 */
export async function resolveHost(
  hostname: string,
  options: { family: AddressFamily; hints?: number },
  resolver: AddressResolver,
): Promise<LookupAddress[]> {
  if (isLocalhostName(hostname)) {
    return LOCALHOST_ADDRESSES[options.family].map((entry) => ({ ...entry }));
  }
  return resolver(hostname, options);
}

/**
 * Checks every address that `hostname` resolved to, and refuses the name when
 * any one of them is refused or when there are none.
 */
export function checkResolvedAddresses(
  hostname: string,
  addresses: readonly LookupAddress[],
  port: number | undefined,
  rules: readonly AllowRule[],
): CheckResult {
  if (addresses.length === 0) {
    return { ok: false, reason: `${hostname} resolved to no address` };
  }

  for (const { address } of addresses) {
    const result = checkAddress(address, port, rules);
    if (!result.ok)
      return { ok: false, reason: resolvedReason(hostname, result.reason) };
  }
  return { ok: true };
}

function resolvedReason(hostname: string, reason: string): string {
  const source = isLocalhostName(hostname)
    ? 'is a localhost name, which means this machine without DNS'
    : 'resolves to a refused address';
  return `${hostname} ${source}: ${reason}`;
}
