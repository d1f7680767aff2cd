import { HTTP, CloudEvent } from 'cloudevents';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

describe('signal formats', () => {
  let stack: TestStack;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack();
    receiver = await startReceiver();
    await stack.request('POST', '/v1/subscriptions', {
      body: { id: 'formats', pattern: '**', dispatch: { adapter: 'noop' } },
    });
  });

  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  async function stored(id: string): Promise<Record<string, unknown>> {
    const response = await waitFor(async () => {
      const reply = await stack.request('GET', `/v1/signals/${id}`);
      return reply.status === 200 ? reply : undefined;
    });
    return response.body.signal as Record<string, unknown>;
  }

  const binary = (
    id: string,
    contentType: string | undefined,
  ): Record<string, string> => ({
    'ce-specversion': '1.0',
    'ce-id': id,
    'ce-type': 'bin.event',
    'ce-source': 'binary-test',
    ...(contentType ? { 'content-type': contentType } : {}),
  });

  it('reads text/plain binary data as a string', async () => {
    const response = await stack.request('POST', '/v1/signals', {
      rawBody: 'hello',
      headers: binary('bin-1', 'text/plain'),
    });
    expect(response.status).toBe(202);
    expect((await stored('bin-1')).data).toBe('hello');
  });

  it('reads an empty binary body as no data', async () => {
    const response = await stack.request('POST', '/v1/signals', {
      rawBody: '',
      headers: binary('bin-2', undefined),
    });
    expect(response.status).toBe(202);
    const signal = await stored('bin-2');
    expect(signal.data).toBeUndefined();
    expect(signal.data_base64).toBeUndefined();
  });

  it('reads a JSON binary body as an object', async () => {
    const headers = binary('bin-3', 'application/json');
    const response = await stack.request('POST', '/v1/signals', {
      rawBody: '{"n":1}',
      headers,
    });
    expect(response.status).toBe(202);
    expect((await stored('bin-3')).data).toEqual({ n: 1 });
  });

  it('accepts what the CloudEvents SDK sends in binary mode', async () => {
    const event = new CloudEvent({
      id: 'sdk-1',
      type: 'sdk.event',
      source: '/sdk',
      data: { ok: true },
    });
    const message = HTTP.binary(event);
    const headers = Object.fromEntries(
      Object.entries(message.headers).map(([name, value]) => [
        name,
        String(value),
      ]),
    );
    const response = await stack.request('POST', '/v1/signals', {
      rawBody: String(message.body),
      headers,
    });
    expect(response.status).toBe(202);
    expect((await stored('sdk-1')).data).toEqual({ ok: true });
  });

  it('accepts the CloudEvents SDK structured mode', async () => {
    const event = new CloudEvent({
      id: 'sdk-2',
      type: 'sdk.event',
      source: '/sdk',
      data: { n: 2 },
    });
    const message = HTTP.structured(event);
    const headers = Object.fromEntries(
      Object.entries(message.headers).map(([name, value]) => [
        name,
        String(value),
      ]),
    );
    const response = await stack.request('POST', '/v1/signals', {
      rawBody: String(message.body),
      headers,
    });
    expect(response.status).toBe(202);
    expect((await stored('sdk-2')).data).toEqual({ n: 2 });
  });

  it("accepts Jido.Signal's own JSON", async () => {
    const jido = {
      specversion: '1.0.2',
      id: 'jido-1',
      source: '/my/app',
      type: 'user.created',
      subject: null,
      time: '2024-05-01T12:00:00.000000Z',
      datacontenttype: 'application/json',
      dataschema: null,
      data: { user_id: 7 },
      extensions: { traceid: 'abc' },
    };
    const response = await stack.request('POST', '/v1/signals', { body: jido });
    expect(response.status).toBe(202);
    const signal = await stored('jido-1');
    expect(signal.specversion).toBe('1.0');
    expect(signal.traceid).toBe('abc');
    expect(signal.subject).toBeUndefined();
  });

  it('stores a batch all or nothing and answers each id', async () => {
    const items = [
      { type: 'batch.one', source: 'b', id: 'batch-1' },
      { type: 'batch.two', source: 'b', id: 'batch-2' },
    ];
    const headers = { 'content-type': 'application/cloudevents-batch+json' };
    const response = await stack.request('POST', '/v1/signals', {
      rawBody: JSON.stringify(items),
      headers,
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      accepted: ['batch-1', 'batch-2'],
      duplicates: [],
    });
    const again = await stack.request('POST', '/v1/signals', {
      rawBody: JSON.stringify(items),
      headers,
    });
    expect(again.body).toEqual({
      accepted: [],
      duplicates: ['batch-1', 'batch-2'],
    });
  });
});
