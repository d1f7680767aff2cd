import { type EventKeys, identifyEvent } from './event-keys';
import { InboundConfigError } from './inbound-config-error';
import type { InboundSourceConfig } from './inbound-config';
import { parseJsonBody } from './json-body';
import {
  type InboundRequest,
  type VerifyFailure,
  type VerifyResult,
} from './verify-result';
import { checkGithubSignature, readGithubEventKeys } from './verifiers/github';
import {
  checkHmacSha256Signature,
  readHmacSha256EventKeys,
} from './verifiers/hmac-sha256';
import {
  checkStandardWebhooksSignature,
  readStandardWebhooksEventKeys,
} from './verifiers/standard-webhooks';
import { checkStripeSignature, readStripeEventKeys } from './verifiers/stripe';

/**
 * Verifies the signature of an inbound webhook request against the raw body
 * bytes. Only after the signature passes is the body parsed as JSON and the
 * event type and id read. Malformed request content always yields a
 * rejection, never an exception.
 *
 * @throws InboundConfigError only for a configuration that
 * `parseInboundConfig` would have rejected.
 */
export function verifyInbound(
  config: InboundSourceConfig,
  request: InboundRequest,
): VerifyResult {
  const failure = checkSignature(config, request);
  if (failure) return failure;

  const body = parseJsonBody(request.rawBody);
  if (!body.ok) return body;
  const keys = readEventKeys(config, request, body.payload);
  return identifyEvent(keys, body.payload);
}

function checkSignature(
  config: InboundSourceConfig,
  request: InboundRequest,
): VerifyFailure | undefined {
  switch (config.verifier) {
    case 'stripe':
      return checkStripeSignature(config, request);
    case 'github':
      return checkGithubSignature(config, request);
    case 'standard-webhooks':
      return checkStandardWebhooksSignature(config, request);
    case 'hmac-sha256':
      return checkHmacSha256Signature(config, request);
    default:
      return rejectUnknownVerifier(config);
  }
}

function readEventKeys(
  config: InboundSourceConfig,
  request: InboundRequest,
  payload: unknown,
): EventKeys {
  switch (config.verifier) {
    case 'stripe':
      return readStripeEventKeys(payload);
    case 'github':
      return readGithubEventKeys(request.headers);
    case 'standard-webhooks':
      return readStandardWebhooksEventKeys(request.headers, payload);
    case 'hmac-sha256':
      return readHmacSha256EventKeys(config, request, payload);
    default:
      return rejectUnknownVerifier(config);
  }
}

function rejectUnknownVerifier(config: never): never {
  const verifier = String((config as { verifier?: unknown }).verifier);
  throw new InboundConfigError([
    {
      key: 'verifier',
      message: `unknown verifier ${JSON.stringify(verifier)}`,
    },
  ]);
}
