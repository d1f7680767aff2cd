/** Value type of an extension attribute, as the CloudEvents type system allows. */
export type ExtensionValue = string | number | boolean;

/**
 * A validated signal: a CloudEvents 1.0 event with its defaults filled in.
 * Attributes other than the named ones are extension attributes.
 */
export interface Signal {
  /** CloudEvents version, always stored as `1.0`. */
  specversion: '1.0';
  /** Event id, unique within its `source`. */
  id: string;
  /** Dot-separated event type, such as `user.created`. */
  type: string;
  /** Producer of the event, usually a URI reference. */
  source: string;
  /** RFC 3339 timestamp as the producer sent it, or the time of parsing when it sent none. */
  time: string;
  /** Subject of the event within its source. */
  subject?: string;
  /** URI of the schema that `data` adheres to. */
  dataschema?: string;
  /** Media type of `data` or `data_base64`. */
  datacontenttype: string;
  /** Payload as a JSON value. Absent when the signal has `data_base64`. */
  data?: unknown;
  /** Binary payload as padded standard base64. Absent when `data` is set. */
  data_base64?: string;
  /** Extension attributes: lower-case names of 1 to 20 letters or digits. */
  [attribute: string]: ExtensionValue | unknown;
}

/** One rule violation found while parsing a signal. */
export interface SignalIssue {
  /** Attribute path, such as `type` or `extensions.foo`, or `''` for the whole input. */
  path: string;
  /** Error code for the API: `validation_failed`, or `invalid_json` for a body that does not parse. */
  code: string;
  /** Sentence that names the attribute, the rule and the value received. */
  message: string;
}

/** Outcome of parsing a signal: the signal, or every issue found. */
export type ParseResult =
  { ok: true; signal: Signal } | { ok: false; issues: SignalIssue[] };
