import net from 'node:net';

/** Ports tried as the first of a range; the kernel's ephemeral range starts above. */
const RANGE_FLOOR = 20_000;
const RANGE_CEILING = 30_000;
const RANGE_TRIES = 50;

/** Returns a port that the kernel reports free on 127.0.0.1. */
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
 * Finds `count` consecutive free ports and returns the first, because
 * `npm start` gives the apps' metrics servers the ports after the API's.
 * A port is free when a listener on every interface can bind it, since the
 * metrics servers bind every interface.
 * @throws Error when no free range turned up in {@link RANGE_TRIES} tries
 */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < RANGE_TRIES; attempt += 1) {
    const span = RANGE_CEILING - RANGE_FLOOR - count;
    const first = RANGE_FLOOR + Math.floor(Math.random() * span);
    if (await allFree(first, count)) return first;
  }
  throw new Error(
    `no ${count} consecutive free ports between ${RANGE_FLOOR} and ${RANGE_CEILING} after ${RANGE_TRIES} tries`,
  );
}

async function allFree(first: number, count: number): Promise<boolean> {
  for (let port = first; port < first + count; port += 1) {
    if (!(await canBind(port))) return false;
  }
  return true;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
