import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { resolveRetryPolicy } from '@signalpost/delivery-policy';
import { checkTargetAtSave, type AllowRule } from '@signalpost/net-guard';
import { parsePattern } from '@signalpost/patterns';
import { signatureHeadersFor, validateSecret } from '@signalpost/signing';
import { compileExpression } from '@signalpost/transforms';
import { DEFAULT_DEAD_LETTER_QUEUE } from '@signalpost/queues';
import { subscriptionInputSchema, type TargetInput } from './input-schema';
import type {
  CircuitBreakerOptions,
  SecretSource,
  Subscription,
  Target,
  WebhookTarget,
} from './subscription';

/** A rule a subscription breaks, with the field path at fault. */
export interface SubscriptionIssue {
  readonly path: string;
  readonly message: string;
}

/** Origin and settings the validator checks a subscription against. */
export interface ValidationContext {
  /** `api` restricts env and file secrets; the config file may name any. */
  readonly origin: 'api' | 'config';
  readonly allowRules: readonly AllowRule[];
  /** Directory of API-given file secrets; unset means no file secrets. */
  readonly secretsDir: string | undefined;
  /** Names of the transforms the workers know. */
  readonly transformNames: ReadonlySet<string>;
  /** The stored subscription a PUT replaces, for secrets it omits. */
  readonly existing?: Subscription;
  /** Id from the route, for PUT. */
  readonly id?: string;
  readonly newId: () => string;
  readonly now: () => Date;
  /** Resolves a host name at save; injectable for tests. */
  readonly resolveHost?: Parameters<typeof checkTargetAtSave>[2];
}

export type ValidationResult =
  | { readonly ok: true; readonly subscription: Subscription }
  | { readonly ok: false; readonly issues: readonly SubscriptionIssue[] };

const RESERVED_HEADERS = [
  'content-type',
  'content-length',
  'host',
  'user-agent',
  'x-signalpost-delivery-id',
];

/** Circuit breaker defaults of every webhook target. */
export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerOptions = Object.freeze({
  failureThreshold: 5,
  errorThresholdPercentage: 50,
  failureWindowMs: 60_000,
  recoveryTimeoutMs: 300_000,
  halfOpenMaxCalls: 1,
});

/**
 * Validates a subscription as a client or the config file sends it and
 * fills in the defaults. Every rule broken is reported with its path.
 */
export async function validateSubscription(
  raw: unknown,
  context: ValidationContext,
): Promise<ValidationResult> {
  const shapeIssues = [...checkAdapters(raw), ...checkHiddenSecrets(raw)];
  if (shapeIssues.length > 0) return { ok: false, issues: shapeIssues };
  const parsed = subscriptionInputSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: describeIssue(issue),
      })),
    };
  }
  const input = parsed.data;
  const issues: SubscriptionIssue[] = [];
  const id =
    context.id ?? input.id ?? context.existing?.id ?? `sub_${context.newId()}`;
  if (
    context.id !== undefined &&
    input.id !== undefined &&
    input.id !== context.id
  ) {
    issues.push({
      path: 'id',
      message: `id ${input.id} does not match the id in the path, ${context.id}`,
    });
  }

  const pattern = parsePattern(input.pattern);
  if (!pattern.ok) issues.push({ path: 'pattern', message: pattern.message });
  if (typeof input.filter === 'string')
    checkExpression(input.filter, 'filter', 'filter', issues);

  const inputs = Array.isArray(input.dispatch)
    ? input.dispatch
    : [input.dispatch];
  const dispatch: Target[] = [];
  for (const [index, target] of inputs.entries()) {
    const where = `dispatch[${index}]`;
    const previous = context.existing?.dispatch.find(
      (stored) => stored.id === (target.id ?? `${id}#${index}`),
    );
    const normalized = await normalizeTarget(
      target,
      `${id}#${index}`,
      where,
      previous,
      context,
      issues,
    );
    if (normalized) dispatch.push(normalized);
  }
  const ids = dispatch.map((target) => target.id);
  if (new Set(ids).size !== ids.length)
    issues.push({ path: 'dispatch', message: 'target ids must be unique' });
  if (issues.length > 0) return { ok: false, issues };

  const now = context.now().toISOString();
  const subscription: Subscription = {
    id,
    pattern: input.pattern,
    enabled: input.enabled ?? true,
    ...(typeof input.filter === 'string' ? { filter: input.filter } : {}),
    dispatch,
    managedBy: context.origin,
    version: (context.existing?.version ?? 0) + 1,
    createdAt: context.existing?.createdAt ?? now,
    updatedAt: now,
  };
  return { ok: true, subscription };
}

