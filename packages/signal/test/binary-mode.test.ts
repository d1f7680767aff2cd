import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudEvent, HTTP } from 'cloudevents';
import {
  isBinaryMode,
  parseBinaryMode,
  type ParseResult,
  type Signal,
  type SignalIssue,
} from '../src';

const baseHeaders = {
  'ce-specversion': '1.0',
  'ce-id': 'evt-1',
  'ce-type': 'user.created',
  'ce-source': '/my/app',
  'ce-time': '2024-05-01T12:00:00Z',
};

function expectSignal(result: ParseResult): Signal {
  if (!result.ok)
    throw new Error(`expected a signal, got ${JSON.stringify(result.issues)}`);
  return result.signal;
}

function expectIssues(result: ParseResult): SignalIssue[] {
  if (result.ok)
    throw new Error(`expected issues, got ${JSON.stringify(result.signal)}`);
  return result.issues;
}

function parseBody(contentType: string | undefined, body: Buffer): Signal {
  const headers = { ...baseHeaders, 'content-type': contentType };
  return expectSignal(parseBinaryMode(headers, body));
}

describe('isBinaryMode', () => {
  it('is true with a ce-specversion header', () => {
    expect(isBinaryMode({ 'ce-specversion': '1.0' })).toBe(true);
  });

  it('is false without one', () => {
    expect(isBinaryMode({ 'content-type': 'application/json' })).toBe(false);
  });

  it('is false with other ce- headers only', () => {
    expect(isBinaryMode({ 'ce-id': '1', 'ce-type': 'a' })).toBe(false);
  });
});

