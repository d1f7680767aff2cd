import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import {
  Router,
  type Express,
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import helmet from 'helmet';
import type { ApiKeyEntry } from '@signalpost/config';
import { ApiError } from '@signalpost/errors';
import type { ApiContext } from '../context';
import { findApiKey, readApiKey } from '../middleware/authenticate';

/** Path the dashboard is served under, also written into the page's base URL. */
export const ADMIN_DASHBOARD_PATH = '/admin/queues';

/** Challenge that makes a browser ask for the admin key as a Basic password. */
export const ADMIN_DASHBOARD_CHALLENGE = 'Basic realm="signalpost"';

const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/**
 * helmet's default policy without `upgrade-insecure-requests`. That
 * directive makes the browser load the board's scripts and styles over
 * https from the API's own port, which serves plain HTTP. So the page stays
 * blank when opened over http on any host but loopback, which Chromium 156
 * does not upgrade. The board's script files, inline style attributes and
 * JSON config block pass the other default directives (no violation with
 * Bull Board 9.10.2).
 */
const dashboardContentSecurityPolicy = helmet.contentSecurityPolicy({
  directives: { 'upgrade-insecure-requests': null },
});

/**
 * Creates the Bull Board dashboard of the signals and deliveries queues, for
 * keys with the `admin` scope only. Unless `config.dashboardWrite` is set,
 * the board is read-only.
 */
export function adminDashboardRouter(context: ApiContext): Router {
  const router = Router();
  router.use(requireAdminKey(context.config.apiKeys));
  if (!context.config.dashboardWrite) router.use(rejectWrites);
  router.use(dashboardContentSecurityPolicy);
  router.use(createBoardApp(context));
  return router;
}

/** Accepts the admin key as a Bearer token or as the Basic password. */
function requireAdminKey(entries: readonly ApiKeyEntry[]) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const key = readApiKey(request);
    const entry = key === undefined ? undefined : findApiKey(key, entries);
    if (!entry) {
      response.setHeader('www-authenticate', ADMIN_DASHBOARD_CHALLENGE);
      next(
        new ApiError(
          'unauthorized',
          'the dashboard needs the admin key: send it as Authorization: Bearer <api key> or as the Basic password',
        ),
      );
      return;
    }
    if (!entry.scopes.includes('admin')) {
      next(new ApiError('forbidden', 'this API key lacks the admin scope'));
      return;
    }
    next();
  };
}

/**
 * Rejects every method but GET and HEAD, since any other may change a
 * queue. Bull Board checks its read-only flag in each action handler, and
 * its pause-all and resume-all handlers skip read-only queues but still
 * return 200. This guard makes read-only hold for every route, including
 * routes a later version adds.
 */
function rejectWrites(
  request: Request,
  _response: Response,
  next: NextFunction,
): void {
  if (READ_METHODS.has(request.method)) {
    next();
    return;
  }
  next(
    new ApiError(
      'forbidden',
      'the dashboard is read-only: set SIGNALPOST_DASHBOARD_WRITE=true to retry, promote or remove jobs',
    ),
  );
}

function createBoardApp(context: ApiContext): Express {
  const readOnlyMode = !context.config.dashboardWrite;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_DASHBOARD_PATH);
  createBullBoard({
    queues: [
      new BullMQAdapter(context.signalsQueue, { readOnlyMode }),
      new BullMQAdapter(context.deliveriesQueue, { readOnlyMode }),
    ],
    serverAdapter,
  });
  const board = serverAdapter.getRouter() as Express;
  // The board is an express app of its own, so the parent's settings do not apply.
  board.disable('x-powered-by');
  return board;
}
