import type { SignalLike } from '../signal-like';
import { readDataObject, readFiniteNumber, readText } from '../data-fields';
import { formatInteger } from '../format/format-integer';
import {
  buildField,
  buildSlackMessage,
  escapeSlackText,
  type SlackMessage,
} from './slack-message';

/** Name of the built-in Slack error transform. */
export const SLACK_ERROR = 'slack.error';

const ZERO_WIDTH_SPACE = '\u200b';

/**
 * Turns an error signal into a red Slack incoming-webhook message. It reads
 * `data.error_message`, shown as a code block, and `service`, `environment`,
 * `count`, `first_seen` and `trace_id`, each shown as a field when present:
 * Service, Environment, Error Count (`1,234 occurrences`, `1 occurrence`),
 * First Seen and Trace ID. A negative count is left out.
 *
 * @throws TransformError when the signal's data is not an object
 */
export function slackError(signal: SignalLike): SlackMessage {
  const data = readDataObject(SLACK_ERROR, signal);
  const service = readText(data, 'service');
  const environment = readText(data, 'environment');
  const errorMessage = readText(data, 'error_message');

  return buildSlackMessage({
    summary: summarizeError(service, environment),
    color: 'danger',
    text: errorMessage === undefined ? undefined : toCodeBlock(errorMessage),
    fields: [
      buildField('Service', service),
      buildField('Environment', environment),
      buildField('Error Count', formatCount(readFiniteNumber(data, 'count'))),
      buildField('First Seen', readText(data, 'first_seen')),
      buildField('Trace ID', readText(data, 'trace_id')),
    ],
    time: signal.time,
  });
}

function summarizeError(
  service: string | undefined,
  environment: string | undefined,
): string {
  let summary = 'Error';
  if (service !== undefined) {
    summary += ` in ${service}`;
  }
  if (environment !== undefined) {
    summary += ` (${environment})`;
  }
  return escapeSlackText(summary);
}

function formatCount(count: number | undefined): string | undefined {
  if (count === undefined || count < 0) {
    return undefined;
  }
  const formatted = formatInteger(count);
  return formatted === '1' ? '1 occurrence' : `${formatted} occurrences`;
}

function toCodeBlock(text: string): string {
  // Slack has no escape for backticks, so a zero-width space splits every
  // run of three or more, which would otherwise close the block early.
  const fenced = text.replace(/`{3,}/g, (run) =>
    run.split('').join(ZERO_WIDTH_SPACE),
  );
  return '```\n' + escapeSlackText(fenced) + '\n```';
}
