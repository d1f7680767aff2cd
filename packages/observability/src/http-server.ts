import type { Server } from 'node:http';

/** Returns the port a listening server is bound to (useful after listening on 0). */
export function serverPort(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * Stops a server: no new connections, and idle keep-alive ones closed so
 * the returned promise does not wait for clients to hang up.
 */
export function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
