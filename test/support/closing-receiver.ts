import http from 'node:http';

/** How a closing receiver ends the connection after each response. */
export type CloseMode =
  /** Sends `connection: close`, so the client does not reuse the socket. */
  | 'connection-close-header'
  /** Keeps the keep-alive headers and destroys the socket after the response. */
  | 'destroy-after-response';

/** A request the closing receiver got. */
export interface ClosingRequest {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly at: number;
}

/** A real HTTP server on 127.0.0.1 that never reuses a connection. */
export interface ClosingReceiver {
  readonly url: string;
  readonly requests: ClosingRequest[];
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Starts a receiver on an ephemeral port that responds 200 and then closes
 * the connection in the way `mode` names.
 */
export async function startClosingReceiver(
  mode: CloseMode,
): Promise<ClosingReceiver> {
  const requests: ClosingRequest[] = [];
  let connections = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests.push({
        url: request.url ?? '',
        headers: request.headers,
        at: Date.now(),
      });
      if (mode === 'connection-close-header') {
        response.writeHead(200, { connection: 'close' }).end('ok');
        return;
      }
      response.writeHead(200).end('ok', () => request.socket.destroy());
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
