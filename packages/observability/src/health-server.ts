import http from 'node:http';
import type { Registry } from 'prom-client';

/** Result of a readiness check. */
export interface Readiness {
  readonly ready: boolean;
  /** Why the app is not ready; shown in the `/readyz` body. */
  readonly reason?: string;
}

/** Options of {@link startHealthServer}. */
export interface HealthServerOptions {
  readonly port: number;
  /** @defaultValue `0.0.0.0` */
  readonly host?: string;
  readonly registry: Registry;
  readonly checkReadiness: () => Promise<Readiness>;
}

/**
 * Serves `/metrics`, `/healthz` and `/readyz` on their own port. Resolves
 * with the listening server.
 */
export function startHealthServer(
  options: HealthServerOptions,
): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    void route(path ?? '/', options, response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

async function route(
  path: string,
  options: HealthServerOptions,
  response: http.ServerResponse,
): Promise<void> {
  try {
    if (path === '/metrics') {
      const body = await options.registry.metrics();
      response
        .writeHead(200, { 'content-type': options.registry.contentType })
        .end(body);
    } else if (path === '/healthz') {
      sendJson(response, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      const readiness = await options.checkReadiness();
      sendJson(response, readiness.ready ? 200 : 503, {
        status: readiness.ready ? 'ready' : 'not_ready',
        reason: readiness.reason,
      });
    } else {
      sendJson(response, 404, {
        error: { code: 'not_found', message: `no route ${path}` },
      });
    }
  } catch (error) {
    sendJson(response, 503, {
      status: 'not_ready',
      reason: (error as Error).message,
    });
  }
}

function sendJson(
  response: http.ServerResponse,
  status: number,
  body: unknown,
): void {
  response
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify(body));
}
