import express, { type Express } from 'express';
import helmet from 'helmet';
import { ApiError } from '@signalpost/errors';
import type { ApiContext } from './context';
import { errorHandler } from './middleware/error-handler';
import {
  ADMIN_DASHBOARD_PATH,
  adminDashboardRouter,
} from './routes/admin-dashboard';
import { deadLettersRouter } from './routes/dead-letters';
import { healthRouter } from './routes/health';
import { inboundRouter } from './routes/inbound';
import { signalsRouter } from './routes/signals';
import { subscriptionsRouter } from './routes/subscriptions';

/** Builds the API's express app; listening is the caller's job. */
export function createApiApp(context: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(helmet());

  app.use(healthRouter(context));
  app.use('/v1/inbound', inboundRouter(context));
  app.use('/v1/signals', signalsRouter(context));
  app.use('/v1/subscriptions', subscriptionsRouter(context));
  app.use('/v1/dead-letters', deadLettersRouter(context));
  app.use(ADMIN_DASHBOARD_PATH, adminDashboardRouter(context));
  app.use((request, _response, next) => {
    next(
      new ApiError('not_found', `no route ${request.method} ${request.path}`),
    );
  });
  app.use(errorHandler(context.logger));
  return app;
}
