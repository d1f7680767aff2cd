export { INBOUND_DEFAULTS } from './inbound-defaults';
export type {
  GithubSourceConfig,
  HmacSha256SourceConfig,
  InboundSourceBase,
  InboundSourceConfig,
  InboundVerifierName,
  StandardWebhooksSourceConfig,
  StripeSourceConfig,
} from './inbound-config';
export {
  InboundConfigError,
  type InboundConfigIssue,
} from './inbound-config-error';
export { parseInboundConfig } from './parse-inbound-config';
export { MAX_EVENT_ID_LENGTH, MAX_SOURCE_NAME_LENGTH } from './signal-limits';
export { parseUnixSeconds } from './timestamp';
export {
  type InboundRequestMeta,
  type InboundSignalFields,
  toSignalFields,
  toSignalType,
} from './signal-fields';
export { verifyInbound } from './verify-inbound';
export type {
  InboundHeaders,
  InboundRejectionCode,
  InboundRequest,
  VerifiedEvent,
  VerifyFailure,
  VerifyResult,
} from './verify-result';
