import { Router } from 'express';
import { checkRedisReadiness } from '@signalpost/observability';
import type { ApiContext } from '../context';

/** `/healthz`, `/readyz` and `/metrics` on the API's main port. */
export function healthRouter(context: ApiContext): Router {
  const router = Router();
  router.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  router.get('/readyz', async (_request, response) => {
    const readiness = await checkRedisReadiness(context.redis);
    response.status(readiness.ready ? 200 : 503).json({
      status: readiness.ready ? 'ready' : 'not_ready',
      ...(readiness.reason ? { reason: readiness.reason } : {}),
    });
  });
  router.get('/metrics', async (_request, response) => {
    response
      .type(context.metrics.registry.contentType)
      .send(await context.metrics.registry.metrics());
  });
  return router;
}
