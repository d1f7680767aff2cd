import net from 'node:net';

/**
 * Returns a port on 127.0.0.1 that nothing listens on, so connecting to it
 * is refused. The port was free a moment ago.
 * NOTE: another process may bind it between this call and its use. On
 * loopback in a test run that is unlikely but possible.
 */
export async function findClosedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
