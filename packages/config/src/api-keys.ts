import { createHash } from 'node:crypto';
import { ConfigError } from './config-error';

/** Scopes an API key may carry; `admin` implies every other. */
export const SCOPES = [
  'signals:publish',
  'signals:read',
  'subscriptions:read',
  'subscriptions:write',
  'admin',
] as const;

export type Scope = (typeof SCOPES)[number];

/** An API key as held in memory: only its SHA-256, never the key. */
export interface ApiKeyEntry {
  /** Hex SHA-256 of the key's UTF-8 bytes. */
  readonly sha256: string;
  readonly scopes: readonly Scope[];
}

/** Hex SHA-256 of a key, as stored and compared. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Parses `SIGNALPOST_API_KEYS`: `<key>=<scope>[+<scope>...]`, comma-separated.
 */
export function parseApiKeysVariable(text: string): ApiKeyEntry[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry, index) => {
      const separator = entry.lastIndexOf('=');
      const key = separator > 0 ? entry.slice(0, separator) : '';
      const scopes = separator > 0 ? entry.slice(separator + 1) : '';
      const where = `SIGNALPOST_API_KEYS[${index}]`;
      if (key.length < 8) {
        throw new ConfigError(
          where,
          'expected <key>=<scope>[+<scope>...] with a key of at least 8 characters',
        );
      }
      return {
        sha256: hashApiKey(key),
        scopes: parseScopes(scopes.split('+'), where),
      };
    });
}

/** Parses the config file's `apiKeys`: `[{"key" or "sha256", "scopes"}]`. */
export function parseApiKeysFile(value: unknown): ApiKeyEntry[] {
  if (!Array.isArray(value))
    throw new ConfigError('apiKeys', 'expected a list');
  return value.map((item: unknown, index) => {
    const where = `apiKeys[${index}]`;
    if (typeof item !== 'object' || item === null) {
      throw new ConfigError(
        where,
        'expected an object with "key" or "sha256" and "scopes"',
      );
    }
    const { key, sha256, scopes } = item as Record<string, unknown>;
    if (!Array.isArray(scopes))
      throw new ConfigError(`${where}.scopes`, 'expected a list of scopes');
    const parsedScopes = parseScopes(scopes, `${where}.scopes`);
    if (typeof key === 'string' && key.length >= 8) {
      return { sha256: hashApiKey(key), scopes: parsedScopes };
    }
    if (typeof sha256 === 'string' && /^[0-9a-f]{64}$/i.test(sha256)) {
      return { sha256: sha256.toLowerCase(), scopes: parsedScopes };
    }
    throw new ConfigError(
      where,
      'expected "key" (8 characters or more) or "sha256" (64 hex digits)',
    );
  });
}

function parseScopes(values: unknown[], where: string): Scope[] {
  if (values.length === 0)
    throw new ConfigError(where, 'expected at least one scope');
  return values.map((value) => {
    if (
      typeof value !== 'string' ||
      !(SCOPES as readonly string[]).includes(value)
    ) {
      throw new ConfigError(
        where,
        `unknown scope ${JSON.stringify(value)}; expected one of ${SCOPES.join(', ')}`,
      );
    }
    return value as Scope;
  });
}
