import { isIP } from 'node:net';

import { buildConnector } from 'undici';

import type { AllowRule } from './allow-rule';
import { createGuardedLookup } from './guarded-lookup';
import { isAddressAllowed } from './is-address-allowed';
import { TargetRefusedError } from './net-guard-errors';
import { type AddressResolver, systemResolver } from './resolve-host';

const DEFAULT_PORTS: Readonly<Record<string, number>> = Object.freeze({
  'http:': 80,
  'https:': 443,
});

/** Options of `createGuardedConnector`. */
export interface GuardedConnectorOptions {
  /**
   * Resolves names to addresses.
   * @defaultValue `systemResolver`, which calls `dns.promises.lookup`
   */
  readonly baseLookup?: AddressResolver;
  /**
   * Options for undici's `buildConnector`, such as `timeout`. A `lookup`
   * here is replaced by the guarded one.
   * @defaultValue `{}`, undici's defaults
   */
  readonly connect?: buildConnector.BuildOptions;
}

/**
 * Creates an undici connector that checks every connection: an IP literal
 * host with `isAddressAllowed`, and a name with `createGuardedLookup` on the
 * addresses it resolves to. Unlike a bare lookup, it receives the
 * destination port, so allow rules that name a port work. Pass it as the `connect`
 * option of an undici `Agent`.
 */
export function createGuardedConnector(
  rules: readonly AllowRule[],
  options: GuardedConnectorOptions = {},
): buildConnector.connector {
  const baseLookup = options.baseLookup ?? systemResolver;
  // One connector per port, because undici fixes the lookup when it builds
  // a connector. Each keeps its own TLS session cache.
  const connectors = new Map<number, buildConnector.connector>();

  const connectorFor = (port: number): buildConnector.connector => {
    const existing = connectors.get(port);
    if (existing) return existing;

    const lookup = createGuardedLookup(rules, baseLookup, port);
    const created = buildConnector({ ...options.connect, lookup });
    connectors.set(port, created);
    return created;
  };

  return (connectOptions, callback) => {
    const port = connectionPort(connectOptions);
    const refusal = checkLiteralHost(connectOptions.hostname, port, rules);
    if (refusal !== undefined) {
      process.nextTick(() => callback(refusal, null));
      return;
    }
    connectorFor(port)(connectOptions, callback);
  };
}

function connectionPort(options: buildConnector.Options): number {
  const explicit = Number(options.port);
  if (Number.isInteger(explicit) && explicit > 0) return explicit;

  return DEFAULT_PORTS[options.protocol] ?? 0;
}

function checkLiteralHost(
  hostname: string,
  port: number,
  rules: readonly AllowRule[],
): TargetRefusedError | undefined {
  const address = hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(address) === 0) return undefined;

  const result = isAddressAllowed(address, port, rules);
  return result.ok
    ? undefined
    : new TargetRefusedError(hostname, result.reason);
}