describe('parseBinaryMode', () => {
  describe('attributes from ce- headers', () => {
    it('maps each header to its attribute', () => {
      const signal = expectSignal(
        parseBinaryMode(
          { ...baseHeaders, 'ce-subject': 'user/42', 'ce-traceid': 'abc' },
          Buffer.alloc(0),
        ),
      );

      expect(signal).toEqual({
        specversion: '1.0',
        id: 'evt-1',
        type: 'user.created',
        source: '/my/app',
        time: '2024-05-01T12:00:00Z',
        subject: 'user/42',
        datacontenttype: 'application/json',
        traceid: 'abc',
      });
    });

    it('decodes percent-encoded values', () => {
      const signal = expectSignal(
        parseBinaryMode(
          { ...baseHeaders, 'ce-subject': 'caf%C3%A9%20%22au%20lait%22%25' },
          Buffer.alloc(0),
        ),
      );

      expect(signal.subject).toBe('café "au lait"%');
    });

    it('stores specversion 1.0.2 as 1.0', () => {
      const headers = { ...baseHeaders, 'ce-specversion': '1.0.2' };
      const signal = expectSignal(parseBinaryMode(headers, Buffer.alloc(0)));

      expect(signal.specversion).toBe('1.0');
    });

    it('ignores headers without the ce- prefix', () => {
      const signal = expectSignal(
        parseBinaryMode(
          { ...baseHeaders, authorization: 'Bearer k', 'user-agent': 'curl' },
          Buffer.alloc(0),
        ),
      );

      expect(Object.hasOwn(signal, 'authorization')).toBe(false);
      expect(Object.hasOwn(signal, 'user-agent')).toBe(false);
    });

    it('accepts a header given as a one-element array', () => {
      const headers = { ...baseHeaders, 'ce-traceid': ['abc'] };
      const signal = expectSignal(parseBinaryMode(headers, Buffer.alloc(0)));

      expect(signal.traceid).toBe('abc');
    });

    it('applies the signal rules to header values', () => {
      const headers = { ...baseHeaders, 'ce-type': 'a..b', 'ce-time': 'now' };
      const issues = expectIssues(parseBinaryMode(headers, Buffer.alloc(0)));

      expect(issues.map((issue) => issue.path)).toEqual(['type', 'time']);
    });

    it('requires ce-type and ce-source', () => {
      const issues = expectIssues(
        parseBinaryMode({ 'ce-specversion': '1.0' }, Buffer.alloc(0)),
      );

      expect(issues.map((issue) => issue.path)).toEqual(['type', 'source']);
    });

    it('fills in a missing id and time', () => {
      const headers = {
        'ce-specversion': '1.0',
        'ce-type': 'a',
        'ce-source': '/s',
      };
      const now = new Date('2024-06-01T00:00:00.000Z');
      const signal = expectSignal(
        parseBinaryMode(headers, Buffer.alloc(0), {
          now: () => now,
          newId: () => 'n1',
        }),
      );

      expect(signal.id).toBe('n1');
      expect(signal.time).toBe('2024-06-01T00:00:00.000Z');
    });
  });

  describe('when a header is invalid', () => {
    it.each([
      ['ce-data', 'data'],
      ['ce-data_base64', 'data_base64'],
      ['ce-datacontenttype', 'datacontenttype'],
      ['ce-extensions', 'extensions'],
    ])('rejects %s, which the body and content-type carry', (header, path) => {
      const headers = { ...baseHeaders, [header]: 'x' };
      const issues = expectIssues(parseBinaryMode(headers, Buffer.alloc(0)));

      expect(issues.map((issue) => issue.path)).toEqual([path]);
    });

    it('rejects a header repeated as an array', () => {
      const headers = { ...baseHeaders, 'ce-traceid': ['a', 'b'] };
      const issues = expectIssues(parseBinaryMode(headers, Buffer.alloc(0)));

      expect(issues).toEqual([
        {
          path: 'traceid',
          code: 'validation_failed',
          message: 'ce-traceid header must appear once, got 2 values.',
        },
      ]);
    });

    it('rejects escapes that are not UTF-8', () => {
      const headers = { ...baseHeaders, 'ce-subject': 'bad%C3' };
      const issues = expectIssues(parseBinaryMode(headers, Buffer.alloc(0)));

      expect(issues.map((issue) => issue.path)).toEqual(['subject']);
    });

    it('reports an unreadable ce-type once', () => {
      const headers = { ...baseHeaders, 'ce-type': ['a', 'b'] };
      const issues = expectIssues(parseBinaryMode(headers, Buffer.alloc(0)));

      expect(issues.map((issue) => issue.path)).toEqual(['type']);
      expect(issues[0]?.message).toMatch(/must appear once/);
    });

    it('rejects an invalid extension name', () => {
      const headers = { ...baseHeaders, 'ce-trace_id': 'x' };
      const issues = expectIssues(parseBinaryMode(headers, Buffer.alloc(0)));

      expect(issues.map((issue) => issue.path)).toEqual(['trace_id']);
    });

    it('rejects ce-__proto__ without touching the prototype', () => {
      const headers = { ...baseHeaders, 'ce-__proto__': 'x' };
      const issues = expectIssues(parseBinaryMode(headers, Buffer.alloc(0)));

      expect(issues.map((issue) => issue.path)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    });
  });

  describe('the body', () => {
    it.each([
      ['application/json'],
      ['application/json; charset=utf-8'],
      ['Application/JSON ; charset=UTF-8'],
      ['application/vnd.api+json'],
      ['application/cloudevents+json'],
      ['text/json'],
    ])('parses %s as JSON data', (contentType) => {
      const signal = parseBody(contentType, Buffer.from('{"user":{"id":42}}'));

      expect(signal.data).toEqual({ user: { id: 42 } });
      expect(signal.datacontenttype).toBe(contentType);
    });

    it('parses a JSON scalar', () => {
      expect(parseBody('application/json', Buffer.from('"hi"')).data).toBe(
        'hi',
      );
    });

    it.each([
      ['text/plain'],
      ['text/plain; charset=utf-8'],
      ['text/csv; charset="UTF-8"'],
      ['text/html; charset=us-ascii'],
    ])('reads %s as a string', (contentType) => {
      const signal = parseBody(contentType, Buffer.from('naïve, café'));

      expect(signal.data).toBe('naïve, café');
      expect(Object.hasOwn(signal, 'data_base64')).toBe(false);
    });

    it.each([
      ['application/octet-stream', Buffer.from([0, 1, 2, 255])],
      ['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
      ['application/xml', Buffer.from('<a/>')],
      ['text/plain; charset=iso-8859-1', Buffer.from([0x63, 0x61, 0x66, 0xe9])],
      ['text/plain with bytes that are not UTF-8', Buffer.from([0xff, 0xfe])],
    ])('keeps %s as data_base64', (label, body) => {
      const contentType = label.split(' with ')[0];
      const signal = parseBody(contentType, body);

      expect(signal.data_base64).toBe(body.toString('base64'));
      expect(Object.hasOwn(signal, 'data')).toBe(false);
    });

    it.each(['application/json', 'text/plain', 'application/octet-stream'])(
      'means no data when empty, for %s',
      (contentType) => {
        const signal = parseBody(contentType, Buffer.alloc(0));

        expect(Object.hasOwn(signal, 'data')).toBe(false);
        expect(Object.hasOwn(signal, 'data_base64')).toBe(false);
      },
    );

    it('is read as JSON when content-type is absent', () => {
      const signal = parseBody(undefined, Buffer.from('[1,2]'));

      expect(signal.data).toEqual([1, 2]);
      expect(signal.datacontenttype).toBe('application/json');
    });

    it.each([
      ['malformed JSON', Buffer.from('{"user":')],
      ['bytes that are not UTF-8', Buffer.from([0x22, 0xff, 0x22])],
    ])('reports %s as invalid_json', (_label, body) => {
      const issues = expectIssues(
        parseBinaryMode(
          { ...baseHeaders, 'content-type': 'application/json' },
          body,
        ),
      );

      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe('data');
      expect(issues[0]?.code).toBe('invalid_json');
    });

    it('reports body and attribute issues together', () => {
      const headers = {
        ...baseHeaders,
        'ce-type': '',
        'content-type': 'application/json',
      };
      const issues = expectIssues(
        parseBinaryMode(headers, Buffer.from('nope')),
      );

      expect(issues.map((issue) => [issue.path, issue.code])).toEqual([
        ['data', 'invalid_json'],
        ['type', 'validation_failed'],
      ]);
    });

    it('applies the data depth limit to a JSON body', () => {
      const body = Buffer.from('['.repeat(200) + ']'.repeat(200));
      const issues = expectIssues(
        parseBinaryMode(
          { ...baseHeaders, 'content-type': 'application/json' },
          body,
        ),
      );

      expect(issues.map((issue) => issue.path)).toEqual(['data']);
    });
  });

  describe('when the official CloudEvents SDK sends the request', () => {
    let server: Server;
    let received: Promise<{ headers: IncomingHttpHeaders; body: Buffer }>;

    beforeEach(async () => {
      received = new Promise((resolve) => {
        server = createServer((request, response) => {
          const chunks: Buffer[] = [];
          request.on('data', (chunk: Buffer) => chunks.push(chunk));
          request.on('end', () => {
            resolve({ headers: request.headers, body: Buffer.concat(chunks) });
            response.writeHead(204).end();
          });
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    });

    afterEach(async () => {
      server.close();
      await once(server, 'close');
    });

    it('parses what HTTP.binary sent over a real connection', async () => {
      const event = new CloudEvent({
        id: 'sdk-1',
        type: 'order.placed',
        source: 'https://shop.example/orders',
        time: '2024-05-01T12:00:00.000Z',
        subject: 'order 42',
        data: { orderId: 42, total: 19.99 },
        traceid: 'abc123',
      });
      const message = HTTP.binary(event);
      const { port } = server.address() as AddressInfo;

      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: message.headers as Record<string, string>,
        body: message.body as string,
      });
      const { headers, body } = await received;
      const signal = expectSignal(parseBinaryMode(headers, body));

      expect(response.status).toBe(204);
      expect(signal.id).toBe('sdk-1');
      expect(signal.type).toBe('order.placed');
      expect(signal.source).toBe('https://shop.example/orders');
      expect(signal.time).toBe('2024-05-01T12:00:00.000Z');
      expect(signal.subject).toBe('order 42');
      expect(signal.traceid).toBe('abc123');
      expect(signal.datacontenttype).toBe('application/json; charset=utf-8');
      expect(signal.data).toEqual({ orderId: 42, total: 19.99 });
    });
  });
});
