import net from 'node:net';

/** A TCP server on 127.0.0.1 that accepts connections and never writes. */
export interface SilentServer {
  /** An http URL that points at the server. */
  readonly url: string;
  /** Connections accepted so far. */
  readonly acceptedConnections: number;
  /** Connections the client has closed so far. */
  readonly closedConnections: number;
  close(): Promise<void>;
}

/** Options of {@link startSilentServer}. */
export interface SilentServerOptions {
  /**
   * Send a 200 status line, headers and part of the promised body when the
   * request arrives, then stall, like a target that hangs mid-response.
   * @defaultValue false: nothing is ever sent
   */
  readonly stallMidBody?: boolean;
}

/** The start of a response whose body never finishes. */
const STALLED_RESPONSE =
  'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\npartial';

/**
 * Starts a TCP server on an ephemeral port that reads and discards what it
 * receives and never completes a response, like a target that hangs after
 * the handshake.
 */
export async function startSilentServer(
  options: SilentServerOptions = {},
): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let closed = 0;
  const server = net.createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.once('data', () => {
      if (options.stallMidBody) socket.write(STALLED_RESPONSE);
    });
    socket.resume();
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed += 1;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get acceptedConnections() {
      return accepted;
    },
    get closedConnections() {
      return closed;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
