import {
  CORE_ATTRIBUTE_CHECKS,
  type CoreAttributeName,
  type CoreAttributeValue,
} from './attribute-rules';
import { collectExtensions } from './extensions';
import { newSignalId } from './identity';
import { describeValue, invalidValueIssue, makeIssue } from './issue';
import {
  isJsonObject,
  isPresent,
  ownValue,
  type JsonObject,
} from './json-object';
import type { ParseResult, Signal, SignalIssue } from './signal';

/** Options of {@link parseSignal}. */
export interface ParseSignalOptions {
  /**
   * Clock for the default `time` of a signal that has none.
   * @defaultValue `() => new Date()`
   */
  now?: () => Date;
  /**
   * Generator of the default `id` of a signal that has none.
   * @defaultValue {@link newSignalId}, a new UUIDv7
   */
  newId?: () => string;
}

/** Default `datacontenttype` of a signal that has none. */
export const DEFAULT_DATA_CONTENT_TYPE = 'application/json';

const DEFAULT_PARSE_SIGNAL_OPTIONS = Object.freeze({
  now: (): Date => new Date(),
  newId: newSignalId,
});

/**
 * Validates a signal in CloudEvents JSON form and fills in its defaults:
 * `specversion` "1.0", a new `id`, the current `time` and `datacontenttype`
 * application/json. `null` counts as absent for every optional attribute.
 * Returns the signal, or every issue found, each naming its attribute.
 */
export function parseSignal(
  input: unknown,
  options: ParseSignalOptions = {},
): ParseResult {
  if (!isJsonObject(input)) {
    const message = `A signal must be a JSON object, got ${describeValue(input)}.`;
    return { ok: false, issues: [makeIssue('', message)] };
  }

  const issues: SignalIssue[] = [];
  const signal = readCoreAttributes(input, options, issues);
  Object.assign(signal, collectExtensions(input, issues));
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, signal };
}

function readCoreAttributes(
  input: JsonObject,
  options: ParseSignalOptions,
  issues: SignalIssue[],
): Signal {
  const read = <N extends CoreAttributeName>(name: N) =>
    readCoreAttribute(input, name, issues);
  const readRequired = (name: 'type' | 'source'): string =>
    read(name) ?? reportMissing(input, name, issues);
  const now = options.now ?? DEFAULT_PARSE_SIGNAL_OPTIONS.now;
  const newId = options.newId ?? DEFAULT_PARSE_SIGNAL_OPTIONS.newId;

  const signal: Signal = {
    specversion: read('specversion') ?? '1.0',
    id: read('id') ?? newId(),
    type: readRequired('type'),
    source: readRequired('source'),
    time: read('time') ?? now().toISOString(),
    ...withoutUndefined({
      subject: read('subject'),
      dataschema: read('dataschema'),
    }),
    datacontenttype: read('datacontenttype') ?? DEFAULT_DATA_CONTENT_TYPE,
    ...withoutUndefined({
      data: read('data'),
      data_base64: read('data_base64'),
    }),
  };
  checkOneDataAttribute(input, issues);
  return signal;
}

// Returns undefined for an absent attribute, and for an invalid one after
// recording its issue, so the caller can go on and report every issue.
function readCoreAttribute<N extends CoreAttributeName>(
  input: JsonObject,
  name: N,
  issues: SignalIssue[],
): CoreAttributeValue<N> | undefined {
  const value = ownValue(input, name);
  if (!isPresent(value)) return undefined;

  const checked = CORE_ATTRIBUTE_CHECKS[name](value);
  if (checked.ok) return checked.value as CoreAttributeValue<N>;
  issues.push(invalidValueIssue(name, checked.reason, value));
  return undefined;
}

// Records the issue only when the attribute is absent, because an invalid
// value has its own issue already. The empty string is a placeholder in a
// signal that is never returned.
function reportMissing(
  input: JsonObject,
  name: string,
  issues: SignalIssue[],
): string {
  if (!isPresent(ownValue(input, name))) {
    issues.push(makeIssue(name, `${name} is required but missing.`));
  }
  return '';
}

function checkOneDataAttribute(input: JsonObject, issues: SignalIssue[]): void {
  const hasData = isPresent(ownValue(input, 'data'));
  if (!hasData || !isPresent(ownValue(input, 'data_base64'))) return;

  const message =
    'data and data_base64 are both set, but a signal carries at most one of them.';
  issues.push(makeIssue('data_base64', message));
}

function withoutUndefined<T extends object>(fields: T): Partial<T> {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries) as Partial<T>;
}
