import {
  SLACK_FOOTER,
  escapeSlackText,
  mapDeploymentChannel,
  mapDeploymentColor,
  slackDeployment,
  slackError,
  slackMilestone,
  TransformError,
  type SlackAttachment,
  type SlackMessage,
} from '../src';
import { makeSignal } from './fixtures';

function attachmentOf(message: SlackMessage): SlackAttachment {
  return message.attachments[0];
}

function fieldTitles(message: SlackMessage): string[] {
  return attachmentOf(message).fields.map((field) => field.title);
}

describe('mapDeploymentChannel', () => {
  it.each([
    ['production', '#production'],
    ['Production', '#production'],
    ['staging', '#staging'],
    ['STAGING', '#staging'],
    ['development', '#development'],
    ['qa', '#development'],
    ['prod', '#development'],
    [undefined, '#development'],
  ])('maps %p to %p', (environment, channel) => {
    expect(mapDeploymentChannel(environment)).toBe(channel);
  });
});

describe('mapDeploymentColor', () => {
  it.each([
    ['success', 'good'],
    ['Success', 'good'],
    ['failed', 'danger'],
    ['FAILED', 'danger'],
    ['in_progress', 'warning'],
    ['cancelled', 'warning'],
    [undefined, 'warning'],
  ])('maps %p to %p', (status, color) => {
    expect(mapDeploymentColor(status)).toBe(color);
  });
});

describe('slack.deployment', () => {
  const message = slackDeployment(
    makeSignal({
      environment: 'staging',
      status: 'failed',
      version: 'v1.0.0',
      duration: 3_720_000,
      deployed_by: 'grace',
    }),
  );

  it('sends one attachment', () => {
    expect(message.attachments).toHaveLength(1);
  });

  it('routes staging to #staging with colour danger on failure', () => {
    expect(message.channel).toBe('#staging');
    expect(attachmentOf(message).color).toBe('danger');
  });

  it('shows the four fields in order', () => {
    expect(fieldTitles(message)).toEqual([
      'Environment',
      'Version',
      'Duration',
      'Deployed By',
    ]);
  });

  it('formats the duration', () => {
    const duration = attachmentOf(message).fields[2];
    expect(duration?.value).toBe('1h 2m');
  });

  it('marks every field short', () => {
    for (const field of attachmentOf(message).fields) {
      expect(field.short).toBe(true);
    }
  });

  it('leaves out a negative duration', () => {
    const partial = slackDeployment(makeSignal({ duration: -5 }));
    expect(fieldTitles(partial)).toEqual([]);
  });

  it('leaves out a duration that is not a number', () => {
    const partial = slackDeployment(makeSignal({ duration: '5m' }));
    expect(fieldTitles(partial)).toEqual([]);
  });

  it('summarizes without any data', () => {
    const bare = slackDeployment(makeSignal(undefined));
    expect(bare.text).toBe('Deployment');
    expect(bare.channel).toBe('#development');
  });
});

describe('slack.error', () => {
  const message = slackError(
    makeSignal({
      error_message: 'boom',
      service: 'api',
      environment: 'production',
      count: 1,
    }),
  );

  it('uses colour danger', () => {
    expect(attachmentOf(message).color).toBe('danger');
  });

  it('sends the message as a code block rendered as mrkdwn', () => {
    expect(attachmentOf(message).text).toBe('```\nboom\n```');
    expect(attachmentOf(message).mrkdwn_in).toEqual(['text']);
  });

  it('uses the singular for one occurrence', () => {
    const count = attachmentOf(message).fields.find(
      (field) => field.title === 'Error Count',
    );
    expect(count?.value).toBe('1 occurrence');
  });

  it('sends no channel override', () => {
    expect(Object.keys(message)).not.toContain('channel');
  });

  it('keeps a code fence in the message from closing the block', () => {
    const fenced = slackError(makeSignal({ error_message: 'a ``` b' }));
    const text = attachmentOf(fenced).text ?? '';

    expect(text.startsWith('```\n')).toBe(true);
    expect(text.endsWith('\n```')).toBe(true);
    expect(text.slice(4, -4)).not.toContain('```');
  });

  it('leaves out the text without an error message', () => {
    const bare = slackError(makeSignal({ service: 'api' }));
    expect(Object.keys(attachmentOf(bare))).not.toContain('text');
    expect(Object.keys(attachmentOf(bare))).not.toContain('mrkdwn_in');
  });
});

describe('slack.milestone', () => {
  it('uses colour good and the fields Metric and Value', () => {
    const message = slackMilestone(
      makeSignal({ milestone: '1k', metric_name: 'users', value: 1000 }),
    );
    expect(attachmentOf(message).color).toBe('good');
    expect(attachmentOf(message).fields).toEqual([
      { title: 'Metric', value: 'users', short: true },
      { title: 'Value', value: '1,000', short: true },
    ]);
  });

  it.each([
    [99.5, '99.5'],
    ['12 weeks', '12 weeks'],
    [-2500, '-2,500'],
  ])('shows the value %p as %p', (value, shown) => {
    const message = slackMilestone(makeSignal({ value }));
    expect(attachmentOf(message).fields[0]?.value).toBe(shown);
  });
});

describe('every Slack transform', () => {
  const transforms = [slackDeployment, slackError, slackMilestone];

  it.each(transforms.map((transform) => [transform.name, transform]))(
    '%s sets footer and ts from the signal time',
    (_name, transform) => {
      const message = transform(
        makeSignal({}, { time: '2024-05-01T14:30:15.750+02:00' }),
      );
      expect(attachmentOf(message).footer).toBe(SLACK_FOOTER);
      expect(attachmentOf(message).ts).toBe(1_714_566_615);
    },
  );

  it.each(transforms.map((transform) => [transform.name, transform]))(
    '%s leaves out ts for an unparsable time',
    (_name, transform) => {
      const message = transform(makeSignal({}, { time: 'yesterday' }));
      expect(Object.keys(attachmentOf(message))).not.toContain('ts');
    },
  );

  it.each(transforms.map((transform) => [transform.name, transform]))(
    '%s escapes control characters from data',
    (_name, transform) => {
      const hostile = '<!channel> & <https://evil.example|click>';
      const message = transform(
        makeSignal({
          environment: hostile,
          service: hostile,
          milestone: hostile,
          metric_name: hostile,
          error_message: hostile,
        }),
      );
      const text = JSON.stringify(message);
      expect(text).not.toContain('<!channel>');
      expect(text).toContain('&lt;!channel&gt; &amp;');
    },
  );

  it.each(transforms.map((transform) => [transform.name, transform]))(
    '%s rejects data that is not an object',
    (_name, transform) => {
      expect(() => transform(makeSignal(['a']))).toThrow(TransformError);
    },
  );
});

describe('escapeSlackText', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['&lt;', '&amp;lt;'],
    ['plain', 'plain'],
  ])('escapes %p as %p', (text, escaped) => {
    expect(escapeSlackText(text)).toBe(escaped);
  });
});
