import fc from 'fast-check';

import { toSignalFields, toSignalType, type VerifiedEvent } from '../src';

const VALID_TYPE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

describe('toSignalType', () => {
  it.each([
    {
      prefix: 'stripe',
      event: 'customer.subscription.created',
      expected: 'stripe.customer.subscription.created',
    },
    { prefix: 'github', event: 'push', expected: 'github.push' },
    {
      prefix: 'github',
      event: 'pull_request',
      expected: 'github.pull_request',
    },
    { prefix: 'shop', event: 'orders/create', expected: 'shop.orders_create' },
    { prefix: 'shop', event: 'order created', expected: 'shop.order_created' },
    {
      prefix: 'acme.billing',
      event: 'invoice-paid',
      expected: 'acme.billing.invoice-paid',
    },
    { prefix: 'x', event: 'a..b', expected: 'x.a.b' },
    {
      prefix: 'x',
      event: '.leading.and.trailing.',
      expected: 'x.leading.and.trailing',
    },
    { prefix: 'x', event: 'prix€', expected: 'x.prix_' },
    { prefix: 'x', event: '✓ done', expected: 'x.__done' },
    { prefix: 'x', event: '😀', expected: 'x._' },
    { prefix: 'x', event: '...', expected: 'x._' },
    { prefix: 'x', event: '', expected: 'x._' },
    { prefix: 'x', event: 'a:b*c', expected: 'x.a_b_c' },
  ])('maps $event under $prefix', ({ prefix, event, expected }) => {
    expect(toSignalType(prefix, event)).toBe(expected);
  });

  it('cuts a type at 255 characters', () => {
    const type = toSignalType('p', 'a'.repeat(300));

    expect(type).toBe(`p.${'a'.repeat(253)}`);
    expect(type).toHaveLength(255);
  });

  it('drops a dot left by the cut', () => {
    const type = toSignalType('p', `${'a'.repeat(252)}.bbb`);

    expect(type).toBe(`p.${'a'.repeat(252)}`);
  });

  it('joins segments past the 64th', () => {
    // Base-36 names keep the type under 255 characters, so no cut interferes.
    const names = Array.from({ length: 70 }, (_, index) => index.toString(36));
    const event = names.join('.');
    const segments = toSignalType('p', event).split('.');

    expect(segments).toHaveLength(64);
    expect(segments[62]).toBe('1p');
    expect(segments[63]).toBe('1q_1r_1s_1t_1u_1v_1w_1x');
  });

  it('always returns a valid signal type', () => {
    const prefix = fc.stringMatching(
      /^[A-Za-z0-9_-]{1,20}(?:\.[A-Za-z0-9_-]{1,20}){0,3}$/,
    );
    const eventType = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc
        .array(fc.constantFrom('a', '.', '..', '-', '€', ' ', 'ab.'), {
          maxLength: 300,
        })
        .map((parts) => parts.join('')),
    );

    fc.assert(
      fc.property(prefix, eventType, (typePrefix, event) => {
        const type = toSignalType(typePrefix, event);
        expect(type).toMatch(VALID_TYPE);
        expect(type.length).toBeLessThanOrEqual(255);
        expect(type.split('.').length).toBeLessThanOrEqual(64);
        expect(type.startsWith(`${typePrefix}.`)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('toSignalFields', () => {
  const result: VerifiedEvent = {
    ok: true,
    eventType: 'customer.subscription.created',
    eventId: 'evt_123',
    payload: { id: 'evt_123', type: 'customer.subscription.created' },
  };

  it('builds type, source, id and data', () => {
    const fields = toSignalFields('stripe', { typePrefix: 'stripe' }, result, {
      remoteAddress: '203.0.113.7',
      userAgent: 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    });

    expect(fields).toEqual({
      type: 'stripe.customer.subscription.created',
      source: 'stripe_webhook',
      id: 'stripe:evt_123',
      data: result.payload,
      remoteaddr: '203.0.113.7',
      useragent: 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    });
  });

  it.each([
    { title: 'absent', meta: {} },
    { title: 'empty', meta: { remoteAddress: '', userAgent: '' } },
  ])('omits $title extensions', ({ meta }) => {
    const fields = toSignalFields(
      'gh',
      { typePrefix: 'github' },
      { ...result, eventType: 'push' },
      meta,
    );

    expect(fields).toEqual({
      type: 'github.push',
      source: 'gh_webhook',
      id: 'gh:evt_123',
      data: result.payload,
    });
    expect('remoteaddr' in fields).toBe(false);
    expect('useragent' in fields).toBe(false);
  });
});
