import { request, type Dispatcher } from 'undici';

/**
 * Bytes of a response body read before the connection is dropped. Only the
 * status counts, so a larger body is cut off instead of read to its end.
 */
const MAX_BODY_BYTES = 1024 * 1024;

/** Verdict of one health check. */
export type CheckResult = 'healthy' | 'degraded' | 'unhealthy';

/** Outcome of one health check. */
export type CheckOutcome =
  | {
      readonly result: 'healthy' | 'degraded';
      readonly statusCode: number;
      /** Time from sending the request to reading the whole body. */
      readonly latencyMs: number;
    }
  | {
      readonly result: 'unhealthy';
      /** Why no response arrived: a timeout or a connection error. */
      readonly error: string;
    };

/** Options of {@link checkService}. */
export interface CheckServiceOptions {
  /** Deadline of the request, body included. */
  readonly timeoutMs: number;
  /** Connection pool to send through. @defaultValue undici's global one */
  readonly dispatcher?: Dispatcher;
}

/**
 * Sends a GET to a service and classifies the response: a 2xx is healthy,
 * any other status degraded, and no response within the deadline
 * unhealthy. The body is read and discarded.
 */
export async function checkService(
  url: string,
  options: CheckServiceOptions,
): Promise<CheckOutcome> {
  const startedAt = performance.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await request(url, {
      method: 'GET',
      signal,
      dispatcher: options.dispatcher,
    });
    // The status decides the result. A body cut short after the status
    // arrived does not make the service unreachable, so its error is dropped.
    await response.body
      .dump({ limit: MAX_BODY_BYTES, signal })
      .catch(() => undefined);
    const latencyMs = Math.round(performance.now() - startedAt);
    return classifyStatus(response.statusCode, latencyMs);
  } catch (error) {
    return {
      result: 'unhealthy',
      error: describeFailure(error, options.timeoutMs),
    };
  }
}

function classifyStatus(statusCode: number, latencyMs: number): CheckOutcome {
  const healthy = statusCode >= 200 && statusCode < 300;
  return { result: healthy ? 'healthy' : 'degraded', statusCode, latencyMs };
}

/**
 * Describes why no response arrived. Errors are read by shape, not with
 * `instanceof`, because the DOMException of `AbortSignal.timeout` can come
 * from another realm (jest's test environment, for one).
 */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { name, message, errors } = error as Partial<AggregateError>;
  if (name === 'TimeoutError') return `no response within ${timeoutMs} ms`;

  // Dual-stack connection attempts fail with an AggregateError whose own
  // message is empty, so the reasons are read from its `errors`.
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.map((inner) => describeFailure(inner, timeoutMs)).join('; ');
  }
  return message || name || 'unknown error';
}
