import express, {
  Router,
  type NextFunction,
  type Request,
  type Response,
} from 'express';
import { ApiError, type ApiErrorCode } from '@signalpost/errors';
import {
  toSignalFields,
  verifyInbound,
  type InboundSourceConfig,
  type VerifiedEvent,
} from '@signalpost/inbound';
import {
  MAX_SIGNAL_BYTES,
  encodedSize,
  parseSignal,
  type Signal,
} from '@signalpost/signal';
import type { ApiContext } from '../context';
import { publishSignals } from '../publish/publish-signals';

/** Defaults of the inbound webhook route. */
export const INBOUND_ROUTE_DEFAULTS = Object.freeze({
  /**
   * Largest body the route reads, in bytes. A larger one is rejected with
   * 413 `payload_too_large`.
   * @defaultValue 1048576 (1 MiB)
   */
  maxBodyBytes: 1024 * 1024,
});

/** An inbound source of the config file, with its name. */
interface NamedSource {
  readonly name: string;
  readonly config: InboundSourceConfig;
}

/**
 * Builds the router of `POST /v1/inbound/:source`. It takes no API key,
 * because the provider's signature over the raw body bytes authenticates each
 * request, and that is why the route reads the body itself. A verified event is
 * published as a signal, and the route returns 200 `{"received": true}`. It
 * returns the same when the event id was seen before and nothing is published.
 */
export function inboundRouter(context: ApiContext): Router {
  const router = Router();
  const rawBody = express.raw({
    type: () => true,
    limit: INBOUND_ROUTE_DEFAULTS.maxBodyBytes,
  });

  router.post(
    '/:source',
    requireKnownSource(context),
    rawBody,
    async (request, response) => {
      await receiveWebhook(context, request, response);
    },
  );
  return router;
}

// Runs before the body parser, so a request to an unknown source is
// rejected before its body is read.
function requireKnownSource(context: ApiContext) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    findSource(context, request);
    next();
  };
}

function findSource(context: ApiContext, request: Request): NamedSource {
  const name = String(request.params.source);
  const config = context.inboundSources.get(name);
  if (config === undefined) {
    throw new ApiError(
      'unknown_source',
      `no inbound source named ${JSON.stringify(name)} is configured; declare it under inbound in the config file`,
    );
  }
  return { name, config };
}

async function receiveWebhook(
  context: ApiContext,
  request: Request,
  response: Response,
): Promise<void> {
  const source = findSource(context, request);
  const rawBody = Buffer.isBuffer(request.body)
    ? request.body
    : Buffer.alloc(0);
  const result = verifyInbound(source.config, {
    headers: request.headers,
    rawBody,
    nowSec: Math.floor(Date.now() / 1000),
  });
  if (!result.ok) {
    throw rejectWebhook(context, request, source, result.code, result.message);
  }

  const signal = buildSignal(context, request, source, result);
  const [outcome] = await publishSignals(context, [signal]);
  const duplicate = outcome?.duplicate === true;
  context.metrics.signalsReceived.inc({
    outcome: duplicate ? 'duplicate' : 'accepted',
  });
  context.logger.debug(
    { source: source.name, signalId: signal.id, duplicate },
    'inbound webhook received',
  );
  response.status(200).json({ received: true });
}

function buildSignal(
  context: ApiContext,
  request: Request,
  source: NamedSource,
  event: VerifiedEvent,
): Signal {
  const fields = toSignalFields(source.name, source.config, event, {
    remoteAddress: request.socket.remoteAddress,
    userAgent: request.get('user-agent'),
  });
  const parsed = parseSignal(fields);
  if (!parsed.ok) {
    const issues = parsed.issues.map((issue) => issue.message).join('; ');
    const message = `the event does not make a valid signal: ${issues}`;
    throw rejectWebhook(context, request, source, 'validation_failed', message);
  }
  if (encodedSize(parsed.signal) > MAX_SIGNAL_BYTES) {
    const message = `the signal made from this event is larger than ${MAX_SIGNAL_BYTES} bytes`;
    throw rejectWebhook(context, request, source, 'payload_too_large', message);
  }
  return parsed.signal;
}

// Logs the sender and the reason, which never contains the secret or the
// signature, and leaves the request headers out for the same reason.
function rejectWebhook(
  context: ApiContext,
  request: Request,
  source: NamedSource,
  code: ApiErrorCode,
  message: string,
): ApiError {
  context.metrics.signalsReceived.inc({ outcome: 'rejected' });
  context.logger.warn(
    {
      source: source.name,
      remoteAddress: request.socket.remoteAddress,
      code,
      reason: message,
    },
    'inbound webhook rejected',
  );
  return new ApiError(code, message);
}