async function normalizeTarget(
  input: TargetInput | NonNullable<TargetInput['fallback']>,
  defaultId: string,
  where: string,
  previous: Target | undefined,
  context: ValidationContext,
  issues: SubscriptionIssue[],
): Promise<Target | undefined> {
  const base = {
    id: input.id ?? defaultId,
    deadLetterQueue: input.deadLetterQueue ?? DEFAULT_DEAD_LETTER_QUEUE,
    ...(input.throttle ? { throttle: input.throttle } : {}),
  };
  if (input.throttle)
    checkExpression(
      input.throttle.key,
      'throttleKey',
      `${where}.throttle.key`,
      issues,
    );

  let fallback: Target | undefined;
  if ('fallback' in input && input.fallback) {
    const previousFallback =
      previous && 'fallback' in previous ? previous.fallback : undefined;
    fallback = await normalizeTarget(
      input.fallback,
      `${base.id}/fallback`,
      `${where}.fallback`,
      previousFallback,
      context,
      issues,
    );
  }
  const withFallback = fallback ? { fallback } : {};

  switch (input.adapter) {
    case 'logger':
      return {
        ...base,
        adapter: 'logger',
        level: input.level ?? 'info',
        ...withFallback,
      };
    case 'console':
      return { ...base, adapter: 'console', ...withFallback };
    case 'noop':
      return { ...base, adapter: 'noop', ...withFallback };
    case 'webhook': {
      const previousWebhook =
        previous?.adapter === 'webhook' ? previous : undefined;
      const webhook = await normalizeWebhook(
        input,
        base,
        where,
        previousWebhook,
        context,
        issues,
      );
      return webhook ? { ...webhook, ...withFallback } : undefined;
    }
  }
}

async function normalizeWebhook(
  input: Extract<
    TargetInput | NonNullable<TargetInput['fallback']>,
    { adapter: 'webhook' }
  >,
  base: { id: string; deadLetterQueue: string },
  where: string,
  previous: WebhookTarget | undefined,
  context: ValidationContext,
  issues: SubscriptionIssue[],
): Promise<WebhookTarget | undefined> {
  const signature = input.signature ?? 'standard-webhooks';
  const signatureHeader = input.signatureHeader ?? 'X-Signature-256';
  const before = issues.length;

  const reachable = await checkTargetAtSave(
    input.url,
    context.allowRules,
    context.resolveHost,
  );
  if (!reachable.ok)
    issues.push({ path: `${where}.url`, message: reachable.reason });

  const headers = normalizeHeaders(
    input.headers ?? {},
    signature,
    signatureHeader,
    `${where}.headers`,
    issues,
  );
  const secret = await resolveSecretInput(
    input.secret,
    previous?.secret,
    signature,
    `${where}.secret`,
    context,
    issues,
  );

  const retry = resolveRetryPolicy(input.retry ?? {});
  if (!retry.ok) {
    for (const issue of retry.issues)
      issues.push({ path: `${where}.${issue.path}`, message: issue.message });
  }
  checkTransform(input.transform, `${where}.transform`, context, issues);
  if (input.idempotencyKey)
    checkExpression(
      input.idempotencyKey,
      'idempotencyKey',
      `${where}.idempotencyKey`,
      issues,
    );
  if (input.rateLimit?.burst !== undefined && input.rateLimit.burst < 1) {
    issues.push({
      path: `${where}.rateLimit.burst`,
      message: 'burst must be at least 1',
    });
  }
  if (issues.length > before || !retry.ok) return undefined;

  return {
    ...base,
    adapter: 'webhook',
    url: input.url,
    method: input.method ?? 'POST',
    headers,
    format: input.format ?? 'json',
    timeoutMs: input.timeoutMs ?? 10_000,
    ...(secret ? { secret } : {}),
    signature,
    // Other schemes have fixed headers, so their targets leave it out even
    // when a client sends it back from an older record.
    ...(signature === 'hmac-sha256' ? { signatureHeader } : {}),
    ...(input.transform ? { transform: input.transform } : {}),
    retry: retry.policy,
    circuitBreaker: { ...DEFAULT_CIRCUIT_BREAKER, ...input.circuitBreaker },
    maxInFlight: input.maxInFlight ?? 10,
    ...(input.rateLimit ? { rateLimit: input.rateLimit } : {}),
    ...(input.throttle ? { throttle: input.throttle } : {}),
    ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
  };
}

