import { Agent } from 'undici';
import {
  createGuardedConnector,
  hostLiteralAddress,
  isAddressAllowed,
  targetPort,
  type AllowRule,
} from '@signalpost/net-guard';
import type { AttemptErrorClass } from '@signalpost/store';
import type { AttemptResult } from './attempt-result';
import {
  ResponseCollector,
  type CollectedResponse,
} from './response-collector';

/** Target URLs whose check and parts are kept, so most attempts parse no URL. */
const MAX_KNOWN_URLS = 10_000;

/** One outbound HTTP request of a delivery. */
export interface WebhookRequest {
  readonly url: string;
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly timeoutMs: number;
}

/** A target URL as undici's `dispatch` takes it, or why it is refused. */
type KnownUrl =
  | { readonly origin: string; readonly path: string }
  | { readonly refusal: string };

/** An attempt result whose fields are still being set. */
type AttemptResultDraft = {
  -readonly [Field in keyof AttemptResult]: AttemptResult[Field];
};

/**
 * Sends webhook requests through one undici agent whose connector refuses
 * internal addresses on the address actually dialled. Redirects are never
 * followed: `dispatch` does not follow them. Each request has its own
 * deadline of `timeoutMs`, which aborts the request itself.
 */
export class WebhookClient {
  private readonly agent: Agent;
  private readonly knownUrls = new Map<string, KnownUrl>();
  /** Requests in flight, which shutdown aborts. */
  private readonly inFlight = new Set<ResponseCollector>();

  /**
   * @param shutdownSignal - when it fires, aborts the requests in flight and
   *   every request sent afterwards
   */
  constructor(
    private readonly allowRules: readonly AllowRule[],
    private readonly shutdownSignal: AbortSignal,
  ) {
    this.agent = new Agent({
      connect: createGuardedConnector(allowRules),
      keepAliveTimeout: 4_000,
      // Each request's deadline aborts it; these only stop undici's 300 s
      // defaults from outliving it.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    // One listener serves every request, because an EventTarget listener
    // added and removed per request costs more than a Set entry.
    shutdownSignal.addEventListener('abort', () => this.abortInFlight(), {
      once: true,
    });
  }

  /** Sends one request and classifies the outcome; never throws. */
  async send(request: WebhookRequest): Promise<AttemptResult> {
    const started = performance.now();
    const target = this.knownUrl(request.url);
    if ('refusal' in target)
      return {
        ok: false,
        durationMs: 0,
        errorClass: 'refused_target',
        errorMessage: target.refusal,
      };

    const collector = new ResponseCollector();
    const deadline = setTimeout(abortOnDeadline, request.timeoutMs, collector);
    this.inFlight.add(collector);
    if (this.shutdownSignal.aborted) collector.abort('shutdown');
    else this.dispatch(request, target, collector);
    const outcome = await collector.done;
    clearTimeout(deadline);
    this.inFlight.delete(collector);
    return attemptResult(
      outcome,
      Math.round(performance.now() - started),
      request.timeoutMs,
    );
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private dispatch(
    request: WebhookRequest,
    target: { readonly origin: string; readonly path: string },
    collector: ResponseCollector,
  ): void {
    try {
      this.agent.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: request.method,
          headers: request.headers,
          body: request.body,
        },
        collector,
      );
    } catch (error) {
      // undici 7 passes dispatch errors to the handler. Should one be
      // thrown all the same, the attempt still ends with it.
      collector.fail(error as Error);
    }
  }

  /**
   * Splits a target URL for `dispatch` and checks an IP literal host,
   * because literals skip the connector's lookup. The rules are fixed per
   * client, so the result is kept per URL.
   */
  private knownUrl(url: string): KnownUrl {
    let known = this.knownUrls.get(url);
    if (known === undefined) {
      known = this.parseUrl(url);
      if (this.knownUrls.size >= MAX_KNOWN_URLS) this.knownUrls.clear();
      this.knownUrls.set(url, known);
    }
    return known;
  }

  private abortInFlight(): void {
    for (const collector of this.inFlight) collector.abort('shutdown');
  }

  private parseUrl(url: string): KnownUrl {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { refusal: 'invalid target URL' };
    }
    const literal = hostLiteralAddress(parsed);
    if (literal !== undefined) {
      const result = isAddressAllowed(
        literal,
        targetPort(parsed),
        this.allowRules,
      );
      if (!result.ok) return { refusal: result.reason };
    }
    return { origin: parsed.origin, path: parsed.pathname + parsed.search };
  }
}

function abortOnDeadline(collector: ResponseCollector): void {
  collector.abort('timeout');
}

function attemptResult(
  outcome: CollectedResponse,
  durationMs: number,
  timeoutMs: number,
): AttemptResult {
  if (outcome.kind === 'response') return responseResult(outcome, durationMs);
  if (outcome.kind === 'aborted' && outcome.reason === 'shutdown')
    return {
      ok: false,
      durationMs,
      abortedByShutdown: true,
      errorMessage: 'aborted by shutdown',
    };
  if (outcome.kind === 'aborted')
    return {
      ok: false,
      durationMs,
      errorClass: 'timeout',
      errorMessage: `no response within ${timeoutMs} ms`,
    };
  const errorClass = classifyError(outcome.error);
  return {
    ok: false,
    durationMs,
    errorClass,
    errorMessage: describeError(outcome.error, errorClass, timeoutMs),
  };
}

function responseResult(
  response: CollectedResponse & { kind: 'response' },
  durationMs: number,
): AttemptResult {
  const statusCode = response.statusCode;
  const result: AttemptResultDraft = {
    ok: statusCode >= 200 && statusCode < 300,
    statusCode,
    durationMs,
    responseBody: response.body,
  };
  if (statusCode >= 300) {
    result.errorClass = 'http';
    result.errorMessage = `target responded ${statusCode}`;
  }
  if (response.retryAfter !== undefined)
    result.retryAfter = response.retryAfter;
  return result;
}

function classifyError(error: unknown): AttemptErrorClass {
  const code = errorCode(error);
  if (code === 'SIGNALPOST_ERR_TARGET_REFUSED') return 'refused_target';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT')
    return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA')
    return 'dns';
  if (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code.includes('CERT') ||
    code.includes('SELF_SIGNED')
  ) {
    return 'tls';
  }
  return 'connection';
}

/** Reads a code from the error or its causes (undici wraps the socket's error). */
function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

function describeError(
  error: unknown,
  errorClass: AttemptErrorClass,
  timeoutMs: number,
): string {
  if (errorClass === 'timeout') return `no response within ${timeoutMs} ms`;
  const code = errorCode(error);
  let current: unknown = error;
  let message = '';
  for (let depth = 0; depth < 5 && current; depth += 1) {
    message = (current as Error).message ?? message;
    if ((current as { code?: unknown }).code === code) break;
    current = (current as { cause?: unknown }).cause;
  }
  return `${code ? `${code}: ` : ''}${message}`.slice(0, 500);
}
