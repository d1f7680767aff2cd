import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP, type CloudEventV1 } from 'cloudevents';
import fc from 'fast-check';
import {
  encodeSignal,
  parseBinaryMode,
  parseSignal,
  SIGNAL_ENCODING_ERROR_CODE,
  SignalEncodingError,
  type EncodedSignal,
  type Signal,
  type SignalFormat,
} from '../src';

function makeSignal(overrides: Record<string, unknown> = {}): Signal {
  const result = parseSignal({
    id: 'evt-1',
    type: 'order.placed',
    source: 'https://shop.example/orders',
    time: '2024-05-01T12:00:00Z',
    data: { orderId: 42, items: ['a', 'b'] },
    traceid: 'abc123',
    ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.signal;
}

function toCloudEvent(encoded: EncodedSignal): CloudEventV1<unknown> {
  const event = HTTP.toEvent({
    headers: encoded.headers,
    body: encoded.body.toString('utf8'),
  });
  if (Array.isArray(event)) throw new Error('expected one event, got a batch');
  return event as CloudEventV1<unknown>;
}

describe('encodeSignal', () => {
  describe('in json format', () => {
    it('sends the signal as CloudEvents JSON', () => {
      const signal = makeSignal();
      const encoded = encodeSignal(signal, 'json');

      expect(encoded.headers).toEqual({ 'content-type': 'application/json' });
      expect(JSON.parse(encoded.body.toString('utf8'))).toEqual(signal);
    });

    it('keeps data_base64 in the JSON', () => {
      const signal = makeSignal({ data: undefined, data_base64: 'AAEC' });
      const body = JSON.parse(
        encodeSignal(signal, 'json').body.toString('utf8'),
      );

      expect(body.data_base64).toBe('AAEC');
      expect(body).not.toHaveProperty('data');
    });
  });

  describe('in cloudevents-structured format', () => {
    it('sends the same JSON as json format', () => {
      const signal = makeSignal();
      const structured = encodeSignal(signal, 'cloudevents-structured');

      expect(structured.body).toEqual(encodeSignal(signal, 'json').body);
      expect(structured.headers).toEqual({
        'content-type': 'application/cloudevents+json; charset=utf-8',
      });
    });

    it('parses back with the CloudEvents SDK', () => {
      const event = toCloudEvent(
        encodeSignal(makeSignal(), 'cloudevents-structured'),
      );

      expect(event.specversion).toBe('1.0');
      expect(event.type).toBe('order.placed');
      expect(event.source).toBe('https://shop.example/orders');
      expect(event.id).toBe('evt-1');
      expect(event.data).toEqual({ orderId: 42, items: ['a', 'b'] });
      expect(event.traceid).toBe('abc123');
    });
  });

  describe('in cloudevents-binary format', () => {
    it('sends attributes as ce- headers and data as the body', () => {
      const encoded = encodeSignal(
        makeSignal({ subject: 'order/42', attempt: 3, replayed: false }),
        'cloudevents-binary',
      );

      expect(encoded.headers).toEqual({
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'evt-1',
        'ce-type': 'order.placed',
        'ce-source': 'https://shop.example/orders',
        'ce-time': '2024-05-01T12:00:00Z',
        'ce-subject': 'order/42',
        'ce-traceid': 'abc123',
        'ce-attempt': '3',
        'ce-replayed': 'false',
      });
      expect(encoded.body.toString('utf8')).toBe(
        '{"orderId":42,"items":["a","b"]}',
      );
    });

    it('parses back with the CloudEvents SDK', () => {
      const event = toCloudEvent(
        encodeSignal(makeSignal(), 'cloudevents-binary'),
      );

      expect(event.type).toBe('order.placed');
      expect(event.source).toBe('https://shop.example/orders');
      expect(event.id).toBe('evt-1');
      expect(event.data).toEqual({ orderId: 42, items: ['a', 'b'] });
      expect(event.traceid).toBe('abc123');
    });

    it('percent-encodes space, quote, percent and non-ASCII', () => {
      const encoded = encodeSignal(
        makeSignal({ subject: 'Zoë said "50%"\r\nX-Injected: 1' }),
        'cloudevents-binary',
      );

      expect(encoded.headers['ce-subject']).toBe(
        'Zo%C3%AB%20said%20%2250%25%22%0D%0AX-Injected:%201',
      );
    });

    it('sends data_base64 as the decoded bytes', () => {
      const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
      const encoded = encodeSignal(
        makeSignal({
          data: undefined,
          data_base64: bytes.toString('base64'),
          datacontenttype: 'application/octet-stream',
        }),
        'cloudevents-binary',
      );

      expect(encoded.body).toEqual(bytes);
      expect(encoded.headers['content-type']).toBe('application/octet-stream');
      expect(encoded.headers).not.toHaveProperty('ce-data_base64');
      expect(encoded.headers).not.toHaveProperty('ce-datacontenttype');
    });

    it('sends a text string as its UTF-8 bytes', () => {
      const encoded = encodeSignal(
        makeSignal({ data: 'naïve text', datacontenttype: 'text/plain' }),
        'cloudevents-binary',
      );

      expect(encoded.body).toEqual(Buffer.from('naïve text', 'utf8'));
      expect(toCloudEvent(encoded).data).toBe('naïve text');
    });

    it('sends a JSON string as JSON text', () => {
      const encoded = encodeSignal(
        makeSignal({ data: 'hi' }),
        'cloudevents-binary',
      );

      expect(encoded.body.toString('utf8')).toBe('"hi"');
    });

    it('sends non-string data as JSON whatever the media type', () => {
      const encoded = encodeSignal(
        makeSignal({ data: { a: 1 }, datacontenttype: 'application/xml' }),
        'cloudevents-binary',
      );

      expect(encoded.body.toString('utf8')).toBe('{"a":1}');
    });

    it('sends an empty body without data', () => {
      const encoded = encodeSignal(
        makeSignal({ data: undefined }),
        'cloudevents-binary',
      );

      expect(encoded.body).toHaveLength(0);
    });

    it('round-trips through parseBinaryMode', () => {
      const signal = makeSignal({
        subject: 'café "x" 100%',
        dataschema: 'urn:s',
      });
      const encoded = encodeSignal(signal, 'cloudevents-binary');

      const parsed = parseBinaryMode(encoded.headers, encoded.body);

      expect(parsed).toEqual({ ok: true, signal });
    });

    it('round-trips any subject and extension string', () => {
      fc.assert(
        fc.property(
          fc.string({ minLength: 1, unit: 'grapheme' }),
          fc.string({ unit: 'grapheme' }),
          (subject, traceid) => {
            const signal = makeSignal({ subject, traceid });
            const encoded = encodeSignal(signal, 'cloudevents-binary');

            expect(parseBinaryMode(encoded.headers, encoded.body)).toEqual({
              ok: true,
              signal,
            });
          },
        ),
      );
    });
  });

  describe('when sent over a real connection', () => {
    let server: Server;
    let received: Promise<{ headers: Record<string, unknown>; body: string }>;

    beforeEach(async () => {
      received = new Promise((resolve) => {
        server = createServer((request, response) => {
          let body = '';
          request.setEncoding('utf8');
          request.on('data', (chunk: string) => (body += chunk));
          request.on('end', () => {
            resolve({ headers: request.headers, body });
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

    it.each<SignalFormat>(['cloudevents-structured', 'cloudevents-binary'])(
      'arrives readable by the CloudEvents SDK in %s format',
      async (format) => {
        const signal = makeSignal({ subject: 'Zoë "quoted"\nline' });
        const encoded = encodeSignal(signal, format);
        const { port } = server.address() as AddressInfo;

        const request = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'POST',
          headers: encoded.headers,
        });
        request.end(encoded.body);
        const [response] = (await once(request, 'response')) as [
          { statusCode: number; resume(): void },
        ];
        response.resume();
        const message = await received;
        const event = HTTP.toEvent({
          headers: message.headers as Record<string, string>,
          body: message.body,
        }) as CloudEventV1<unknown>;

        expect(response.statusCode).toBe(204);
        expect(event.type).toBe('order.placed');
        expect(event.source).toBe('https://shop.example/orders');
        expect(event.id).toBe('evt-1');
        expect(event.data).toEqual({ orderId: 42, items: ['a', 'b'] });
      },
    );
  });

  describe('when the signal cannot be encoded', () => {
    const base = makeSignal();

    it.each([
      ['an extension name that is invalid', { ...base, 'Bad Name': 'x' }],
      ['an extension value that is an object', { ...base, meta: { a: 1 } }],
    ])('throws SignalEncodingError for %s in binary mode', (_label, signal) => {
      const encode = () => encodeSignal(signal as Signal, 'cloudevents-binary');

      expect(encode).toThrow(SignalEncodingError);
      expect(encode).toThrow(
        expect.objectContaining({ code: SIGNAL_ENCODING_ERROR_CODE }),
      );
    });

    it('throws SignalEncodingError for an unknown format', () => {
      const encode = () => encodeSignal(base, 'xml' as SignalFormat);

      expect(encode).toThrow(SignalEncodingError);
      expect(encode).toThrow(/Unknown signal format "xml"/);
    });
  });
});
