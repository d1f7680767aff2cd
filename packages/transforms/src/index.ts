export type { SignalLike } from './signal-like';

export {
  TRANSFORM_ERROR_CODES,
  TransformError,
  type TransformErrorCode,
  type TransformErrorOptions,
} from './errors/transform-error';
export {
  EXPRESSION_ERROR_CODES,
  ExpressionError,
  type ExpressionErrorCode,
  type ExpressionErrorDetails,
  type ExpressionLimit,
  type ExpressionPurpose,
} from './errors/expression-error';

export {
  BUILT_IN_TRANSFORM_NAMES,
  MAX_TRANSFORM_NAME_LENGTH,
  createTransformRegistry,
  type TransformFn,
  type TransformRegistry,
  type TransformRegistryOptions,
} from './registry/transform-registry';

export {
  INCIDENT_ID_PLACEHOLDER,
  resolvePagerDutyConfig,
  type PagerDutyConfig,
  type ResolvedPagerDutyConfig,
} from './pagerduty/pagerduty-config';
export type {
  PagerDutyPayload,
  PagerDutyResolveEvent,
  PagerDutySeverity,
  PagerDutyTriggerEvent,
} from './pagerduty/pagerduty-event';
export { MAX_DEDUP_KEY_LENGTH } from './pagerduty/pagerduty-keys';
export { mapPagerDutySeverity } from './pagerduty/pagerduty-severity';
export {
  MAX_SUMMARY_LENGTH,
  PAGERDUTY_CLIENT,
  PAGERDUTY_TRIGGER,
  createPagerDutyTrigger,
} from './pagerduty/pagerduty-trigger';
export {
  PAGERDUTY_RESOLVE,
  createPagerDutyResolve,
} from './pagerduty/pagerduty-resolve';

export {
  SLACK_FOOTER,
  escapeSlackText,
  type SlackAttachment,
  type SlackColor,
  type SlackField,
  type SlackMessage,
} from './slack/slack-message';
export {
  SLACK_DEPLOYMENT,
  mapDeploymentChannel,
  mapDeploymentColor,
  slackDeployment,
} from './slack/slack-deployment';
export { SLACK_ERROR, slackError } from './slack/slack-error';
export { SLACK_MILESTONE, slackMilestone } from './slack/slack-milestone';

export { formatDuration } from './format/format-duration';
export { formatInteger } from './format/format-integer';

export {
  EXPRESSION_PURPOSES,
  compileExpression,
  type CompiledExpression,
} from './expressions/compile-expression';
export {
  DEFAULT_EXPRESSION_LIMITS,
  type ExpressionLimits,
} from './expressions/expression-guardrails';
export {
  evaluate,
  evaluateFilter,
  evaluateKey,
} from './expressions/evaluate-expression';
export {
  DEFAULT_EXPRESSION_CACHE_OPTIONS,
  ExpressionCache,
  type ExpressionCacheOptions,
} from './expressions/expression-cache';
