import {
  InboundConfigError,
  parseInboundConfig,
  type InboundConfigIssue,
  type InboundSourceConfig,
} from '@signalpost/inbound';

/**
 * Validates every inbound source of the config file's `inbound` key and
 * returns them by name. It runs once, at start, so a bad source stops the
 * API before it takes any request.
 *
 * @param raw - the `inbound` key of the config file. @defaultValue `{}`
 * @throws InboundConfigError listing the invalid keys of every source, each
 * as `inbound.<name>.<key>`, never with a secret
 */
export function parseInboundSources(
  raw: Readonly<Record<string, unknown>> = {},
): ReadonlyMap<string, InboundSourceConfig> {
  const sources = new Map<string, InboundSourceConfig>();
  const issues: InboundConfigIssue[] = [];
  for (const [name, value] of Object.entries(raw)) {
    try {
      sources.set(name, parseInboundConfig(name, value));
    } catch (error) {
      if (!(error instanceof InboundConfigError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new InboundConfigError(issues);
  return sources;
}
