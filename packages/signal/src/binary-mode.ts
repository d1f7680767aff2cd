import { describeValue, ISSUE_CODES, makeIssue, quoteName } from './issue';
import { isJsonMediaType, isUtf8TextMediaType } from './media-type';
import {
  DEFAULT_DATA_CONTENT_TYPE,
  parseSignal,
  type ParseSignalOptions,
} from './parse-signal';
import { decodeHeaderValue } from './percent-encoding';
import type { ParseResult, SignalIssue } from './signal';

/** HTTP request headers as Node's `IncomingMessage.headers` has them. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

type AttributeEntry = [name: string, value: unknown];

const ATTRIBUTE_HEADER_PREFIX = 'ce-';

// In binary mode the body and content-type carry these, so ce- headers
// for them are rejected.
const ATTRIBUTES_NOT_IN_HEADERS = new Set([
  'data',
  'data_base64',
  'datacontenttype',
  'extensions',
]);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Returns whether a request is in CloudEvents binary mode, which a
 * `ce-specversion` header marks.
 */
export function isBinaryMode(headers: IncomingHeaders): boolean {
  return headers['ce-specversion'] !== undefined;
}

/**
 * Parses a CloudEvents HTTP binary-mode request into a signal. Each
 * `ce-<name>` header, percent-decoded, becomes attribute `<name>`, and
 * `content-type` becomes `datacontenttype`. The body becomes `data`: parsed
 * for a JSON media type, a string for UTF-8 `text/*`, else `data_base64`.
 * An empty body means no data. The attributes then pass the rules of
 * {@link parseSignal}. Header names must be lower-case, as Node gives them.
 */
export function parseBinaryMode(
  headers: IncomingHeaders,
  body: Buffer,
  options?: ParseSignalOptions,
): ParseResult {
  const issues: SignalIssue[] = [];
  const attributes = readAttributeHeaders(headers, issues);
  const contentType = readSingleHeader(
    headers,
    'content-type',
    'datacontenttype',
    issues,
  );
  if (contentType !== undefined) {
    attributes.push(['datacontenttype', contentType]);
  }
  const mediaType = contentType ?? DEFAULT_DATA_CONTENT_TYPE;
  attributes.push(...readBody(body, mediaType, issues));

  // fromEntries defines own properties, so a `ce-__proto__` header cannot
  // change the prototype and is reported as an invalid name instead.
  const result = parseSignal(Object.fromEntries(attributes), options);
  return withIssues(result, issues);
}

function readAttributeHeaders(
  headers: IncomingHeaders,
  issues: SignalIssue[],
): AttributeEntry[] {
  const attributes: AttributeEntry[] = [];
  for (const header of Object.keys(headers)) {
    if (!header.startsWith(ATTRIBUTE_HEADER_PREFIX)) continue;

    const name = header.slice(ATTRIBUTE_HEADER_PREFIX.length);
    if (ATTRIBUTES_NOT_IN_HEADERS.has(name)) {
      issues.push(bodyAttributeIssue(name, header));
      continue;
    }
    const value = readAttributeHeader(headers, header, name, issues);
    if (value !== undefined) attributes.push([name, value]);
  }
  return attributes;
}

function readAttributeHeader(
  headers: IncomingHeaders,
  header: string,
  name: string,
  issues: SignalIssue[],
): string | undefined {
  const raw = readSingleHeader(headers, header, name, issues);
  if (raw === undefined) return undefined;

  const decoded = decodeHeaderValue(raw);
  if (decoded === undefined) {
    const message = `${quoteName(header)} header has percent-escapes that are not valid UTF-8: percent-encode the UTF-8 bytes of the value.`;
    issues.push(makeIssue(quoteName(name), message));
  }
  return decoded;
}

// Node joins most repeated headers with ", " but hands some over as arrays.
function readSingleHeader(
  headers: IncomingHeaders,
  header: string,
  path: string,
  issues: SignalIssue[],
): string | undefined {
  const value = headers[header];
  if (!Array.isArray(value)) return value;
  if (value.length === 1) return value[0];

  const message = `${quoteName(header)} header must appear once, got ${value.length} values.`;
  issues.push(makeIssue(quoteName(path), message));
  return undefined;
}

function readBody(
  body: Buffer,
  mediaType: string,
  issues: SignalIssue[],
): AttributeEntry[] {
  if (body.length === 0) return [];
  if (isJsonMediaType(mediaType)) return readJsonBody(body, mediaType, issues);

  const text = isUtf8TextMediaType(mediaType) ? decodeUtf8(body) : undefined;
  if (text !== undefined) return [['data', text]];
  // Bytes that are not UTF-8 text are kept exactly, as base64.
  return [['data_base64', body.toString('base64')]];
}

function readJsonBody(
  body: Buffer,
  mediaType: string,
  issues: SignalIssue[],
): AttributeEntry[] {
  const parsed = parseJson(body);
  if (parsed !== undefined) return [['data', parsed.value]];

  const message = `The body is not valid UTF-8 JSON, but its content type ${describeValue(mediaType)} requires it.`;
  issues.push(makeIssue('data', message, ISSUE_CODES.invalidJson));
  return [];
}

function parseJson(body: Buffer): { value: unknown } | undefined {
  const text = decodeUtf8(body);
  if (text === undefined) return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return strictUtf8.decode(body);
  } catch {
    return undefined;
  }
}

function bodyAttributeIssue(name: string, header: string): SignalIssue {
  const message = `${header} header is not allowed in binary mode, because the body carries the data and the content-type header its media type.`;
  return makeIssue(name, message);
}

// A header that could not be read leaves its attribute absent, so the signal
// rules would add a second, misleading "missing" issue for the same path.
function withIssues(result: ParseResult, issues: SignalIssue[]): ParseResult {
  if (issues.length === 0) return result;

  const reported = new Set(issues.map((issue) => issue.path));
  const laterIssues = result.ok ? [] : result.issues;
  const newIssues = laterIssues.filter((issue) => !reported.has(issue.path));
  return { ok: false, issues: [...issues, ...newIssues] };
}
