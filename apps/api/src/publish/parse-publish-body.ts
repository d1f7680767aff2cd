import type { Request } from 'express';
import { ApiError } from '@signalpost/errors';
import {
  MAX_SIGNAL_BYTES,
  encodedSize,
  isBinaryMode,
  parseBinaryMode,
  parseSignal,
  type Signal,
  type SignalIssue,
} from '@signalpost/signal';

/** Most signals one batch may carry. */
export const MAX_BATCH_SIGNALS = 1000;

/** Signals of a publish request. */
export interface PublishBody {
  readonly signals: Signal[];
  /** A batch gets lists of ids in the response, a single signal one id. */
  readonly batch: boolean;
}

const STRUCTURED_TYPES = new Set([
  'application/json',
  'application/cloudevents+json',
]);
const BATCH_TYPE = 'application/cloudevents-batch+json';

/**
 * Reads the signals of a publish request in structured, batch or binary
 * mode. Throws an {@link ApiError} for anything the API refuses.
 */
export function parsePublishBody(request: Request, body: Buffer): PublishBody {
  if (isBinaryMode(request.headers)) {
    return {
      signals: [checkResult(parseBinaryMode(request.headers, body))],
      batch: false,
    };
  }
  const ceHeaders = Object.keys(request.headers).filter((name) =>
    name.startsWith('ce-'),
  );
  if (ceHeaders.length > 0) {
    throw new ApiError(
      'validation_failed',
      `CloudEvents binary mode needs a ce-specversion header; got ${ceHeaders.join(', ')} without it`,
      { details: [{ path: 'ce-specversion', message: 'missing' }] },
    );
  }
  const mediaType =
    (request.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase() ?? '';
  if (STRUCTURED_TYPES.has(mediaType)) {
    return {
      signals: [checkResult(parseSignal(parseJson(body)))],
      batch: false,
    };
  }
  if (mediaType === BATCH_TYPE)
    return { signals: parseBatch(parseJson(body)), batch: true };
  throw new ApiError(
    'unsupported_media_type',
    `content type ${mediaType || '(none)'} is not supported: use application/json, ` +
      'application/cloudevents+json, application/cloudevents-batch+json, or CloudEvents binary mode with ce-* headers',
  );
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0)
    throw new ApiError(
      'invalid_json',
      'the request body is empty; expected JSON',
    );
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ApiError(
      'invalid_json',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function parseBatch(value: unknown): Signal[] {
  if (!Array.isArray(value)) {
    throw new ApiError(
      'validation_failed',
      'a batch must be a JSON array of signals',
      {
        details: [
          {
            index: null,
            code: 'validation_failed',
            message: 'expected an array',
          },
        ],
      },
    );
  }
  if (value.length === 0) {
    throw new ApiError(
      'validation_failed',
      'a batch must hold at least one signal',
      {
        details: [
          {
            index: null,
            code: 'validation_failed',
            message: 'the array is empty',
          },
        ],
      },
    );
  }
  if (value.length > MAX_BATCH_SIGNALS) {
    throw new ApiError(
      'batch_too_large',
      `a batch may hold at most ${MAX_BATCH_SIGNALS} signals, got ${value.length}`,
    );
  }
  const signals: Signal[] = [];
  const details: {
    index: number;
    code: string;
    message: string;
    path?: string;
  }[] = [];
  let tooLarge = false;
  for (const [index, item] of value.entries()) {
    const result = parseSignal(item);
    if (!result.ok) {
      for (const issue of result.issues)
        details.push({ index, ...describe(issue) });
      continue;
    }
    if (encodedSize(result.signal) > MAX_SIGNAL_BYTES) {
      tooLarge = true;
      details.push({
        index,
        code: 'payload_too_large',
        message: `the signal is larger than ${MAX_SIGNAL_BYTES} bytes`,
      });
      continue;
    }
    signals.push(result.signal);
  }
  if (details.length > 0) {
    const code = tooLarge ? 'payload_too_large' : 'validation_failed';
    const invalid = new Set(details.map((item) => item.index)).size;
    const subject =
      invalid === 1
        ? '1 signal of the batch is'
        : `${invalid} signals of the batch are`;
    throw new ApiError(code, `${subject} invalid; nothing was stored`, {
      details,
    });
  }
  return signals;
}

function checkResult(result: ReturnType<typeof parseSignal>): Signal {
  if (!result.ok) {
    const invalidJson = result.issues.find(
      (issue) => issue.code === 'invalid_json',
    );
    if (invalidJson) throw new ApiError('invalid_json', invalidJson.message);
    const summary = result.issues.map((issue) => issue.message).join(' ');
    throw new ApiError(
      'validation_failed',
      `the signal is invalid: ${summary}`,
      {
        details: result.issues.map(describe),
      },
    );
  }
  if (encodedSize(result.signal) > MAX_SIGNAL_BYTES) {
    throw new ApiError(
      'payload_too_large',
      `the signal is larger than ${MAX_SIGNAL_BYTES} bytes`,
    );
  }
  return result.signal;
}

function describe(issue: SignalIssue): {
  path: string;
  code: string;
  message: string;
} {
  return { path: issue.path, code: issue.code, message: issue.message };
}
