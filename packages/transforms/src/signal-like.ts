/**
 * The subset of a CloudEvents 1.0 signal that the transforms and expressions
 * read. Extension attributes sit beside the standard ones.
 */
export interface SignalLike {
  /** CloudEvents spec version, `'1.0'` for stored signals. */
  readonly specversion: string;
  /** Producer-assigned id, unique per `source`. */
  readonly id: string;
  /** Dot-separated event type, such as `alert.critical.db`. */
  readonly type: string;
  /** Producer identifier, a non-empty string. */
  readonly source: string;
  /** RFC 3339 timestamp of the occurrence. */
  readonly time: string;
  /** Subject of the event within the source. */
  readonly subject?: string;
  /** Media type of `data`. */
  readonly datacontenttype?: string;
  /** Event payload, any JSON value. */
  readonly data?: unknown;
  /** Base64 payload for binary data, used instead of `data`. */
  readonly data_base64?: string;
  /** Extension attributes with string, number or boolean values. */
  readonly [extension: string]: unknown;
}