function normalizeHeaders(
  headers: Record<string, string>,
  scheme: 'standard-webhooks' | 'hmac-sha256' | 'jido',
  signatureHeader: string,
  where: string,
  issues: SubscriptionIssue[],
): Record<string, string> {
  const reserved = new Set([
    ...RESERVED_HEADERS,
    ...signatureHeadersFor(scheme, signatureHeader).map((name) =>
      name.toLowerCase(),
    ),
  ]);
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'])
    reserved.add(name);
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (reserved.has(lower) || lower.startsWith('ce-')) {
      issues.push({
        path: `${where}.${name}`,
        message: `header ${name} is set by Signalpost and cannot be overridden`,
      });
    } else if (/[\r\n\0]/.test(value)) {
      issues.push({
        path: `${where}.${name}`,
        message: 'header values may not contain line breaks or NUL',
      });
    } else {
      result[lower] = value;
    }
  }
  return result;
}

async function resolveSecretInput(
  input: unknown,
  previous: readonly SecretSource[] | undefined,
  scheme: 'standard-webhooks' | 'hmac-sha256' | 'jido',
  where: string,
  context: ValidationContext,
  issues: SubscriptionIssue[],
): Promise<SecretSource[] | undefined> {
  if (input === undefined) return previous ? [...previous] : undefined;
  if (input === null) return undefined;
  const sources = (Array.isArray(input) ? input : [input]) as SecretSource[];
  const checked: SecretSource[] = [];
  for (const [index, source] of sources.entries()) {
    const path = sources.length > 1 ? `${where}[${index}]` : where;
    const result = await checkSecretSource(source, scheme, context);
    if (typeof result === 'string') issues.push({ path, message: result });
    else checked.push(result.source);
  }
  return checked;
}

/**
 * Checks one secret source; returns the problem, or the source to store. A
 * file given through the API must resolve, symlinks followed, to a regular
 * file inside SIGNALPOST_SECRETS_DIR, and is stored as an absolute path so
 * the worker reads the file that was checked.
 */
async function checkSecretSource(
  source: SecretSource,
  scheme: 'standard-webhooks' | 'hmac-sha256' | 'jido',
  context: ValidationContext,
): Promise<string | { source: SecretSource }> {
  if (typeof source === 'string')
    return validateSecret(scheme, source) ?? { source };
  if ('env' in source) {
    if (
      context.origin === 'api' &&
      !source.env.startsWith('SIGNALPOST_SECRET_')
    ) {
      return 'secrets given through the API may only name environment variables that start with SIGNALPOST_SECRET_';
    }
    return { source };
  }
  if (context.origin === 'config') return { source };
  if (!context.secretsDir)
    return 'file secrets need SIGNALPOST_SECRETS_DIR to be set on the API';
  const lexicalRoot = path.resolve(context.secretsDir);
  const lexical = path.resolve(lexicalRoot, source.file);
  if (!lexical.startsWith(lexicalRoot + path.sep))
    return 'secret file must be inside SIGNALPOST_SECRETS_DIR';
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(lexicalRoot);
    real = await realpath(lexical);
  } catch {
    return 'secret file does not exist';
  }
  if (!real.startsWith(realRoot + path.sep))
    return 'secret file must be inside SIGNALPOST_SECRETS_DIR';
  const stats = await lstat(real);
  if (!stats.isFile()) return 'secret file must be a regular file';
  if (stats.size > 4096) return 'secret file must be at most 4 KiB';
  // The path inside the directory is kept, not its target, so a Kubernetes
  // secret volume that swaps its symlinks on update still resolves.
  return { source: { file: lexical } };
}

function checkTransform(
  transform: { name: string } | { jsonata: string } | undefined,
  where: string,
  context: ValidationContext,
  issues: SubscriptionIssue[],
): void {
  if (!transform) return;
  if ('name' in transform) {
    if (!context.transformNames.has(transform.name)) {
      const known = [...context.transformNames].sort().join(', ');
      issues.push({
        path: `${where}.name`,
        message: `unknown transform ${transform.name}; known: ${known}`,
      });
    }
    return;
  }
  checkExpression(transform.jsonata, 'transform', `${where}.jsonata`, issues);
}

