import { z } from 'zod';

import type { InboundSourceConfig } from './inbound-config';
import {
  InboundConfigError,
  type InboundConfigIssue,
} from './inbound-config-error';
import { INBOUND_DEFAULTS } from './inbound-defaults';
import {
  MAX_SOURCE_NAME_LENGTH,
  MAX_TYPE_LENGTH,
  MAX_TYPE_SEGMENTS,
  TYPE_SEGMENT_PATTERN,
} from './signal-limits';
import {
  decodeStandardWebhooksSecret,
  STANDARD_WEBHOOKS_SECRET_RULE,
} from './standard-webhooks-secret';

const MAX_TOLERANCE_SEC = 86_400;
const SOURCE_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_PATH_PATTERN = /^[^.]+(?:\.[^.]+)*$/;
const MAX_ECHOED_CHARS = 40;

// The prefix leaves room for a dot and at least one segment of event type.
const MAX_PREFIX_LENGTH = MAX_TYPE_LENGTH - 2;
const MAX_PREFIX_SEGMENTS = MAX_TYPE_SEGMENTS - 1;

const SECRET_RULE =
  'must be a non-empty string or a non-empty list of non-empty strings';
const TYPE_PREFIX_RULE = `must be dot-separated segments of letters, digits, _ and -, at most ${MAX_PREFIX_LENGTH} characters and ${MAX_PREFIX_SEGMENTS} segments`;
const TOLERANCE_RULE = `must be a whole number of seconds from 0 to ${MAX_TOLERANCE_SEC}`;
const HEADER_NAME_RULE = 'must be an HTTP header name';
const FIELD_PATH_RULE =
  'must be a dot path of non-empty keys, such as event.type';

// Secret rules never quote the value, unlike the others.
const nonEmptySecret = z.string({ error: SECRET_RULE }).min(1, SECRET_RULE);
const secretList = z.array(nonEmptySecret).min(1, SECRET_RULE);
const toleranceError = { error: ruleWithValue(TOLERANCE_RULE) };

const commonShape = {
  secret: z.union([nonEmptySecret, secretList], { error: SECRET_RULE }),
  typePrefix: z
    .string({ error: ruleWithValue(TYPE_PREFIX_RULE) })
    .refine(isValidTypePrefix, { error: ruleWithValue(TYPE_PREFIX_RULE) }),
  toleranceSec: z
    .number(toleranceError)
    .int(toleranceError)
    .min(0, toleranceError)
    .max(MAX_TOLERANCE_SEC, toleranceError)
    .default(INBOUND_DEFAULTS.toleranceSec),
};

const headerName = z
  .string({ error: ruleWithValue(HEADER_NAME_RULE) })
  .regex(HEADER_NAME_PATTERN, { error: ruleWithValue(HEADER_NAME_RULE) })
  .transform((name) => name.toLowerCase());

const fieldPath = z
  .string({ error: ruleWithValue(FIELD_PATH_RULE) })
  .regex(FIELD_PATH_PATTERN, { error: ruleWithValue(FIELD_PATH_RULE) });

const sourceSchema = z.discriminatedUnion('verifier', [
  z.strictObject({ verifier: z.literal('stripe'), ...commonShape }),
  z.strictObject({ verifier: z.literal('github'), ...commonShape }),
  z
    .strictObject({ verifier: z.literal('standard-webhooks'), ...commonShape })
    .superRefine(requireWhsecSecrets),
  z
    .strictObject({
      verifier: z.literal('hmac-sha256'),
      ...commonShape,
      header: headerName,
      typeField: fieldPath.optional(),
      typeHeader: headerName.optional(),
      idField: fieldPath.optional(),
      idHeader: headerName.optional(),
    })
    .superRefine(requireEventKeySources),
]);

const VERIFIER_NAMES: readonly unknown[] = sourceSchema.options.map(
  (schema) => schema.shape.verifier.value,
);

/**
 * Validates the configuration of the inbound source `name` and returns it
 * frozen, with `toleranceSec` defaulted and header names lower-cased.
 *
 * @throws InboundConfigError listing every invalid key as
 * `inbound.<name>.<key>`. Messages never contain a secret.
 */
