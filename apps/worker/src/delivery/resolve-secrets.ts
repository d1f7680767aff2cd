import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { SecretSource } from '@signalpost/subscriptions';

/** Maximum size of a secret file; larger files are rejected. */
const MAX_SECRET_FILE_BYTES = 4096;

/** Raised when a secret cannot be resolved; the message never contains its value. */
export class SecretUnavailableError extends Error {
  readonly code = 'SIGNALPOST_ERR_SECRET_UNAVAILABLE';

  constructor(message: string) {
    super(message);
    this.name = 'SecretUnavailableError';
  }
}

/** Secrets of a target without any. */
const NO_SECRETS: readonly string[] = Object.freeze([]);

/**
 * Returns a target's secrets without waiting when every one is a literal,
 * else undefined, and then {@link resolveSecrets} reads them.
 */
export function literalSecrets(
  sources: readonly SecretSource[] | undefined,
): readonly string[] | undefined {
  if (!sources) return NO_SECRETS;
  for (const source of sources) {
    if (typeof source !== 'string') return undefined;
  }
  return sources as readonly string[];
}

/**
 * Resolves a target's secrets at the time of an attempt: literals as they
 * are, `{"env"}` from the worker's environment, `{"file"}` from a regular
 * file of at most 4 KiB (trailing newline dropped).
 */
export async function resolveSecrets(
  sources: readonly SecretSource[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string[]> {
  if (!sources) return [];
  return Promise.all(sources.map((source) => resolveOne(source, env)));
}

async function resolveOne(
  source: SecretSource,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (typeof source === 'string') return source;
  if ('env' in source) {
    const value = env[source.env];
    if (!value)
      throw new SecretUnavailableError(
        `environment variable ${source.env} is not set on the worker`,
      );
    return value;
  }
  return readSecretFile(source.file);
}

async function readSecretFile(path: string): Promise<string> {
  let handle;
  try {
    // O_NONBLOCK keeps a FIFO from blocking the open; the type check follows.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new SecretUnavailableError(
      `secret file ${path} cannot be opened: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile())
      throw new SecretUnavailableError(
        `secret file ${path} is not a regular file`,
      );
    if (stats.size > MAX_SECRET_FILE_BYTES) {
      throw new SecretUnavailableError(
        `secret file ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes`,
      );
    }
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_SECRET_FILE_BYTES) {
      throw new SecretUnavailableError(
        `secret file ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes`,
      );
    }
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  } finally {
    await handle.close();
  }
}
