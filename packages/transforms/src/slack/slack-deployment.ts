import type { SignalLike } from '../signal-like';
import { readDataObject, readFiniteNumber, readText } from '../data-fields';
import { formatDuration } from '../format/format-duration';
import {
  buildField,
  buildSlackMessage,
  escapeSlackText,
  type SlackColor,
  type SlackMessage,
} from './slack-message';

/** Name of the built-in Slack deployment transform. */
export const SLACK_DEPLOYMENT = 'slack.deployment';

/**
 * Maps `data.environment` to a channel: `production` to `#production`,
 * `staging` to `#staging`, anything else (also none) to `#development`.
 * The match ignores case.
 */
export function mapDeploymentChannel(environment: string | undefined): string {
  switch (environment?.toLowerCase()) {
    case 'production':
      return '#production';
    case 'staging':
      return '#staging';
    default:
      return '#development';
  }
}

/**
 * Maps `data.status` to a colour: `success` to `good`, `failed` to `danger`,
 * anything else (also none) to `warning`. The match ignores case.
 */
export function mapDeploymentColor(status: string | undefined): SlackColor {
  switch (status?.toLowerCase()) {
    case 'success':
      return 'good';
    case 'failed':
      return 'danger';
    default:
      return 'warning';
  }
}

/**
 * Turns a deployment signal into a Slack incoming-webhook message. It reads
 * `data.environment`, `status`, `version`, `duration` (milliseconds) and
 * `deployed_by`, and shows each present one as a field: Environment, Version,
 * Duration and Deployed By. A negative duration is left out.
 *
 * The `channel` override is honoured by legacy incoming webhooks only. With
 * app webhooks, use one target per channel and a filter on the environment.
 *
 * @throws TransformError when the signal's data is not an object
 */
export function slackDeployment(signal: SignalLike): SlackMessage {
  const data = readDataObject(SLACK_DEPLOYMENT, signal);
  const environment = readText(data, 'environment');
  const status = readText(data, 'status');
  const version = readText(data, 'version');
  const durationMs = readFiniteNumber(data, 'duration');

  const duration =
    durationMs === undefined || durationMs < 0
      ? undefined
      : formatDuration(durationMs);
  return buildSlackMessage({
    channel: mapDeploymentChannel(environment),
    summary: summarizeDeployment(environment, status, version),
    color: mapDeploymentColor(status),
    fields: [
      buildField('Environment', environment),
      buildField('Version', version),
      buildField('Duration', duration),
      buildField('Deployed By', readText(data, 'deployed_by')),
    ],
    time: signal.time,
  });
}

function summarizeDeployment(
  environment: string | undefined,
  status: string | undefined,
  version: string | undefined,
): string {
  let summary = 'Deployment';
  if (version !== undefined) {
    summary += ` of ${version}`;
  }
  if (environment !== undefined) {
    summary += ` to ${environment}`;
  }
  if (status !== undefined) {
    summary += `: ${status}`;
  }
  return escapeSlackText(summary);
}
