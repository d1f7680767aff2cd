/** Maximum length of a signal type, in characters. */
export const MAX_TYPE_LENGTH = 255;

/** Maximum number of dot-separated segments in a signal type. */
export const MAX_TYPE_SEGMENTS = 64;

/** Maximum length of a signal id, in characters. */
export const MAX_SIGNAL_ID_LENGTH = 256;

/** Maximum length of an inbound source name, in characters. */
export const MAX_SOURCE_NAME_LENGTH = 64;

/**
 * Maximum length of a provider's event id. The signal id is
 * `<source name>:<event id>`, so this keeps it within the signal id limit.
 */
export const MAX_EVENT_ID_LENGTH =
  MAX_SIGNAL_ID_LENGTH - MAX_SOURCE_NAME_LENGTH - 1;

/** One segment of a signal type. */
export const TYPE_SEGMENT_PATTERN = /^[A-Za-z0-9_-]+$/;
