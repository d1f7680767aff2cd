import http from 'node:http';

/** A request the slow receiver got, with its arrival and response times. */
export interface SlowRequest {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** When the request body had been read, in ms since the epoch. */
  readonly at: number;
  /** When the response was sent, in ms since the epoch. Unset while open. */
  answeredAt?: number;
}

/** A real HTTP server on 127.0.0.1 that responds 200 after a fixed delay. */
export interface SlowReceiver {
  readonly url: string;
  readonly requests: SlowRequest[];
  /** Requests received and not yet responded to. */
  readonly openRequests: number;
  /** The maximum number of requests open at the same moment. */
  readonly maxOpenRequests: number;
  close(): Promise<void>;
}

/**
 * Starts a receiver on an ephemeral port that keeps every request open for
 * `delayMs` before responding 200, and tracks how many are open at once.
 */
export async function startSlowReceiver(
  delayMs: number,
): Promise<SlowReceiver> {
  const requests: SlowRequest[] = [];
  let open = 0;
  let maxOpen = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((request, response) => {
    // Counted from the first byte, so a request is open while its body streams.
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    request.resume();
    request.on('end', () => {
      const received: SlowRequest = {
        url: request.url ?? '',
        headers: request.headers,
        at: Date.now(),
      };
      requests.push(received);
      const timer = setTimeout(() => {
        timers.delete(timer);
        received.answeredAt = Date.now();
        open -= 1;
        response.writeHead(200).end('ok');
      }, delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get openRequests() {
      return open;
    },
    get maxOpenRequests() {
      return maxOpen;
    },
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
