import ipaddr from 'ipaddr.js';

import { InvalidAllowRuleError } from './net-guard-errors';

const BRACKETED_PATTERN = /^\[([^\]]*)\](?::([^:]*))?$/;
const IPV4_WITH_PORT_PATTERN = /^([0-9./]+):([^:]*)$/;
const DECIMAL_PATTERN = /^\d{1,5}$/;
const MAX_PORT = 65_535;

/** IPv4 or IPv6 address, as ipaddr.js parses it. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** One entry of the allowed targets list: a CIDR range and maybe a port. */
export interface AllowRule {
  /** First address of the range. */
  readonly network: IpAddress;
  /** CIDR prefix length, 0 to 32 for IPv4 and 0 to 128 for IPv6. */
  readonly prefixLength: number;
  /** Port that the rule admits, or undefined for every port. */
  readonly port?: number;
  /** Canonical text of the rule, such as `127.0.0.0/8:8080`. */
  readonly text: string;
}

/**
 * Parses a comma-separated list of allowed targets. An empty or blank string
 * returns no rules.
 *
 * Each entry is a CIDR or a bare IP, which means /32 for IPv4 and /128 for
 * IPv6, and may end in `:port`. IPv4 is written in four-part decimal, such as
 * `127.0.0.0/8:8080`. An IPv6 entry with a port is written in brackets, such
 * as `[::1/128]:8080` or `[::1]:8080`, and without brackets it takes no port.
 * IPv4-mapped IPv6 ranges of /96 or longer become the IPv4 range they map.
 *
 * @throws InvalidAllowRuleError naming the first entry that cannot be parsed.
 */
export function parseAllowTargets(spec: string): AllowRule[] {
  if (spec.trim() === '') return [];

  return spec.split(',').map((entry) => parseAllowRule(entry.trim()));
}

/** Checks whether `rule` covers `address` and, when it names one, `port`. */
export function ruleCovers(
  rule: AllowRule,
  address: IpAddress,
  port: number | undefined,
): boolean {
  if (!ruleCoversAddress(rule, address)) return false;

  return rule.port === undefined || rule.port === port;
}

/** Checks whether `rule` covers `address`, whatever the rule's port. */
export function ruleCoversAddress(
  rule: AllowRule,
  address: IpAddress,
): boolean {
  if (address.kind() !== rule.network.kind()) return false;

  return address.match(rule.network, rule.prefixLength);
}

function parseAllowRule(entry: string): AllowRule {
  if (entry === '') {
    throw new InvalidAllowRuleError(entry, 'the entry is empty');
  }

  const bracketed = BRACKETED_PATTERN.exec(entry);
  if (bracketed) {
    return buildRule(
      entry,
      parseIpv6Range(entry, bracketed[1] ?? ''),
      bracketed[2],
    );
  }

  const ipv4WithPort = IPV4_WITH_PORT_PATTERN.exec(entry);
  if (ipv4WithPort) {
    return buildRule(
      entry,
      parseIpv4Range(entry, ipv4WithPort[1] ?? ''),
      ipv4WithPort[2],
    );
  }

  const range = entry.includes(':')
    ? parseIpv6Range(entry, entry)
    : parseIpv4Range(entry, entry);
  return buildRule(entry, range, undefined);
}

function parseIpv4Range(entry: string, cidr: string): [IpAddress, number] {
  const [address, prefix] = splitCidr(entry, cidr);
  if (!ipaddr.IPv4.isValidFourPartDecimal(address)) {
    throw new InvalidAllowRuleError(
      entry,
      `${JSON.stringify(address)} is not an IPv4 address in four-part decimal`,
    );
  }

  const prefixLength = parsePrefixLength(entry, prefix, 32);
  return [ipaddr.IPv4.parse(address), prefixLength];
}

function parseIpv6Range(entry: string, cidr: string): [IpAddress, number] {
  const [address, prefix] = splitCidr(entry, cidr);
  if (address.includes('%') || !ipaddr.IPv6.isValid(address)) {
    throw new InvalidAllowRuleError(
      entry,
      `${JSON.stringify(address)} is not an IPv6 address`,
    );
  }

  const prefixLength = parsePrefixLength(entry, prefix, 128);
  return unmapIpv4Range(ipaddr.IPv6.parse(address), prefixLength);
}

function splitCidr(entry: string, cidr: string): [string, string | undefined] {
  const [address = '', prefix, extra] = cidr.split('/');
  if (extra !== undefined) {
    throw new InvalidAllowRuleError(entry, 'a CIDR has at most one "/"');
  }
  return [address, prefix];
}

function unmapIpv4Range(
  address: ipaddr.IPv6,
  prefixLength: number,
): [IpAddress, number] {
  if (!address.isIPv4MappedAddress() || prefixLength < 96) {
    return [address, prefixLength];
  }

  // Addresses are unwrapped to IPv4 before matching, so the rule must be too.
  return [address.toIPv4Address(), prefixLength - 96];
}

function parsePrefixLength(
  entry: string,
  prefix: string | undefined,
  maxLength: number,
): number {
  if (prefix === undefined) return maxLength;

  const length = DECIMAL_PATTERN.test(prefix) ? Number(prefix) : NaN;
  if (!(length <= maxLength)) {
    throw new InvalidAllowRuleError(
      entry,
      `the prefix length must be an integer from 0 to ${maxLength}`,
    );
  }
  return length;
}

function parsePort(entry: string, port: string): number {
  const value = DECIMAL_PATTERN.test(port) ? Number(port) : NaN;
  if (!(value >= 1 && value <= MAX_PORT)) {
    throw new InvalidAllowRuleError(
      entry,
      `the port must be an integer from 1 to ${MAX_PORT}`,
    );
  }
  return value;
}

function buildRule(
  entry: string,
  [address, prefixLength]: [IpAddress, number],
  portText: string | undefined,
): AllowRule {
  const network = ipaddr.parse(networkAddress(address, prefixLength));
  const port = portText === undefined ? undefined : parsePort(entry, portText);
  const cidr = `${network.toString()}/${prefixLength}`;
  const text = port === undefined ? cidr : formatWithPort(network, cidr, port);

  return Object.freeze({ network, prefixLength, port, text });
}

function networkAddress(address: IpAddress, prefixLength: number): string {
  const cidr = `${address.toString()}/${prefixLength}`;
  return address.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()
    : ipaddr.IPv6.networkAddressFromCIDR(cidr).toString();
}

function formatWithPort(
  network: IpAddress,
  cidr: string,
  port: number,
): string {
  return network.kind() === 'ipv6' ? `[${cidr}]:${port}` : `${cidr}:${port}`;
}
