import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseAllowTargets } from '@signalpost/net-guard';
import { WebhookClient } from '../src/adapters/webhook-client';
import { findClosedPort } from '../../../test/support/closed-port';
import { startSilentServer } from '../../../test/support/silent-server';

type Handler = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
) => void;

interface TestServer {
  readonly url: string;
  readonly sockets: Socket[];
  close(): Promise<void>;
}

async function startServer(handler: Handler): Promise<TestServer> {
  const sockets: Socket[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => handler(request, response));
  });
  server.on('connection', (socket: Socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook?x=1`,
    sockets,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function post(url: string, timeoutMs = 5_000) {
  return {
    url,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"n":1}'),
    timeoutMs,
  };
}

describe('WebhookClient', () => {
  const shutdown = new AbortController();
  const client = new WebhookClient(
    parseAllowTargets('127.0.0.0/8'),
    shutdown.signal,
  );
  const servers: { close(): Promise<void> }[] = [];

  afterAll(async () => {
    await client.close();
    for (const server of servers) await server.close();
  });

  const serve = async (handler: Handler): Promise<TestServer> => {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  };

  it('returns the status, Retry-After and the first 4 KiB', async () => {
    let seenPath = '';
    const server = await serve((request, response) => {
      seenPath = request.url ?? '';
      response.writeHead(503, { 'retry-after': '7' }).end('é'.repeat(5_000));
    });

    const result = await client.send(post(server.url));

    expect(seenPath).toBe('/hook?x=1');
    expect(result.ok).toBe(false);
    expect(result.statusCode).toBe(503);
    expect(result.errorClass).toBe('http');
    expect(result.retryAfter).toBe('7');
    expect(Buffer.byteLength(result.responseBody ?? '')).toBeLessThanOrEqual(
      4096,
    );
    expect(result.responseBody?.startsWith('éé')).toBe(true);
  });

  it('reuses connections for later requests', async () => {
    const server = await serve((_request, response) => response.end('ok'));

    const results = [];
    for (let index = 0; index < 10; index += 1) {
      results.push(await client.send(post(server.url)));
    }

    expect(results.every((result) => result.ok)).toBe(true);
    // undici may open a second connection while the first is being
    // released, as its request() does too, but not one per request.
    expect(server.sockets.length).toBeLessThanOrEqual(2);
  });

  it('drops the connection of a body over 1 MiB', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const server = await serve((_request, response) => {
      response.writeHead(200);
      // 2 MiB, written as the socket drains.
      let left = 32;
      const write = (): void => {
        while (left > 0) {
          left -= 1;
          if (!response.write(chunk)) return void response.once('drain', write);
        }
        response.end();
      };
      write();
    });

    const result = await client.send(post(server.url));
    const served = server.sockets[0];
    for (let waitedMs = 0; !served?.destroyed && waitedMs < 5_000;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      waitedMs += 50;
    }

    expect(result.ok).toBe(true);
    expect(result.responseBody).toHaveLength(4096);
    expect(served?.destroyed).toBe(true);
  });

  it('ends a silent request at timeoutMs', async () => {
    const silent = await startSilentServer();
    servers.push(silent);

    const started = Date.now();
    const result = await client.send(post(silent.url, 300));

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(result.ok).toBe(false);
    expect(result.errorClass).toBe('timeout');
    expect(result.errorMessage).toBe('no response within 300 ms');
  });

  it('classifies a refused connection', async () => {
    const port = await findClosedPort();

    const result = await client.send(post(`http://127.0.0.1:${port}/`));

    expect(result.errorClass).toBe('connection');
    expect(result.errorMessage).toContain('ECONNREFUSED');
  });

  it('refuses an address outside the allowed targets', async () => {
    const closed = new WebhookClient([], new AbortController().signal);

    const result = await closed.send(post('http://127.0.0.1:9/'));
    await closed.close();

    expect(result.errorClass).toBe('refused_target');
  });

  it('aborts requests in flight at shutdown', async () => {
    const stopping = new AbortController();
    const stoppingClient = new WebhookClient(
      parseAllowTargets('127.0.0.0/8'),
      stopping.signal,
    );
    const silent = await startSilentServer();
    servers.push(silent);

    const pending = stoppingClient.send(post(silent.url, 10_000));
    setTimeout(() => stopping.abort(), 100);
    const result = await pending;
    const afterwards = await stoppingClient.send(post(silent.url, 10_000));
    await stoppingClient.close();

    expect(result.abortedByShutdown).toBe(true);
    expect(afterwards.abortedByShutdown).toBe(true);
  });
});
