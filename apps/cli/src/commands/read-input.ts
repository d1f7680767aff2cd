import { readFile } from 'node:fs/promises';
import { UsageError } from '../usage-error';

/**
 * Parses a JSON document given as an option value, naming the option in
 * the error.
 *
 * @throws UsageError when the text is not JSON
 */
export function parseJsonOption(
  text: string,
  option: string,
  topic: string,
): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `${option} is not valid JSON: ${(error as Error).message}`,
      topic,
      { cause: error },
    );
  }
}

/**
 * Reads and parses a JSON file.
 *
 * @throws UsageError when the file cannot be read or is not JSON
 */
export async function readJsonFile(
  filePath: string,
  topic: string,
): Promise<unknown> {
  const text = await readInputFile(filePath, topic);
  return parseJsonOption(text, `--file ${filePath}`, topic);
}

/**
 * Reads a text file named by `--file`.
 *
 * @throws UsageError naming the file and the system error code
 */
export async function readInputFile(
  filePath: string,
  topic: string,
): Promise<string> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    throw fileError(filePath, topic, error);
  }
}

/** Plain words for the file system errors a `--file` meets most. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
};

/** Builds the usage error for a `--file` that cannot be read. */
export function fileError(
  filePath: string,
  topic: string,
  error: unknown,
): UsageError {
  const code = (error as { code?: unknown }).code;
  const reason =
    typeof code === 'string'
      ? `${FILE_ERRORS[code] ?? 'failed'} (${code})`
      : (error as Error).message;
  return new UsageError(`cannot read --file ${filePath}: ${reason}`, topic, {
    cause: error,
  });
}
