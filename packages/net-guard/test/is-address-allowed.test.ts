import { isAddressAllowed, parseAllowTargets } from '@signalpost/net-guard';

import { reasonOf } from './support/reason-of';

const REFUSED: [string, string][] = [
  ['127.0.0.1', 'loopback'],
  ['2130706433', 'loopback'],
  ['0x7f000001', 'loopback'],
  ['127.1', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['0.0.0.0', 'unspecified'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'linkLocal'],
  ['::ffff:10.0.0.1', 'private'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['169.254.169.254', 'linkLocal'],
  ['fe80::1', 'linkLocal'],
  ['fe80::1%eth0', 'linkLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12:3456::1', 'uniqueLocal'],
  ['224.0.0.1', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['192.0.2.1', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['2002:7f00:1::', '6to4'],
  ['2001::1', 'teredo'],
  ['64:ff9b:1::1', 'rfc6052'],
  ['::ffff:0:7f00:1', 'rfc6145'],
  ['::7f00:1', 'ipv4Compatible'],
];

const ACCEPTED = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '2606:4700:4700::1111',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
];

describe('isAddressAllowed', () => {
  describe('without allowed targets', () => {
    it.each(REFUSED)('refuses %s as %s', (address, range) => {
      const result = isAddressAllowed(address, 443, []);

      expect(result.ok).toBe(false);
      expect(reasonOf(result)).toContain(`range "${range}"`);
    });

    it.each(ACCEPTED)('accepts global unicast %s', (address) => {
      expect(isAddressAllowed(address, 443, [])).toEqual({ ok: true });
    });

    it.each(['', 'example.com', '1.2.3.4.5', '::g'])(
      'refuses non-address %j',
      (address) => {
        const result = isAddressAllowed(address, 443, []);

        expect(result.ok).toBe(false);
        expect(reasonOf(result)).toMatch(/is not an IP address/);
      },
    );

    it('names the fix in the reason', () => {
      const result = isAddressAllowed('10.0.0.1', 443, []);

      expect(reasonOf(result)).toContain('SIGNALPOST_ALLOW_TARGETS');
    });
  });

  describe('with an allowed target without a port', () => {
    const rules = parseAllowTargets('127.0.0.0/8');

    it.each([
      ['127.0.0.1', 80],
      ['127.255.0.9', 8443],
      ['::ffff:127.0.0.1', 80],
      ['64:ff9b::7f00:1', 80],
    ])('accepts %s on port %d', (address, port) => {
      expect(isAddressAllowed(address, port, rules)).toEqual({ ok: true });
    });

    it('still refuses addresses outside the range', () => {
      expect(isAddressAllowed('10.0.0.1', 80, rules).ok).toBe(false);
      expect(isAddressAllowed('::1', 80, rules).ok).toBe(false);
    });
  });

  describe('with an allowed target with a port', () => {
    const rules = parseAllowTargets('127.0.0.0/8:8080,[::1]:9090');

    it('accepts the address on that port', () => {
      expect(isAddressAllowed('127.0.0.1', 8080, rules)).toEqual({ ok: true });
      expect(isAddressAllowed('::1', 9090, rules)).toEqual({ ok: true });
    });

    it('refuses the address on another port', () => {
      const result = isAddressAllowed('127.0.0.1', 8081, rules);

      expect(result.ok).toBe(false);
      expect(reasonOf(result)).toContain('no allowed target covers port 8081');
    });

    it('refuses IPv6 loopback on the IPv4 rule port', () => {
      expect(isAddressAllowed('::1', 8080, rules).ok).toBe(false);
    });
  });

  it('admits a public address whatever the rules', () => {
    const rules = parseAllowTargets('10.0.0.0/8:8080');

    expect(isAddressAllowed('8.8.8.8', 443, rules)).toEqual({ ok: true });
  });
});
