import { createHash } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { ApiError } from '@signalpost/errors';
import { identityHash } from '@signalpost/signal';
import type { IdempotencyClaim } from '@signalpost/store';
import type { ApiContext } from '../context';
import {
  principalOf,
  requireScope,
  type Principal,
} from '../middleware/authenticate';
import { backpressure } from '../middleware/backpressure';
import { limitIngestRate } from '../middleware/ingest-rate-limit';
import { parsePublishBody } from '../publish/parse-publish-body';
import { publishSignals } from '../publish/publish-signals';
import { startReadDeadline } from './read-deadline';

/** Builds the publish and read routes of signals. */
export function signalsRouter(context: ApiContext): Router {
  const router = Router();
  const rawBody = express.raw({
    type: () => true,
    limit: context.config.maxBodyBytes,
  });
  const keys = context.config.apiKeys;

  router.post(
    '/',
    requireScope('signals:publish', keys),
    backpressure(context),
    rawBody,
    limitIngestRate(context),
    async (request, response) => {
      await publish(context, request, response);
    },
  );
  router.get(
    '/:id',
    requireScope('signals:read', keys),
    async (request, response) => {
      await readSignal(context, request, response);
    },
  );
  return router;
}

async function publish(
  context: ApiContext,
  request: Request,
  response: Response,
): Promise<void> {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const key = request.header('idempotency-key');
  if (key === undefined) {
    const result = await parseAndPublish(context, request, body);
    response.status(202).json(result);
    return;
  }
  if (key.length === 0 || key.length > 255) {
    throw new ApiError(
      'validation_failed',
      'Idempotency-Key must be 1 to 255 characters',
      {
        details: [
          { path: 'Idempotency-Key', message: 'expected 1 to 255 characters' },
        ],
      },
    );
  }
  await publishOnce(
    context,
    request,
    response,
    principalOf(response),
    key,
    body,
  );
}

async function publishOnce(
  context: ApiContext,
  request: Request,
  response: Response,
  principal: Principal,
  key: string,
  body: Buffer,
): Promise<void> {
  const keyHash = sha256(key);
  const bodyHash = sha256(
    Buffer.concat([
      Buffer.from(`${request.headers['content-type'] ?? ''}\n`),
      body,
    ]),
  );
  const claim = await context.idempotency.claim(
    principal.keyHash,
    keyHash,
    bodyHash,
  );
  if (claim.state !== 'claimed') {
    respondToRepeat(context, response, claim, bodyHash);
    return;
  }
  try {
    const result = await parseAndPublish(context, request, body);
    await context.idempotency.complete(principal.keyHash, keyHash, 202, result);
    response.status(202).json(result);
  } catch (error) {
    await context.idempotency
      .release(principal.keyHash, keyHash)
      .catch(() => undefined);
    throw error;
  }
}

function respondToRepeat(
  context: ApiContext,
  response: Response,
  claim: Exclude<IdempotencyClaim, { state: 'claimed' }>,
  bodyHash: string,
): void {
  if (claim.bodyHash !== bodyHash) {
    throw new ApiError(
      'idempotency_key_reused',
      'this Idempotency-Key was used with another body; use a new key',
    );
  }
  if (claim.state === 'in_flight') {
    throw new ApiError(
      'idempotency_key_in_flight',
      'a request with this Idempotency-Key is still being stored; retry shortly',
      {
        retryAfterSec: 1,
      },
    );
  }
  const repeated = markDuplicate(claim.response);
  // Every signal of a repeated 202 is a duplicate: none is stored again.
  if (claim.status === 202) {
    context.metrics.signalsReceived.inc(
      { outcome: 'duplicate' },
      duplicateCount(repeated),
    );
  }
  response.status(claim.status).json(repeated);
}

function duplicateCount(repeated: unknown): number {
  const { duplicates } = repeated as { duplicates?: unknown };
  return Array.isArray(duplicates) ? duplicates.length : 1;
}

function markDuplicate(original: unknown): unknown {
  const body = original as Record<string, unknown>;
  if (Array.isArray(body.accepted)) {
    const accepted = body.accepted as string[];
    const duplicates = new Set([...(body.duplicates as string[]), ...accepted]);
    return { accepted: [], duplicates: [...duplicates] };
  }
  return { ...body, duplicate: true };
}

async function parseAndPublish(
  context: ApiContext,
  request: Request,
  body: Buffer,
): Promise<unknown> {
  let parsed;
  try {
    parsed = parsePublishBody(request, body);
  } catch (error) {
    context.metrics.signalsReceived.inc({ outcome: 'rejected' });
    throw error;
  }
  const outcomes = await publishSignals(context, parsed.signals);
  const duplicates = outcomes.filter((item) => item.duplicate).length;
  context.metrics.signalsReceived.inc(
    { outcome: 'accepted' },
    outcomes.length - duplicates,
  );
  if (duplicates > 0)
    context.metrics.signalsReceived.inc({ outcome: 'duplicate' }, duplicates);
  if (!parsed.batch) {
    const [outcome] = outcomes;
    return { id: outcome?.id, duplicate: outcome?.duplicate === true };
  }
  return {
    accepted: outcomes.filter((item) => !item.duplicate).map((item) => item.id),
    duplicates: outcomes
      .filter((item) => item.duplicate)
      .map((item) => item.id),
  };
}

async function readSignal(
  context: ApiContext,
  request: Request,
  response: Response,
): Promise<void> {
  const within = startReadDeadline();
  const id = String(request.params.id);
  const source =
    typeof request.query.source === 'string' ? request.query.source : undefined;
  const identities =
    source === undefined
      ? await within(context.signals.identitiesOf(id))
      : [identityHash(source, id)];
  const records = (
    await within(
      Promise.all(identities.map((identity) => context.signals.get(identity))),
    )
  ).filter((record) => record !== undefined);
  if (records.length === 0)
    throw new ApiError(
      'not_found',
      `no signal with id ${id}${source ? ` from ${source}` : ''}`,
    );
  if (records.length > 1) {
    throw new ApiError(
      'conflict',
      `signal id ${id} is used by ${records.length} sources; pass ?source= to pick one`,
      {
        details: records.map((record) => ({ source: record.signal.source })),
      },
    );
  }
  const [record] = records;
  if (!record) return;
  const deliveries = await within(
    Promise.all(
      record.deliveryIds.map((deliveryId) =>
        context.deliveries.get(deliveryId),
      ),
    ),
  );
  response.json({
    signal: record.signal,
    state: record.state,
    receivedAt: record.receivedAt,
    ...(record.routedAt ? { routedAt: record.routedAt } : {}),
    deliveries: deliveries.filter((delivery) => delivery !== undefined),
    ...(record.skippedTargets ? { skippedTargets: record.skippedTargets } : {}),
  });
}

function sha256(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}
