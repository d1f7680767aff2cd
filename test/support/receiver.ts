import http from 'node:http';

/** A request the receiver got. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly at: number;
}

/** How the receiver answers one request. */
export interface ReceiverAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Wait this long before answering. */
  readonly delayMs?: number;
}

/** A real HTTP server on 127.0.0.1 that records what it receives. */
export interface Receiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Sets how the n-th request (from 0) is answered. */
  answer(
    plan: (index: number, request: ReceivedRequest) => ReceiverAnswer,
  ): void;
  close(): Promise<void>;
}

/** Starts a receiver on an ephemeral port; it answers 200 until told otherwise. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let plan: (
    index: number,
    request: ReceivedRequest,
  ) => ReceiverAnswer = () => ({ status: 200, body: 'ok' });
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      const answer = plan(requests.length, received);
      requests.push(received);
      const send = (): void => {
        response
          .writeHead(answer.status, answer.headers)
          .end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (next) => {
      plan = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
