import http from 'node:http';

/** Status, headers and body that a counting server sends to every request. */
export interface CountingServerResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Options of {@link startCountingServer}. */
export interface CountingServerOptions {
  /**
   * Loopback address to listen on. Any address of 127.0.0.0/8 works on
   * Linux without extra set-up.
   * @defaultValue '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Response to every request.
   * @defaultValue 200 with the body `canary`
   */
  readonly response?: CountingServerResponse;
}

/** An HTTP server on loopback that counts every connection and request. */
export interface CountingServer {
  readonly host: string;
  readonly port: number;
  /** `http://<host>:<port>` without a trailing slash. */
  readonly url: string;
  /** TCP connections accepted so far, including ones that sent no request. */
  readonly connections: number;
  /** Paths of the HTTP requests received so far. */
  readonly requestPaths: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on an ephemeral loopback port that sends the same
 * response to every request. As a canary it proves that nothing connected to
 * it, and with a 3xx response it plays a target that redirects.
 */
export async function startCountingServer(
  options: CountingServerOptions = {},
): Promise<CountingServer> {
  const host = options.host ?? '127.0.0.1';
  const reply = options.response ?? { status: 200, body: 'canary' };
  const requestPaths: string[] = [];
  let connections = 0;

  const server = http.createServer((request, response) => {
    requestPaths.push(request.url ?? '');
    request.resume();
    request.on('end', () => {
      response.writeHead(reply.status, reply.headers).end(reply.body ?? '');
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host,
    port,
    url: `http://${host}:${port}`,
    get connections() {
      return connections;
    },
    requestPaths,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
