const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a duration such as `500ms`, `30s`, `24h` or `7d` into milliseconds.
 * A bare integer is read in `bareUnit`. Returns undefined when it does not
 * parse.
 */
export function parseDurationMs(
  text: string,
  bareUnit: 'ms' | 's' = 's',
): number | undefined {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] ?? bareUnit;
  const factor = UNIT_MS[unit];
  return factor === undefined ? undefined : amount * factor;
}
