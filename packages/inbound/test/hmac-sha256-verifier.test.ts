import { type InboundHeaders, parseInboundConfig, verifyInbound } from '../src';
import {
  HMAC_SECRET,
  hmacDigest,
  inboundRequest,
  messageOf,
  outcome,
} from './support/signed-requests';

const body = JSON.stringify({
  event: { type: 'order.created', id: 'ord_77', number: 77 },
});
const digest = hmacDigest(HMAC_SECRET, body);

const bodyFieldConfig = parseInboundConfig('shop', {
  verifier: 'hmac-sha256',
  secret: HMAC_SECRET,
  typePrefix: 'shop',
  header: 'X-Shop-Hmac-Sha256',
  typeField: 'event.type',
  idField: 'event.id',
});

const headerConfig = parseInboundConfig('shop', {
  verifier: 'hmac-sha256',
  secret: HMAC_SECRET,
  typePrefix: 'shop',
  header: 'X-Shop-Hmac-Sha256',
  typeHeader: 'X-Shop-Topic',
  idHeader: 'X-Shop-Event-Id',
});

function signed(value: string, extra: InboundHeaders = {}): InboundHeaders {
  return { 'x-shop-hmac-sha256': value, ...extra };
}

describe('hmac-sha256 verifier', () => {
  it.each([
    { title: 'lower-case hex', value: digest.toString('hex') },
    { title: 'upper-case hex', value: digest.toString('hex').toUpperCase() },
    { title: 'base64', value: digest.toString('base64') },
    { title: 'sha256= and hex', value: `sha256=${digest.toString('hex')}` },
    {
      title: 'sha256= and base64',
      value: `sha256=${digest.toString('base64')}`,
    },
  ])('accepts $title', ({ value }) => {
    const result = verifyInbound(
      bodyFieldConfig,
      inboundRequest(signed(value), body),
    );

    expect(result).toEqual({
      ok: true,
      eventType: 'order.created',
      eventId: 'ord_77',
      payload: JSON.parse(body),
    });
  });

  it.each([
    { title: 'mixed-case hex', value: mixCase(digest.toString('hex')) },
    {
      title: 'unpadded base64',
      value: digest.toString('base64').replace(/=+$/, ''),
    },
    { title: 'base64url', value: digest.toString('base64url') },
    {
      title: 'hex of a SHA-1 length',
      value: digest.subarray(0, 20).toString('hex'),
    },
    { title: 'empty value', value: '' },
  ])('rejects $title', ({ value }) => {
    const result = verifyInbound(
      bodyFieldConfig,
      inboundRequest(signed(value), body),
    );

    expect(outcome(result)).toBe('invalid_signature');
  });

  it('reads type and id from headers', () => {
    const headers = signed(digest.toString('hex'), {
      'x-shop-topic': 'orders/create',
      'x-shop-event-id': 'evt-9',
    });
    const result = verifyInbound(headerConfig, inboundRequest(headers, body));

    expect(result).toMatchObject({
      ok: true,
      eventType: 'orders/create',
      eventId: 'evt-9',
    });
  });

  it('accepts an integer id field', () => {
    const config = { ...bodyFieldConfig, idField: 'event.number' };
    const result = verifyInbound(
      config,
      inboundRequest(signed(digest.toString('hex')), body),
    );

    expect(result).toMatchObject({ ok: true, eventId: '77' });
  });

  it.each([
    {
      title: 'missing type header',
      config: headerConfig,
      headers: { 'x-shop-event-id': 'e' },
      part: 'missing event type: expected a non-empty string in header x-shop-topic',
    },
    {
      title: 'missing id header',
      config: headerConfig,
      headers: { 'x-shop-topic': 't' },
      part: 'missing event id: expected a non-empty string or an integer in header x-shop-event-id',
    },
    {
      title: 'missing type field',
      config: { ...bodyFieldConfig, typeField: 'event.kind' },
      headers: {},
      part: 'missing event type: expected a non-empty string in body field "event.kind"',
    },
    {
      title: 'path through a string',
      config: { ...bodyFieldConfig, typeField: 'event.type.name' },
      headers: {},
      part: 'body field "event.type.name"',
    },
    {
      title: 'prototype property path',
      config: { ...bodyFieldConfig, typeField: 'event.constructor' },
      headers: {},
      part: 'body field "event.constructor"',
    },
    {
      title: 'object as id',
      config: { ...bodyFieldConfig, idField: 'event' },
      headers: {},
      part: 'missing event id',
    },
  ])('rejects $title', ({ config, headers, part }) => {
    const request = inboundRequest(
      signed(digest.toString('hex'), headers),
      body,
    );
    const result = verifyInbound(config, request);

    expect(outcome(result)).toBe('validation_failed');
    expect(messageOf(result)).toContain(part);
  });
});

function mixCase(hex: string): string {
  const letter = hex.search(/[a-f]/);
  return `${hex.slice(0, letter)}${hex.charAt(letter).toUpperCase()}${hex.slice(letter + 1)}`;
}
