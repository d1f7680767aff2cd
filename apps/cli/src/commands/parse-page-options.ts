import type { PageOptions } from '@signalpost/client';
import type { OptionValues } from '../parse-command-line';
import { UsageError } from '../usage-error';

/**
 * Reads `--limit` and `--cursor`. This only checks that the limit is a
 * whole number, because the API checks its range.
 *
 * @throws UsageError when `--limit` is not a whole number
 */
export function parsePageOptions(
  options: OptionValues,
  topic: string,
): PageOptions {
  const { limit, cursor } = options;
  if (limit !== undefined && !/^\d+$/.test(limit)) {
    throw new UsageError(
      `--limit must be a whole number, got ${JSON.stringify(limit)}`,
      topic,
    );
  }
  return {
    ...(limit === undefined ? {} : { limit: Number(limit) }),
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/** Formats the hint for reading the next page, or `''` on the last page. */
export function nextPageHint(nextCursor: string | null): string {
  return nextCursor === null ? '' : `next page: --cursor ${nextCursor}\n`;
}
