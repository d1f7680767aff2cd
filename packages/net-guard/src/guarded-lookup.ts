import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

import type { AllowRule } from './allow-rule';
import { TargetRefusedError } from './net-guard-errors';
import {
  type AddressFamily,
  type AddressResolver,
  checkResolvedAddresses,
  resolveHost,
  systemResolver,
} from './resolve-host';

/**
 * Creates a `net.LookupFunction` that refuses hosts resolving to addresses
 * that are neither global unicast nor allowed, for undici's
 * `connect: { lookup }` option.
 *
 * It resolves the name once, checks every address, and passes the checked
 * addresses to the socket, so the address dialled is the one checked and a
 * DNS rebinding between save and connect is caught. A refusal calls back with
 * a `TargetRefusedError` (code `SIGNALPOST_ERR_TARGET_REFUSED`). With
 * `options.all`, which Node 20 sets for `autoSelectFamily`, it calls back
 * with every address, and otherwise with the first one.
 *
 * Node's `net.connect` does not call the lookup for an IP literal host, so
 * check literals with `isAddressAllowed` before each attempt, or use
 * `createGuardedConnector`, which does both.
 *
 * @param baseLookup - resolves names to addresses.
 *   @defaultValue `systemResolver`, which calls `dns.promises.lookup`
 * @param port - destination port of the connections. Without it, allow rules
 *   that name a port admit nothing.
 */
export function createGuardedLookup(
  rules: readonly AllowRule[],
  baseLookup: AddressResolver = systemResolver,
  port?: number,
): LookupFunction {
  return (hostname, options, callback) => {
    const family = toAddressFamily(options.family);
    const request = { family, hints: options.hints };
    const all = options.all === true;

    resolveHost(hostname, request, baseLookup).then(
      (addresses) => {
        const result = checkResolvedAddresses(hostname, addresses, port, rules);
        const error = result.ok
          ? undefined
          : new TargetRefusedError(hostname, result.reason);
        // nextTick keeps an exception thrown by the callback out of this
        // promise chain, as with dns.lookup.
        process.nextTick(() => answer(callback, all, addresses, error));
      },
      (error: NodeJS.ErrnoException) => {
        process.nextTick(() => callback(error, all ? [] : ''));
      },
    );
  };
}

function answer(
  callback: Parameters<LookupFunction>[2],
  all: boolean,
  addresses: LookupAddress[],
  error: TargetRefusedError | undefined,
): void {
  if (error !== undefined) {
    callback(error, all ? [] : '');
    return;
  }
  if (all) {
    callback(null, addresses);
    return;
  }

  // checkResolvedAddresses refuses an empty list, so the first entry exists.
  const [first] = addresses as [LookupAddress];
  callback(null, first.address, first.family);
}

function toAddressFamily(family: LookupOptions['family']): AddressFamily {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}
