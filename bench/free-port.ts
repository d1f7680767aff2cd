import net from 'node:net';
import { sleep } from './sleep';

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago. Another
 * program may take it before the caller binds it, which on a benchmark
 * machine is rare enough to report as a failed start.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Waits until something accepts TCP connections on 127.0.0.1:`port`.
 * @throws Error naming the port when `timeoutMs` passes first.
 */
export async function waitForPort(
  port: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await accepts(port)) return;
    await sleep(50);
  }
  throw new Error(
    `nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`,
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
