import type { SignalLike } from '../signal-like';
import {
  readDataObject,
  readField,
  readText,
  type DataObject,
} from '../data-fields';
import { formatInteger } from '../format/format-integer';
import {
  buildField,
  buildSlackMessage,
  escapeSlackText,
  type SlackMessage,
} from './slack-message';

/** Name of the built-in Slack milestone transform. */
export const SLACK_MILESTONE = 'slack.milestone';

/**
 * Turns a milestone signal into a green Slack incoming-webhook message. It
 * reads `data.milestone` for the summary line and `metric_name` and `value`
 * for the fields Metric and Value. An integer value gets thousands
 * separators (`1,234,567`); other numbers and strings are shown as they are.
 *
 * @throws TransformError when the signal's data is not an object
 */
export function slackMilestone(signal: SignalLike): SlackMessage {
  const data = readDataObject(SLACK_MILESTONE, signal);
  const milestone = readText(data, 'milestone');
  const summary =
    milestone === undefined
      ? 'Milestone reached'
      : `Milestone reached: ${milestone}`;

  return buildSlackMessage({
    summary: escapeSlackText(summary),
    color: 'good',
    fields: [
      buildField('Metric', readText(data, 'metric_name')),
      buildField('Value', formatValue(data)),
    ],
    time: signal.time,
  });
}

function formatValue(data: DataObject): string | undefined {
  const value = readField(data, 'value');
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return formatInteger(value);
  }
  return readText(data, 'value');
}
