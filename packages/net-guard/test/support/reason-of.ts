/** Returns the reason of a refused check result, or undefined when it passed. */
export function reasonOf(
  result: { ok: true } | { ok: false; reason: string },
): string | undefined {
  return result.ok ? undefined : result.reason;
}
