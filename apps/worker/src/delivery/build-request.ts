import type { DeliveryJobData } from '@signalpost/queues';
import { encodeSignal } from '@signalpost/signal';
import { SigningError, signRequest } from '@signalpost/signing';
import type { WebhookTarget } from '@signalpost/subscriptions';
import {
  ExpressionCache,
  evaluate,
  evaluateKey,
  type TransformRegistry,
} from '@signalpost/transforms';
import { SecretUnavailableError, resolveSecrets } from './resolve-secrets';

/** Raised when a transform fails; the delivery is dead-lettered `transform_failed`. */
export class TransformFailedError extends Error {
  readonly code = 'SIGNALPOST_ERR_TRANSFORM_FAILED';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransformFailedError';
  }
}

/** Services request building needs besides the job and the target. */
export interface RequestBuilderDependencies {
  readonly transforms: TransformRegistry;
  readonly expressions: ExpressionCache;
  readonly userAgent: string;
}

/**
 * Builds the body and headers of one attempt: the transformed payload or the
 * signal per `format`, Signalpost's headers, the target's headers and a fresh
 * signature over the exact body bytes.
 */
export async function buildRequest(
  dependencies: RequestBuilderDependencies,
  job: DeliveryJobData,
  target: WebhookTarget,
  subscriptionVersion: number,
): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const cachePrefix = `${job.subscriptionId}@${subscriptionVersion}:${target.id}`;
  const encoded = await encodeBody(dependencies, job, target, cachePrefix);
  const headers: Record<string, string> = {
    ...target.headers,
    ...encoded.headers,
    'user-agent': dependencies.userAgent,
    'x-signalpost-delivery-id': job.deliveryId,
  };
  if (target.idempotencyKey) {
    const compiled = dependencies.expressions.getOrCompile(
      `${cachePrefix}:idempotencyKey`,
      target.idempotencyKey,
      'idempotencyKey',
    );
    headers['idempotency-key'] = await evaluateKey(compiled, job.signal);
  }
  const secrets = await resolveSecrets(target.secret);
  let signature: Record<string, string>;
  try {
    signature = signRequest({
      scheme: target.signature,
      secrets,
      webhookId: job.webhookId,
      timestampSec: Math.floor(Date.now() / 1000),
      body: encoded.body,
      eventType: job.signal.type,
      signatureHeader: target.signatureHeader,
    });
  } catch (error) {
    // A secret from the environment or a file is only checked here, at the
    // attempt; SigningError messages never carry the secret.
    if (!(error instanceof SigningError)) throw error;
    throw new SecretUnavailableError(
      `the secret from ${describeSources(target)} cannot sign with ${target.signature}: ${error.message}`,
    );
  }
  return { headers: { ...headers, ...signature }, body: encoded.body };
}

async function encodeBody(
  dependencies: RequestBuilderDependencies,
  job: DeliveryJobData,
  target: WebhookTarget,
  cachePrefix: string,
): Promise<{ headers: Record<string, string>; body: Buffer }> {
  if (!target.transform) return encodeSignal(job.signal, target.format);
  let payload: unknown;
  try {
    if ('name' in target.transform) {
      const transform = dependencies.transforms.get(target.transform.name);
      if (!transform)
        throw new Error(`unknown transform ${target.transform.name}`);
      payload = transform(job.signal);
    } else {
      const compiled = dependencies.expressions.getOrCompile(
        `${cachePrefix}:transform`,
        target.transform.jsonata,
        'transform',
      );
      payload = await evaluate(compiled, job.signal);
    }
  } catch (error) {
    throw new TransformFailedError(
      `transform failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const body = Buffer.from(JSON.stringify(payload ?? null), 'utf8');
  return { headers: { 'content-type': 'application/json' }, body };
}

/** Names where a target's secrets come from, never their values. */
function describeSources(target: WebhookTarget): string {
  const names = (target.secret ?? []).map((source) => {
    if (typeof source === 'string') return 'the subscription';
    return 'env' in source
      ? `environment variable ${source.env}`
      : `file ${source.file}`;
  });
  return [...new Set(names)].join(', ');
}
