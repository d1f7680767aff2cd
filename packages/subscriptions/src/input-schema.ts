import { z } from 'zod';

const secretSource = z.union([
  z.string().min(1),
  z.strictObject({
    env: z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]*$/,
        'expected an environment variable name',
      ),
  }),
  z.strictObject({ file: z.string().min(1) }),
]);

const throttle = z.strictObject({
  key: z.string().min(1),
  maxCalls: z.number().int().min(1),
  windowMs: z
    .number()
    .int()
    .min(1)
    .max(31 * 86_400_000),
});

const targetCommon = {
  id: z
    .string()
    .regex(
      /^[A-Za-z0-9._:#-]{1,160}$/,
      'expected 1 to 160 characters of [A-Za-z0-9._:#-]',
    )
    .optional(),
  deadLetterQueue: z
    .string()
    .regex(
      /^[A-Za-z0-9._-]{1,64}$/,
      'expected 1 to 64 characters of [A-Za-z0-9._-]',
    )
    .optional(),
  throttle: throttle.optional(),
  // The server sets it after a 410 Gone; a client may send it back unchanged.
  disabled: z.unknown().optional(),
};

const webhookFields = {
  adapter: z.literal('webhook'),
  url: z.string({ error: 'url is required' }).min(1).max(2048),
  method: z.enum(['POST', 'PUT', 'PATCH']).optional(),
  headers: z
    .record(
      z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'invalid header name'),
      z.string().max(4096),
    )
    .optional(),
  format: z
    .enum(['json', 'cloudevents-structured', 'cloudevents-binary'])
    .optional(),
  timeoutMs: z.number().int().min(1).max(60_000).optional(),
  secret: z
    .union([secretSource, z.array(secretSource).min(1).max(5), z.null()])
    .optional(),
  signature: z.enum(['standard-webhooks', 'hmac-sha256', 'jido']).optional(),
  signatureHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'invalid header name')
    .optional(),
  transform: z
    .union([
      z.strictObject({ name: z.string().min(1) }),
      z.strictObject({ jsonata: z.string().min(1).max(10_000) }),
    ])
    .optional(),
  retry: z.record(z.string(), z.unknown()).optional(),
  circuitBreaker: z
    .strictObject({
      failureThreshold: z.number().int().min(1).max(10_000).optional(),
      errorThresholdPercentage: z.number().min(1).max(100).optional(),
      failureWindowMs: z.number().int().min(100).max(86_400_000).optional(),
      recoveryTimeoutMs: z.number().int().min(100).max(86_400_000).optional(),
      halfOpenMaxCalls: z.number().int().min(1).max(100).optional(),
    })
    .optional(),
  maxInFlight: z.number().int().min(1).max(10_000).optional(),
  rateLimit: z
    .strictObject({
      requests: z.number().int().min(1),
      windowMs: z.number().int().min(1).max(86_400_000),
      burst: z.number().int().min(1).optional(),
      key: z
        .string()
        .regex(/^[A-Za-z0-9._:#-]{1,128}$/)
        .optional(),
    })
    .optional(),
  idempotencyKey: z.string().min(1).max(2000).optional(),
  ...targetCommon,
};

const simpleTargets = [
  z.strictObject({
    adapter: z.literal('logger'),
    level: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
      .optional(),
    ...targetCommon,
  }),
  z.strictObject({ adapter: z.literal('console'), ...targetCommon }),
  z.strictObject({ adapter: z.literal('noop'), ...targetCommon }),
] as const;

const fallbackTarget = z.discriminatedUnion('adapter', [
  z.strictObject(webhookFields),
  ...simpleTargets,
]);

/** A dispatch target as a client sends it. */
export const targetInputSchema = z.discriminatedUnion('adapter', [
  z.strictObject({ ...webhookFields, fallback: fallbackTarget.optional() }),
  ...simpleTargets.map((schema) =>
    schema.extend({ fallback: fallbackTarget.optional() }),
  ),
]);

/** A subscription as a client sends it. */
export const subscriptionInputSchema = z.strictObject({
  id: z
    .string()
    .regex(
      /^[A-Za-z0-9._:-]{1,128}$/,
      'expected 1 to 128 characters of [A-Za-z0-9._:-]',
    )
    .optional(),
  pattern: z.string({ error: 'pattern is required' }),
  enabled: z.boolean().optional(),
  filter: z.union([z.string().min(1).max(10_000), z.null()]).optional(),
  dispatch: z.union([
    targetInputSchema,
    z.array(targetInputSchema).min(1).max(20),
  ]),
  // Read-only fields a client may echo back from a GET.
  managedBy: z.unknown().optional(),
  version: z.unknown().optional(),
  createdAt: z.unknown().optional(),
  updatedAt: z.unknown().optional(),
});

export type TargetInput = z.infer<typeof targetInputSchema>;
export type SubscriptionInput = z.infer<typeof subscriptionInputSchema>;
