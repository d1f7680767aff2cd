import {
  hostLiteralAddress,
  isLocalhostName,
  parseTargetUrl,
  targetPort,
} from '@signalpost/net-guard';

import { reasonOf } from './support/reason-of';

function url(text: string): URL {
  return new URL(text);
}

describe('parseTargetUrl', () => {
  it.each([
    'http://example.test/hook',
    'https://example.test:8443/hook?x=1',
    'http://127.0.0.1:8080/',
    'https://[2606:4700:4700::1111]/',
  ])('accepts %s', (text) => {
    const result = parseTargetUrl(text);

    expect(result.ok).toBe(true);
    expect(result.ok ? result.url.href : undefined).toBe(new URL(text).href);
  });

  it.each([
    ['not a url', /not a valid absolute URL/],
    ['/relative/path', /not a valid absolute URL/],
    ['ftp://example.test/', /must use http or https, not ftp/],
    ['file:///etc/passwd', /must use http or https, not file/],
    ['javascript:alert(1)', /must use http or https/],
    ['http://user@example.test/', /user name or password/],
    ['https://user:hunter2@example.test/', /user name or password/],
    ['https://:hunter2@example.test/', /user name or password/],
  ])('rejects %s', (text, reason) => {
    const result = parseTargetUrl(text);

    expect(result.ok).toBe(false);
    expect(reasonOf(result)).toMatch(reason);
  });

  it('keeps the password out of the reason', () => {
    const result = parseTargetUrl('https://user:hunter2@example.test/');

    expect(result.ok).toBe(false);
    expect(reasonOf(result)).not.toContain('hunter2');
  });
});

describe('hostLiteralAddress', () => {
  it.each([
    ['http://127.0.0.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f000001/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://127.0.0.1./', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://%31%32%37.0.0.1/', '127.0.0.1'],
    ['http://[::1]/', '::1'],
    ['http://[::]/', '::'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['http://[::ffff:7f00:1]/', '::ffff:7f00:1'],
    ['http://[0:0:0:0:0:0:0:1]/', '::1'],
    ['http://[64:ff9b::7f00:1]/', '64:ff9b::7f00:1'],
  ])('normalises %s to %s', (text, expected) => {
    expect(hostLiteralAddress(url(text))).toBe(expected);
  });

  it.each([
    'http://example.test/',
    'http://localhost/',
    'http://0x7f.example/',
    'http://127.0.0.1.nip.io/',
  ])('returns undefined for name %s', (text) => {
    expect(hostLiteralAddress(url(text))).toBeUndefined();
  });

  it('rewrites IPv4 spellings in url.hostname', () => {
    expect(url('http://2130706433/').hostname).toBe('127.0.0.1');
    expect(url('http://0x7f000001/').hostname).toBe('127.0.0.1');
    expect(url('http://127.1/').hostname).toBe('127.0.0.1');
    expect(url('http://0177.0.0.1/').hostname).toBe('127.0.0.1');
    expect(url('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
  });
});

describe('isLocalhostName', () => {
  it.each([
    'localhost',
    'localhost.',
    'LOCALHOST',
    'foo.localhost',
    'a.b.localhost.',
  ])('recognises %s', (name) => {
    expect(isLocalhostName(name)).toBe(true);
  });

  it.each([
    'localhost.example.test',
    'mylocalhost',
    'example.test',
    '127.0.0.1',
  ])('does not recognise %s', (name) => {
    expect(isLocalhostName(name)).toBe(false);
  });
});

describe('targetPort', () => {
  it.each([
    ['http://example.test/', 80],
    ['https://example.test/', 443],
    ['http://example.test:8080/', 8080],
    ['https://example.test:443/', 443],
  ])('returns the port of %s', (text, port) => {
    expect(targetPort(url(text))).toBe(port);
  });
});
