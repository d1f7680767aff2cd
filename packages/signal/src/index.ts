export * from './signal';
export { parseSignal, DEFAULT_DATA_CONTENT_TYPE } from './parse-signal';
export type { ParseSignalOptions } from './parse-signal';
export { ATTRIBUTE_LIMITS } from './attribute-rules';
export { MAX_SIGNAL_BYTES, encodedSize } from './signal-size';
export { isBinaryMode, parseBinaryMode } from './binary-mode';
export type { IncomingHeaders } from './binary-mode';
export { encodeSignal, SIGNAL_CONTENT_TYPES } from './encode-signal';
export type { EncodedSignal, SignalFormat } from './encode-signal';
export {
  SignalEncodingError,
  SIGNAL_ENCODING_ERROR_CODE,
} from './signal-encoding-error';
export {
  webhookId,
  webhookIdOfIdentity,
  identityHash,
  newSignalId,
} from './identity';
export { isRfc3339Timestamp } from './time';
export { isJsonMediaType } from './media-type';
