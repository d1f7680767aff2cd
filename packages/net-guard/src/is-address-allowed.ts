import ipaddr from 'ipaddr.js';

import {
  type AllowRule,
  type IpAddress,
  ruleCovers,
  ruleCoversAddress,
} from './allow-rule';

// NAT64 well-known prefix (RFC 6052), whose last 32 bits are an IPv4 address.
const NAT64_PREFIX = ipaddr.IPv6.parse('64:ff9b::');
const NAT64_PREFIX_LENGTH = 96;
// IPv4-compatible addresses (`::a.b.c.d`), which ipaddr.js 2.5 calls unicast.
// RFC 4291 deprecates them and they are never global addresses.
const IPV4_COMPATIBLE_PREFIX = ipaddr.IPv6.parse('::');
const IPV4_COMPATIBLE_PREFIX_LENGTH = 96;
const ALLOW_HINT =
  'To admit an internal target, add its CIDR to SIGNALPOST_ALLOW_TARGETS';

/** Outcome of an address or target check. */
export type CheckResult = { ok: true } | { ok: false; reason: string };

/**
 * Checks whether a connection to `address` and `port` is allowed.
 *
 * IPv4-mapped (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::/96`) addresses are
 * checked as the IPv4 address they contain. An address is allowed when
 * ipaddr.js puts it in the range `unicast`, which is its name for global
 * unicast, or when an allow rule covers it and its port. Every other range is
 * refused: loopback, private, link-local (with the 169.254.169.254 metadata
 * address), carrier-grade NAT, multicast, unspecified, broadcast, reserved,
 * unique local, 6to4, Teredo and the rest. IPv4-compatible IPv6 addresses
 * (`::a.b.c.d`) are refused too, as range `ipv4Compatible`, though ipaddr.js
 * calls them unicast. The reason names the ipaddr.js range.
 */
export function isAddressAllowed(
  address: string,
  port: number,
  rules: readonly AllowRule[],
): CheckResult {
  return checkAddress(address, port, rules);
}

/**
 * Checks an address like `isAddressAllowed`, for a connection whose port may
 * be unknown. Without a port, only allow rules without a port admit it.
 */
export function checkAddress(
  address: string,
  port: number | undefined,
  rules: readonly AllowRule[],
): CheckResult {
  if (!ipaddr.isValid(address)) {
    return {
      ok: false,
      reason: `${JSON.stringify(address)} is not an IP address`,
    };
  }

  const parsed = unwrapIpv4(ipaddr.parse(address));
  if (rules.some((rule) => ruleCovers(rule, parsed, port))) return { ok: true };

  const range = addressRange(parsed);
  if (range === 'unicast') return { ok: true };

  return {
    ok: false,
    reason: refusalReason(address, parsed, port, range, rules),
  };
}

/**
 * Returns the IPv4 address inside an IPv4-mapped or NAT64 IPv6 address, and
 * any other address unchanged.
 */
export function unwrapIpv4(address: IpAddress): IpAddress {
  if (address.kind() !== 'ipv6') return address;

  const ipv6 = address as ipaddr.IPv6;
  if (ipv6.isIPv4MappedAddress()) return ipv6.toIPv4Address();
  if (!ipv6.match(NAT64_PREFIX, NAT64_PREFIX_LENGTH)) return ipv6;

  const bytes = ipv6.toByteArray().slice(-4);
  return new ipaddr.IPv4(bytes);
}

function addressRange(address: IpAddress): string {
  const range = address.range();
  const ipv4Compatible =
    address.kind() === 'ipv6' &&
    range === 'unicast' &&
    address.match(IPV4_COMPATIBLE_PREFIX, IPV4_COMPATIBLE_PREFIX_LENGTH);

  return ipv4Compatible ? 'ipv4Compatible' : range;
}

function refusalReason(
  address: string,
  parsed: IpAddress,
  port: number | undefined,
  range: string,
  rules: readonly AllowRule[],
): string {
  const addressText = describeAddress(address, parsed);
  const base = `${addressText} is not a global unicast address (range "${range}")`;
  const coveredOnOtherPort = rules.some((rule) =>
    ruleCoversAddress(rule, parsed),
  );

  if (!coveredOnOtherPort) return `${base}. ${ALLOW_HINT}`;

  return port === undefined
    ? `${base}, and the allowed targets that cover it name a port, which this check was not given`
    : `${base}, and no allowed target covers port ${port}`;
}

function describeAddress(address: string, parsed: IpAddress): string {
  const normalised = parsed.toString();
  return normalised === address ? address : `${address} (${normalised})`;
}
