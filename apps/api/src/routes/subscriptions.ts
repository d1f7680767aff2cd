import express, { Router, type Request, type Response } from 'express';
import { ApiError } from '@signalpost/errors';
import { newSignalId } from '@signalpost/signal';
import {
  toPublicSubscription,
  validateSubscription,
  type Subscription,
} from '@signalpost/subscriptions';
import type { ApiContext } from '../context';
import { requireScope } from '../middleware/authenticate';
import { readPage } from './pagination';
import { startReadDeadline } from './read-deadline';

const SUBSCRIPTION_BODY_LIMIT = '256kb';

/** CRUD routes of subscriptions. */
export function subscriptionsRouter(context: ApiContext): Router {
  const router = Router();
  const keys = context.config.apiKeys;
  const read = requireScope('subscriptions:read', keys);
  const write = requireScope('subscriptions:write', keys);
  const json = jsonBody();

  router.get('/', read, async (request, response) => {
    const { limit, cursor } = readPage(request);
    const within = startReadDeadline();
    const page = await within(context.subscriptions.list(limit, cursor));
    response.json({
      data: page.data.map(toPublicSubscription),
      nextCursor: page.nextCursor,
    });
  });
  router.get('/:id', read, async (request, response) => {
    const within = startReadDeadline();
    const id = String(request.params.id);
    response.json(toPublicSubscription(await within(mustGet(context, id))));
  });
  router.post('/', write, json, async (request, response) => {
    const subscription = await validate(
      context,
      request.body,
      undefined,
      undefined,
    );
    if (!(await context.subscriptions.create(subscription))) {
      throw new ApiError(
        'conflict',
        `subscription ${subscription.id} exists; use PUT to replace it`,
      );
    }
    response.status(201).json(toPublicSubscription(subscription));
  });
  router.put('/:id', write, json, async (request, response) => {
    await put(context, request, response);
  });
  router.delete('/:id', write, async (request, response) => {
    const id = String(request.params.id);
    refuseManaged(await mustGet(context, id));
    await context.subscriptions.delete(id);
    response.status(204).end();
  });
  return router;
}

async function put(
  context: ApiContext,
  request: Request,
  response: Response,
): Promise<void> {
  const id = String(request.params.id);
  const existing = await context.subscriptions.get(id);
  if (existing) refuseManaged(existing);
  const subscription = await validate(context, request.body, id, existing);
  await context.subscriptions.put(subscription);
  response
    .status(existing ? 200 : 201)
    .json(toPublicSubscription(subscription));
}

async function validate(
  context: ApiContext,
  body: unknown,
  id: string | undefined,
  existing: Subscription | undefined,
): Promise<Subscription> {
  const result = await validateSubscription(body, {
    origin: 'api',
    allowRules: context.allowRules,
    secretsDir: context.config.secretsDir,
    transformNames: context.transformNames,
    ...(existing ? { existing } : {}),
    ...(id ? { id } : {}),
    newId: newSignalId,
    now: () => new Date(),
  });
  if (!result.ok) {
    const summary = result.issues
      .map((issue) => `${issue.path || 'body'}: ${issue.message}`)
      .join('; ');
    throw new ApiError(
      'validation_failed',
      `the subscription is invalid: ${summary}`,
      { details: result.issues },
    );
  }
  return result.subscription;
}

async function mustGet(context: ApiContext, id: string): Promise<Subscription> {
  const subscription = await context.subscriptions.get(id);
  if (!subscription)
    throw new ApiError('not_found', `no subscription with id ${id}`);
  return subscription;
}

function refuseManaged(subscription: Subscription): void {
  if (subscription.managedBy === 'config') {
    throw new ApiError(
      'managed_by_config',
      `subscription ${subscription.id} is declared in the config file; edit it there`,
    );
  }
}

/** JSON body parser that reads any JSON value and reports bad JSON clearly. */
function jsonBody() {
  const parse = express.json({
    limit: SUBSCRIPTION_BODY_LIMIT,
    strict: false,
    type: () => true,
  });
  return (
    request: Request,
    response: Response,
    next: (error?: unknown) => void,
  ): void => {
    const type = (request.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (type !== 'application/json') {
      next(
        new ApiError(
          'unsupported_media_type',
          'send the subscription as application/json',
        ),
      );
      return;
    }
    parse(request, response, (error?: unknown) => {
      if (
        error &&
        (error as { type?: string }).type === 'entity.parse.failed'
      ) {
        next(
          new ApiError(
            'invalid_json',
            `the request body is not valid JSON: ${(error as Error).message}`,
          ),
        );
        return;
      }
      next(error);
    });
  };
}
