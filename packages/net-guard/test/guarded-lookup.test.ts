import type { LookupAddress, LookupOptions } from 'node:dns';

import {
  type AddressResolver,
  NET_GUARD_ERROR_CODES,
  TargetRefusedError,
  createGuardedLookup,
  parseAllowTargets,
} from '@signalpost/net-guard';

interface LookupOutcome {
  error: NodeJS.ErrnoException | null;
  address: string | LookupAddress[];
  family: number | undefined;
}

type Lookup = ReturnType<typeof createGuardedLookup>;

function lookup(
  guarded: Lookup,
  hostname: string,
  options: LookupOptions,
): Promise<LookupOutcome> {
  return new Promise((resolve) => {
    guarded(hostname, options, (error, address, family) => {
      resolve({ error, address, family });
    });
  });
}

function answers(...rounds: string[][]): jest.MockedFunction<AddressResolver> {
  const resolver = jest.fn<
    ReturnType<AddressResolver>,
    Parameters<AddressResolver>
  >();
  for (const addresses of rounds) {
    resolver.mockResolvedValueOnce(
      addresses.map((address) => ({
        address,
        family: address.includes(':') ? 6 : 4,
      })),
    );
  }
  return resolver;
}

describe('createGuardedLookup', () => {
  describe('with all: true', () => {
    it('returns every address of a public name', async () => {
      const base = answers(['93.184.216.34', '2606:2800:220:1::1']);
      const guarded = createGuardedLookup([], base);

      const outcome = await lookup(guarded, 'hooks.example.test', {
        all: true,
      });

      expect(outcome.error).toBeNull();
      expect(outcome.address).toEqual([
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ]);
    });

    it('refuses a name when any address is refused', async () => {
      const base = answers(['93.184.216.34', '127.0.0.1']);
      const guarded = createGuardedLookup([], base);

      const outcome = await lookup(guarded, 'hooks.example.test', {
        all: true,
      });

      expect(outcome.error).toBeInstanceOf(TargetRefusedError);
      expect(outcome.error?.code).toBe(NET_GUARD_ERROR_CODES.targetRefused);
      expect(outcome.error?.message).toMatch(
        /^target hooks\.example\.test refused: .*127\.0\.0\.1/,
      );
      expect(outcome.address).toEqual([]);
    });
  });

  describe('without all', () => {
    it('returns the first address and its family', async () => {
      const base = answers(['2606:2800:220:1::1', '93.184.216.34']);
      const guarded = createGuardedLookup([], base);

      const outcome = await lookup(guarded, 'hooks.example.test', {});

      expect(outcome.error).toBeNull();
      expect(outcome.address).toBe('2606:2800:220:1::1');
      expect(outcome.family).toBe(6);
    });

    it('refuses a private address', async () => {
      const guarded = createGuardedLookup([], answers(['10.0.0.7']));

      const outcome = await lookup(guarded, 'hooks.example.test', {});

      expect(outcome.error?.code).toBe(NET_GUARD_ERROR_CODES.targetRefused);
      expect(outcome.address).toBe('');
    });
  });

  it('refuses a name that rebinds to loopback', async () => {
    const base = answers(['93.184.216.34'], ['127.0.0.1']);
    const guarded = createGuardedLookup([], base);

    const first = await lookup(guarded, 'rebind.example.test', { all: true });
    const second = await lookup(guarded, 'rebind.example.test', { all: true });

    expect(first.error).toBeNull();
    expect(second.error?.code).toBe(NET_GUARD_ERROR_CODES.targetRefused);
    expect(base).toHaveBeenCalledTimes(2);
  });

  it.each([
    [4, 4],
    ['IPv6', 6],
    [undefined, 0],
  ] as const)(
    'passes family %p to the base lookup as %d',
    async (family, expected) => {
      const base = answers(['93.184.216.34']);
      const guarded = createGuardedLookup([], base);

      await lookup(guarded, 'hooks.example.test', { family, hints: 32 });

      expect(base).toHaveBeenCalledWith('hooks.example.test', {
        family: expected,
        hints: 32,
      });
    },
  );

  it('passes a DNS error through unchanged', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND'), {
      code: 'ENOTFOUND',
    });
    const base: AddressResolver = async () => {
      throw notFound;
    };

    const outcome = await lookup(createGuardedLookup([], base), 'x.test', {});

    expect(outcome.error).toBe(notFound);
  });

  it('refuses a name without addresses', async () => {
    const guarded = createGuardedLookup([], answers([]));

    const outcome = await lookup(guarded, 'empty.example.test', { all: true });

    expect(outcome.error?.code).toBe(NET_GUARD_ERROR_CODES.targetRefused);
  });

  describe('with localhost names', () => {
    it.each(['localhost', 'localhost.', 'api.localhost'])(
      'refuses %s without a DNS query',
      async (hostname) => {
        const base = answers(['93.184.216.34']);

        const outcome = await lookup(createGuardedLookup([], base), hostname, {
          all: true,
        });

        expect(outcome.error?.code).toBe(NET_GUARD_ERROR_CODES.targetRefused);
        expect(base).not.toHaveBeenCalled();
      },
    );

    it('returns 127.0.0.1 when loopback is allowed', async () => {
      const rules = parseAllowTargets('127.0.0.0/8');

      const outcome = await lookup(createGuardedLookup(rules), 'localhost', {});

      expect(outcome.error).toBeNull();
      expect(outcome.address).toBe('127.0.0.1');
      expect(outcome.family).toBe(4);
    });

    it('returns ::1 when IPv6 is requested', async () => {
      const rules = parseAllowTargets('::1');

      const outcome = await lookup(createGuardedLookup(rules), 'localhost', {
        family: 6,
        all: true,
      });

      expect(outcome.address).toEqual([{ address: '::1', family: 6 }]);
    });
  });

  describe('with allowed targets that name a port', () => {
    const rules = parseAllowTargets('10.0.0.0/8:8080');

    it('accepts the address when made for that port', async () => {
      const guarded = createGuardedLookup(rules, answers(['10.0.0.7']), 8080);

      const outcome = await lookup(guarded, 'hooks.internal.test', {});

      expect(outcome.error).toBeNull();
      expect(outcome.address).toBe('10.0.0.7');
    });

    it('refuses the address when made for another port', async () => {
      const guarded = createGuardedLookup(rules, answers(['10.0.0.7']), 8081);

      const outcome = await lookup(guarded, 'hooks.internal.test', {});

      expect(outcome.error?.code).toBe(NET_GUARD_ERROR_CODES.targetRefused);
    });

    it('refuses the address when made without a port', async () => {
      const guarded = createGuardedLookup(rules, answers(['10.0.0.7']));

      const outcome = await lookup(guarded, 'hooks.internal.test', {});

      expect(outcome.error?.message).toMatch(/name a port/);
    });
  });
});