function checkExpression(
  source: string,
  purpose: 'transform' | 'filter' | 'idempotencyKey' | 'throttleKey',
  where: string,
  issues: SubscriptionIssue[],
): void {
  try {
    compileExpression(source, purpose);
  } catch (error) {
    issues.push({ path: where, message: (error as Error).message });
  }
}

const ADAPTERS = ['webhook', 'logger', 'console', 'noop'];

/**
 * Calls `visit` with each object among the raw input's targets and their
 * fallbacks, and its path, before the schema has checked their shape.
 */
function forEachRawTarget(
  raw: unknown,
  visit: (path: string, target: object) => void,
): void {
  const dispatch = (raw as { dispatch?: unknown } | null)?.dispatch;
  const targets = Array.isArray(dispatch) ? dispatch : [dispatch];
  targets.forEach((target, index) => {
    const where = Array.isArray(dispatch) ? `dispatch[${index}]` : 'dispatch';
    const fallback = (target as { fallback?: unknown } | null)?.fallback;
    for (const [path, value] of [
      [where, target],
      [`${where}.fallback`, fallback],
    ] as const) {
      if (typeof value === 'object' && value !== null) visit(path, value);
    }
  });
}

/** Names an unknown adapter, which the schema would report only as an invalid union. */
function checkAdapters(raw: unknown): SubscriptionIssue[] {
  const issues: SubscriptionIssue[] = [];
  forEachRawTarget(raw, (path, target) => {
    const adapter = (target as { adapter?: unknown }).adapter;
    if (typeof adapter === 'string' && ADAPTERS.includes(adapter)) return;
    const shown =
      adapter === undefined
        ? 'no adapter'
        : `unknown adapter ${JSON.stringify(adapter)}`;
    issues.push({
      path: `${path}.adapter`,
      message: `${shown}; expected one of ${ADAPTERS.join(', ')}`,
    });
  });
  return issues;
}

/**
 * Finds secrets in the form the API shows them, `{"set": true, ...}`,
 * which a subscription read back and saved unchanged carries. The schema
 * would report them as "Invalid input" at `dispatch`, without the field.
 */
function checkHiddenSecrets(raw: unknown): SubscriptionIssue[] {
  const issues: SubscriptionIssue[] = [];
  forEachRawTarget(raw, (path, target) => {
    const secret = (target as { secret?: unknown }).secret;
    const sources = Array.isArray(secret) ? secret : [secret];
    if (!sources.some(isHiddenSecret)) return;
    issues.push({
      path: `${path}.secret`,
      message:
        'a secret as the API shows it ({"set": true}) cannot be saved; give the secret itself, {"env": "NAME"} or {"file": "/path"}',
    });
  });
  return issues;
}

function isHiddenSecret(source: unknown): boolean {
  return typeof source === 'object' && source !== null && 'set' in source;
}

/** The fields of a zod issue that {@link describeIssue} reads. */
interface SchemaIssue {
  readonly code: string;
  readonly message: string;
  readonly origin?: string;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly inclusive?: boolean;
}

/**
 * Rewrites the message of a broken bound as `must be at most 60000`, in
 * place of zod's `Too big: expected number to be <=60000`. Other issues,
 * and bounds with a message set in the schema, keep their message.
 */
function describeIssue(issue: SchemaIssue): string {
  const tooBig = issue.code === 'too_big';
  if (!tooBig && issue.code !== 'too_small') return issue.message;
  // Only zod's own text is replaced, so a message set in the schema stays.
  if (!/^Too (big|small):/.test(issue.message)) return issue.message;
  const bound = String(tooBig ? issue.maximum : issue.minimum);
  const inclusive = issue.inclusive !== false;
  let limit: string;
  if (tooBig) limit = inclusive ? `at most ${bound}` : `below ${bound}`;
  else limit = inclusive ? `at least ${bound}` : `above ${bound}`;
  if (issue.origin === 'number') return `must be ${limit}`;
  const plural = bound === '1' ? '' : 's';
  if (issue.origin === 'string') return `must have ${limit} character${plural}`;
  if (issue.origin === 'array') return `must have ${limit} item${plural}`;
  return issue.message;
}

function formatPath(segments: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of segments) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}
