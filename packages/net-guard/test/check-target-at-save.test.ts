import type { LookupAddress } from 'node:dns';

import {
  type AddressResolver,
  checkTargetAtSave,
  parseAllowTargets,
} from '@signalpost/net-guard';

import { reasonOf } from './support/reason-of';

// Host spellings as written in a URL, with the ipaddr.js range they reach.
const REFUSED_HOSTS: [string, string][] = [
  ['127.0.0.1', 'loopback'],
  ['2130706433', 'loopback'],
  ['0x7f000001', 'loopback'],
  ['127.1', 'loopback'],
  ['0177.0.0.1', 'loopback'],
  ['0.0.0.0', 'unspecified'],
  ['[::]', 'unspecified'],
  ['[::1]', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'],
  ['[::ffff:7f00:1]', 'loopback'],
  ['[64:ff9b::7f00:1]', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'carrierGradeNat'],
  ['169.254.169.254', 'linkLocal'],
  ['[fe80::1]', 'linkLocal'],
  ['[fc00::1]', 'uniqueLocal'],
  ['224.0.0.1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['localhost', 'loopback'],
  ['localhost.', 'loopback'],
  ['LOCALHOST', 'loopback'],
  ['foo.localhost', 'loopback'],
];

const ACCEPTED_HOSTS = ['8.8.8.8', '1.1.1.1', '[2606:4700:4700::1111]'];

function fixedResolver(
  addresses: string[],
): jest.MockedFunction<AddressResolver> {
  const answer: LookupAddress[] = addresses.map((address) => ({
    address,
    family: address.includes(':') ? 6 : 4,
  }));
  return jest.fn<ReturnType<AddressResolver>, Parameters<AddressResolver>>(
    async () => answer,
  );
}

describe('checkTargetAtSave', () => {
  describe('with IP literals and localhost names', () => {
    it.each(REFUSED_HOSTS)('refuses http://%s/ as %s', async (host, range) => {
      const resolver = fixedResolver(['93.184.216.34']);

      const result = await checkTargetAtSave(`http://${host}/`, [], resolver);

      expect(result.ok).toBe(false);
      expect(reasonOf(result)).toContain(`range "${range}"`);
      expect(resolver).not.toHaveBeenCalled();
    });

    it.each(ACCEPTED_HOSTS)('accepts https://%s/', async (host) => {
      const resolver = fixedResolver(['127.0.0.1']);

      const result = await checkTargetAtSave(`https://${host}/`, [], resolver);

      expect(result).toEqual({ ok: true });
      expect(resolver).not.toHaveBeenCalled();
    });

    it('says that a localhost name is not sent to DNS', async () => {
      const result = await checkTargetAtSave('http://localhost./', []);

      expect(reasonOf(result)).toMatch(
        /^localhost\. is a localhost name, which means this machine without DNS/,
      );
    });
  });

  describe('with names', () => {
    it('accepts a name resolving to a public address', async () => {
      const resolver = fixedResolver(['93.184.216.34']);

      const result = await checkTargetAtSave(
        'https://hooks.example.test/in',
        [],
        resolver,
      );

      expect(result).toEqual({ ok: true });
      expect(resolver).toHaveBeenCalledWith('hooks.example.test', {
        family: 0,
      });
    });

    it('refuses a name when any address is refused', async () => {
      const resolver = fixedResolver(['93.184.216.34', '127.0.0.1']);

      const result = await checkTargetAtSave(
        'https://hooks.example.test/',
        [],
        resolver,
      );

      expect(result.ok).toBe(false);
      expect(reasonOf(result)).toMatch(
        /^hooks\.example\.test resolves to a refused address: 127\.0\.0\.1 is not/,
      );
    });

    it('refuses a name that does not resolve', async () => {
      const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND'), {
        code: 'ENOTFOUND',
      });
      const resolver: AddressResolver = async () => {
        throw notFound;
      };

      const result = await checkTargetAtSave(
        'https://missing.example.test/',
        [],
        resolver,
      );

      expect(result).toEqual({
        ok: false,
        reason:
          'missing.example.test does not resolve to an address (ENOTFOUND). Check the host name',
      });
    });

    it('refuses a name that resolves to no address', async () => {
      const result = await checkTargetAtSave(
        'https://empty.example.test/',
        [],
        fixedResolver([]),
      );

      expect(result).toEqual({
        ok: false,
        reason: 'empty.example.test resolved to no address',
      });
    });
  });

  describe('with allowed targets', () => {
    it('accepts a loopback target on the allowed port', async () => {
      const rules = parseAllowTargets('127.0.0.0/8:8080');

      const result = await checkTargetAtSave('http://127.0.0.1:8080/', rules);

      expect(result).toEqual({ ok: true });
    });

    it('refuses a loopback target on another port', async () => {
      const rules = parseAllowTargets('127.0.0.0/8:8080');

      const result = await checkTargetAtSave('http://127.0.0.1:8081/', rules);

      expect(result.ok).toBe(false);
    });

    it('checks the default port of the scheme', async () => {
      const rules = parseAllowTargets('10.0.0.0/8:443');

      expect(await checkTargetAtSave('https://10.0.0.1/', rules)).toEqual({
        ok: true,
      });
      expect((await checkTargetAtSave('http://10.0.0.1/', rules)).ok).toBe(
        false,
      );
    });

    it('accepts localhost when loopback is allowed', async () => {
      const rules = parseAllowTargets('127.0.0.0/8');

      const result = await checkTargetAtSave('http://localhost:3000/', rules);

      expect(result).toEqual({ ok: true });
    });

    it('accepts a name resolving to an allowed private address', async () => {
      const rules = parseAllowTargets('10.0.0.0/8');
      const resolver = fixedResolver(['10.1.2.3', '93.184.216.34']);

      const result = await checkTargetAtSave(
        'http://hooks.internal.test/',
        rules,
        resolver,
      );

      expect(result).toEqual({ ok: true });
    });
  });

  it('refuses a URL that fails the form checks', async () => {
    const result = await checkTargetAtSave('ftp://8.8.8.8/', []);

    expect(result.ok).toBe(false);
    expect(reasonOf(result)).toMatch(/http or https/);
  });
});
