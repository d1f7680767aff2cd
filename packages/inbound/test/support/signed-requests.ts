import { createHmac } from 'node:crypto';

import Stripe from 'stripe';
import { Webhook } from 'svix';

import type { InboundHeaders, InboundRequest, VerifyResult } from '../../src';

/** Arrival time used by every test request, in unix seconds. */
export const NOW_SEC = 1_700_000_000;

export const STRIPE_SECRET = 'whsec_stripe-endpoint-secret-for-tests';
export const GITHUB_SECRET = "It's a Secret to Everybody";
export const HMAC_SECRET = 'generic-hmac-secret-for-tests';
export const STANDARD_SECRET = `whsec_${Buffer.from('fixed 24-byte test key!!').toString('base64')}`;
export const OTHER_STANDARD_SECRET = `whsec_${Buffer.from('another 24-byte test key').toString('base64')}`;

const stripe = new Stripe('sk_test_x');

/** Builds a `Stripe-Signature` header with Stripe's own library. */
export function stripeHeader(
  payload: string,
  secret = STRIPE_SECRET,
  timestampSec = NOW_SEC,
): string {
  return stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    timestamp: timestampSec,
  });
}

/** Extracts the v1 hex signature from a Stripe header. */
export function stripeV1(header: string): string {
  const item = header.split(',').find((part) => part.startsWith('v1='));
  if (!item) throw new Error(`no v1 item in ${header}`);
  return item.slice('v1='.length);
}

/** Signs with the svix library and returns the `v1,<base64>` entry. */
export function svixSignature(
  payload: string,
  messageId: string,
  timestampSec = NOW_SEC,
  secret = STANDARD_SECRET,
): string {
  const date = new Date(timestampSec * 1000);
  return new Webhook(secret).sign(messageId, date, payload);
}

/** HMAC-SHA256 of the body keyed by the secret's UTF-8 bytes. */
export function hmacDigest(secret: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/** Builds a request with the body as UTF-8 bytes. */
export function inboundRequest(
  headers: InboundHeaders,
  body: string | Buffer,
  nowSec = NOW_SEC,
): InboundRequest {
  const rawBody = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { headers, rawBody, nowSec };
}

/** Returns the rejection code, or `ok` for a verified request. */
export function outcome(result: VerifyResult): string {
  return result.ok ? 'ok' : result.code;
}

/** Returns the rejection message, or an empty string for a verified request. */
export function messageOf(result: VerifyResult): string {
  return result.ok ? '' : result.message;
}
