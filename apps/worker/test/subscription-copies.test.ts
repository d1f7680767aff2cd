import type { Subscription } from '@signalpost/subscriptions';
import { SubscriptionCopies } from '../src/delivery/subscription-copies';

const maxAgeMs = 30_000;
const maxCopies = 10_000;

/** A clock that moves only when the test advances it. */
class FakeClock {
  nowMs = 1_000_000;

  readonly now = (): number => this.nowMs;

  advance(ms: number): void {
    this.nowMs += ms;
  }
}

describe('SubscriptionCopies', () => {
  describe('versionOf and get', () => {
    it('returns nothing for an unknown id', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);

      expect(copies.versionOf('orders')).toBeUndefined();
      expect(copies.get('orders', '1')).toBeUndefined();
    });

    it('returns a stored copy by its version', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);
      const stored = subscription('orders');

      copies.set('orders', '7', stored);

      expect(copies.versionOf('orders')).toBe('7');
      expect(copies.get('orders', '7')).toBe(stored);
    });

    it('returns nothing for another version', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);
      copies.set('orders', '7', subscription('orders'));

      expect(copies.get('orders', '6')).toBeUndefined();
      expect(copies.get('orders', '8')).toBeUndefined();
    });

    it('keeps copies of ids apart', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);
      const orders = subscription('orders');
      const refunds = subscription('refunds');

      copies.set('orders', '7', orders);
      copies.set('refunds', '8', refunds);

      expect(copies.get('orders', '7')).toBe(orders);
      expect(copies.get('refunds', '8')).toBe(refunds);
      expect(copies.get('orders', '8')).toBeUndefined();
    });

    it('replaces the copy on a newer read', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);
      const newer = subscription('orders', 'orders.paid');
      copies.set('orders', '7', subscription('orders'));

      copies.set('orders', '9', newer);

      expect(copies.versionOf('orders')).toBe('9');
      expect(copies.get('orders', '9')).toBe(newer);
      expect(copies.get('orders', '7')).toBeUndefined();
    });
  });

  describe('set with null', () => {
    it('forgets the copy', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);
      copies.set('orders', '7', subscription('orders'));

      copies.set('orders', '8', null);

      expect(copies.versionOf('orders')).toBeUndefined();
      expect(copies.get('orders', '7')).toBeUndefined();
      expect(copies.get('orders', '8')).toBeUndefined();
    });
  });

  describe('age limit', () => {
    it('uses a copy up to 30 s old', () => {
      const clock = new FakeClock();
      const copies = new SubscriptionCopies(clock.now);
      copies.set('orders', '7', subscription('orders'));

      clock.advance(maxAgeMs);

      expect(copies.versionOf('orders')).toBe('7');
    });

    it('drops a copy older than 30 s', () => {
      const clock = new FakeClock();
      const copies = new SubscriptionCopies(clock.now);
      copies.set('orders', '7', subscription('orders'));

      clock.advance(maxAgeMs + 1);

      expect(copies.versionOf('orders')).toBeUndefined();
      expect(copies.get('orders', '7')).toBeUndefined();
    });

    it('counts the age from the latest read', () => {
      const clock = new FakeClock();
      const copies = new SubscriptionCopies(clock.now);
      copies.set('orders', '7', subscription('orders'));
      clock.advance(maxAgeMs - 1_000);

      copies.set('orders', '8', subscription('orders'));
      clock.advance(maxAgeMs - 1_000);

      expect(copies.versionOf('orders')).toBe('8');
    });

    it('ages each copy on its own', () => {
      const clock = new FakeClock();
      const copies = new SubscriptionCopies(clock.now);
      copies.set('orders', '7', subscription('orders'));
      clock.advance(maxAgeMs / 2);
      copies.set('refunds', '7', subscription('refunds'));

      clock.advance(maxAgeMs / 2 + 1);

      expect(copies.versionOf('orders')).toBeUndefined();
      expect(copies.versionOf('refunds')).toBe('7');
    });
  });

  describe('copy bound', () => {
    it('drops the oldest copy past 10 000', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);
      fill(copies, maxCopies);

      copies.set('extra', '1', subscription('extra'));

      expect(copies.versionOf('sub-0')).toBeUndefined();
      expect(copies.versionOf('sub-1')).toBe('1');
      expect(copies.versionOf(`sub-${maxCopies - 1}`)).toBe('1');
      expect(copies.versionOf('extra')).toBe('1');
    });

    it('keeps every copy up to 10 000', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);

      fill(copies, maxCopies);

      expect(copies.versionOf('sub-0')).toBe('1');
      expect(copies.versionOf(`sub-${maxCopies - 1}`)).toBe('1');
    });

    it('drops nothing on a reread at the bound', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);
      fill(copies, maxCopies);

      copies.set('sub-0', '2', subscription('sub-0'));

      expect(copies.versionOf('sub-0')).toBe('2');
      expect(copies.versionOf('sub-1')).toBe('1');
    });

    it('treats a reread copy as the newest', () => {
      const copies = new SubscriptionCopies(new FakeClock().now);
      fill(copies, maxCopies);
      copies.set('sub-0', '2', subscription('sub-0'));

      copies.set('extra', '1', subscription('extra'));

      expect(copies.versionOf('sub-0')).toBe('2');
      expect(copies.versionOf('sub-1')).toBeUndefined();
      expect(copies.versionOf('sub-2')).toBe('1');
    });
  });
});

function fill(copies: SubscriptionCopies, count: number): void {
  for (let index = 0; index < count; index += 1)
    copies.set(`sub-${index}`, '1', subscription(`sub-${index}`));
}

function subscription(id: string, pattern = 'orders.*'): Subscription {
  return {
    id,
    pattern,
    enabled: true,
    dispatch: [{ id: `${id}#0`, adapter: 'noop', deadLetterQueue: 'dead' }],
    managedBy: 'api',
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}