export function parseInboundConfig(
  name: string,
  raw: unknown,
): InboundSourceConfig {
  const root = `inbound.${name}`;
  const shapeIssue = findShapeIssue(root, name, raw);
  if (shapeIssue) throw new InboundConfigError([shapeIssue]);

  const result = sourceSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue) =>
      toIssues(root, issue),
    );
    throw new InboundConfigError(issues);
  }
  return freezeConfig(result.data);
}

// Checks what the schema would report badly: its message for a wrong
// `verifier` quotes the whole object, secret included.
function findShapeIssue(
  root: string,
  name: string,
  raw: unknown,
): InboundConfigIssue | undefined {
  const validName =
    SOURCE_NAME_PATTERN.test(name) && name.length <= MAX_SOURCE_NAME_LENGTH;
  if (!validName) {
    const rule = `the source name must be 1 to ${MAX_SOURCE_NAME_LENGTH} letters, digits, _ or -`;
    return { key: root, message: `${rule}, got ${describeValue(name)}` };
  }
  if (!isPlainObject(raw)) {
    // Only the kind of value is named: a bare string here is often the secret.
    return {
      key: root,
      message: `must be an object, got ${describeKind(raw)}`,
    };
  }
  if (VERIFIER_NAMES.includes(raw.verifier)) return undefined;

  const rule = `must be one of ${VERIFIER_NAMES.join(', ')}`;
  const message = `${rule}, got ${describeValue(raw.verifier)}`;
  return { key: `${root}.verifier`, message };
}

function isValidTypePrefix(prefix: string): boolean {
  const segments = prefix.split('.');
  return (
    prefix.length <= MAX_PREFIX_LENGTH &&
    segments.length <= MAX_PREFIX_SEGMENTS &&
    segments.every((segment) => TYPE_SEGMENT_PATTERN.test(segment))
  );
}

function requireWhsecSecrets(
  config: { secret: string | string[] },
  context: z.RefinementCtx,
): void {
  const { secret } = config;
  const secrets = typeof secret === 'string' ? [secret] : secret;
  secrets.forEach((value, index) => {
    if (decodeStandardWebhooksSecret(value)) return;

    const path = typeof secret === 'string' ? ['secret'] : ['secret', index];
    const message = STANDARD_WEBHOOKS_SECRET_RULE;
    context.addIssue({ code: 'custom', path, message });
  });
}

function requireEventKeySources(
  config: Partial<Record<EventKeyOption, string>>,
  context: z.RefinementCtx,
): void {
  requireExactlyOne(config, ['typeField', 'typeHeader'], context);
  requireExactlyOne(config, ['idField', 'idHeader'], context);
}

type EventKeyOption = 'typeField' | 'typeHeader' | 'idField' | 'idHeader';

function requireExactlyOne(
  config: Partial<Record<EventKeyOption, string>>,
  [fieldKey, headerKey]: [EventKeyOption, EventKeyOption],
  context: z.RefinementCtx,
): void {
  const hasField = config[fieldKey] !== undefined;
  const hasHeader = config[headerKey] !== undefined;
  if (hasField !== hasHeader) return;

  const message = `set exactly one of ${fieldKey} and ${headerKey}`;
  context.addIssue({ code: 'custom', path: [fieldKey], message });
}

function toIssues(root: string, issue: z.core.$ZodIssue): InboundConfigIssue[] {
  const key = [root, ...issue.path.map(String)].join('.');
  if (issue.code !== 'unrecognized_keys') {
    return [{ key, message: issue.message }];
  }

  return issue.keys.map((unknownKey) => ({
    key: `${key}.${unknownKey}`,
    message: 'is not an option of this verifier',
  }));
}

function ruleWithValue(rule: string): (issue: { input: unknown }) => string {
  return (issue) => `${rule}, got ${describeValue(issue.input)}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return `${value}n`;

  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= MAX_ECHOED_CHARS) return text;
  return `${text.slice(0, MAX_ECHOED_CHARS)}...`;
}

function describeKind(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function freezeConfig(config: InboundSourceConfig): InboundSourceConfig {
  if (Array.isArray(config.secret)) Object.freeze(config.secret);
  return Object.freeze(config);
}
