import { dropUndefined } from '../drop-undefined';

/** Footer of every Slack attachment that a built-in transform makes. */
export const SLACK_FOOTER = 'Signalpost';

/** Attachment colours that Slack names: green, yellow and red. */
export type SlackColor = 'good' | 'warning' | 'danger';

/** One field of a Slack attachment. */
export interface SlackField {
  /** Bold label above the value. */
  readonly title: string;
  /** Field text. */
  readonly value: string;
  /** Whether Slack may show the field beside another one. */
  readonly short: boolean;
}

/** A legacy Slack message attachment. */
export interface SlackAttachment {
  /** Plain-text summary for clients that do not show attachments. */
  readonly fallback: string;
  /** Colour of the attachment's left border. */
  readonly color: SlackColor;
  /** Body text in Slack mrkdwn. */
  readonly text?: string;
  /** Attachment fields whose text Slack renders as mrkdwn. */
  readonly mrkdwn_in?: readonly 'text'[];
  /** Labelled values. */
  readonly fields: readonly SlackField[];
  /** Small text under the attachment. */
  readonly footer: string;
  /** Time shown in the footer, in unix seconds. */
  readonly ts?: number;
}

/** Body of a Slack incoming-webhook request. */
export interface SlackMessage {
  /** Channel override, which only legacy incoming webhooks honour. */
  readonly channel?: string;
  /** Summary line, also used in notifications. */
  readonly text: string;
  /** Exactly one attachment. */
  readonly attachments: readonly [SlackAttachment];
}

/** Parts of a {@link SlackMessage} that differ between transforms. */
export interface SlackMessageParts {
  /** Channel override. */
  readonly channel?: string;
  /** Summary line, already escaped. */
  readonly summary: string;
  /** Attachment colour. */
  readonly color: SlackColor;
  /** Attachment body in mrkdwn, already escaped. */
  readonly text?: string;
  /** Attachment fields, of which `undefined` entries are skipped. */
  readonly fields: readonly (SlackField | undefined)[];
  /** The signal's RFC 3339 time. */
  readonly time: string;
}

/** Builds a Slack message with one attachment from its parts. */
export function buildSlackMessage(parts: SlackMessageParts): SlackMessage {
  const attachment: SlackAttachment = dropUndefined({
    fallback: parts.summary,
    color: parts.color,
    text: parts.text,
    mrkdwn_in: parts.text === undefined ? undefined : ['text' as const],
    fields: parts.fields.filter((field) => field !== undefined),
    footer: SLACK_FOOTER,
    ts: toUnixSeconds(parts.time),
  });
  return dropUndefined({
    channel: parts.channel,
    text: parts.summary,
    attachments: [attachment] as const,
  });
}

/**
 * Builds a short attachment field, or returns `undefined` when the value is
 * missing. The value is escaped for Slack.
 */
export function buildField(
  title: string,
  value: string | undefined,
): SlackField | undefined {
  if (value === undefined) {
    return undefined;
  }
  return { title, value: escapeSlackText(value), short: true };
}

/**
 * Escapes `&`, `<` and `>`, the three characters that Slack reads as
 * control sequences, so signal data cannot inject mentions or links.
 */
export function escapeSlackText(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/**
 * Converts an RFC 3339 time to whole unix seconds, rounded down, or returns
 * `undefined` when the time does not parse.
 */
export function toUnixSeconds(time: string): number | undefined {
  const epochMs = Date.parse(time);
  return Number.isNaN(epochMs) ? undefined : Math.floor(epochMs / 1000);
}
