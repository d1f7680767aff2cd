import {
  InvalidAllowRuleError,
  NET_GUARD_ERROR_CODES,
  parseAllowTargets,
} from '@signalpost/net-guard';

const VALID: [string, string[]][] = [
  ['', []],
  ['  ', []],
  ['127.0.0.0/8', ['127.0.0.0/8']],
  ['127.0.0.1', ['127.0.0.1/32']],
  ['127.0.0.0/8:8080', ['127.0.0.0/8:8080']],
  ['10.1.2.3/8', ['10.0.0.0/8']],
  ['0.0.0.0/0', ['0.0.0.0/0']],
  ['::1', ['::1/128']],
  ['fc00::/7', ['fc00::/7']],
  ['[::1]', ['::1/128']],
  ['[::1]:8080', ['[::1/128]:8080']],
  ['[::1/128]:8080', ['[::1/128]:8080']],
  ['[FC00::/7]:443', ['[fc00::/7]:443']],
  ['::ffff:127.0.0.0/104', ['127.0.0.0/8']],
  ['[::ffff:10.0.0.1]:80', ['10.0.0.1/32:80']],
  [
    '10.0.0.0/8, 192.168.0.0/16:9000 ,fd00::/8',
    ['10.0.0.0/8', '192.168.0.0/16:9000', 'fd00::/8'],
  ],
];

const INVALID: [string, string, RegExp][] = [
  ['10.0.0.0/8,', '', /empty/],
  ['10.0.0.0/33', '10.0.0.0/33', /prefix length/],
  ['10.0.0.0/-1', '10.0.0.0/-1', /prefix length/],
  ['10.0.0.0/8/9', '10.0.0.0/8/9', /at most one/],
  ['::1/129', '::1/129', /prefix length/],
  ['127.1', '127.1', /four-part decimal/],
  ['0x7f000001', '0x7f000001', /four-part decimal/],
  ['256.0.0.1', '256.0.0.1', /four-part decimal/],
  ['127.0.0.1:0', '127.0.0.1:0', /port/],
  ['127.0.0.1:65536', '127.0.0.1:65536', /port/],
  ['127.0.0.1:http', '127.0.0.1:http', /port/],
  ['127.0.0.1:', '127.0.0.1:', /port/],
  ['[127.0.0.1]:80', '[127.0.0.1]:80', /IPv6/],
  ['[::1]:', '[::1]:', /port/],
  ['fe80::1%eth0', 'fe80::1%eth0', /IPv6/],
  ['example.com', 'example.com', /IPv4/],
  ['10.0.0.0/8,localhost', 'localhost', /IPv4/],
];

describe('parseAllowTargets', () => {
  it.each(VALID)('parses %j', (spec, expected) => {
    expect(parseAllowTargets(spec).map((rule) => rule.text)).toEqual(expected);
  });

  it('keeps the port of a rule', () => {
    const [rule] = parseAllowTargets('127.0.0.0/8:8080');

    expect(rule?.port).toBe(8080);
    expect(rule?.prefixLength).toBe(8);
  });

  it('leaves the port of a rule without one undefined', () => {
    const [rule] = parseAllowTargets('127.0.0.0/8');

    expect(rule?.port).toBeUndefined();
  });

  it.each(INVALID)('rejects %j', (spec, entry, problem) => {
    let caught: unknown;
    try {
      parseAllowTargets(spec);
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(InvalidAllowRuleError);
    const error = caught as InvalidAllowRuleError;
    expect(error.code).toBe(NET_GUARD_ERROR_CODES.invalidAllowRule);
    expect(error.entry).toBe(entry);
    expect(error.message).toContain(JSON.stringify(entry));
    expect(error.message).toMatch(problem);
  });
});
