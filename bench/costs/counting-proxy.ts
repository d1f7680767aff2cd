import net from 'node:net';

/** Traffic between one app and Redis, as the proxy saw it. */
export interface ProxyCounters {
  readonly connections: number;
  /**
   * Reads on the app's side: each is one write flight of commands, so a
   * pipeline counts once. It approximates round trips to Redis, because an
   * app sends its next flight only after it has read a reply.
   */
  readonly requestFlights: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

/**
 * A TCP proxy on 127.0.0.1 between one app and Redis that counts what
 * passes. It also records the local port of each of its upstream
 * connections, which is the client address Redis shows in MONITOR.
 */
export class CountingProxy {
  readonly upstreamPorts = new Set<number>();
  private counters = {
    connections: 0,
    requestFlights: 0,
    requestBytes: 0,
    responseBytes: 0,
  };
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Starts a proxy to Redis on 127.0.0.1:`redisPort`. */
  static async start(redisPort: number): Promise<CountingProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const proxy = new CountingProxy(server, port);
    server.on('connection', (client) => proxy.relay(client, redisPort));
    return proxy;
  }

  /** The `redis://` URL an app uses to connect through the proxy. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Returns the counters so far. */
  read(): ProxyCounters {
    return { ...this.counters };
  }

  /** Stops listening and drops every relayed connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket, redisPort: number): void {
    const upstream = net.connect(redisPort, '127.0.0.1');
    this.counters.connections += 1;
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    }
    upstream.once('connect', () => {
      if (upstream.localPort) this.upstreamPorts.add(upstream.localPort);
    });
    client.on('data', (chunk: Buffer) => {
      this.counters.requestFlights += 1;
      this.counters.requestBytes += chunk.length;
    });
    upstream.on('data', (chunk: Buffer) => {
      this.counters.responseBytes += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.once('error', closeBoth);
    upstream.once('error', closeBoth);
    client.once('close', closeBoth);
    upstream.once('close', closeBoth);
  }
}
