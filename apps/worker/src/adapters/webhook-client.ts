import type { Readable } from 'node:stream';
import { Agent, request as undiciRequest } from 'undici';
import {
  createGuardedConnector,
  hostLiteralAddress,
  isAddressAllowed,
  targetPort,
  type AllowRule,
} from '@signalpost/net-guard';
import type { AttemptErrorClass } from '@signalpost/store';
import type { AttemptResult } from './attempt-result';

/** Bytes of a response body kept in the attempt record. */
const KEPT_BODY_BYTES = 4096;
/** Bytes read from a response before the connection is dropped instead. */
const MAX_READ_BYTES = 1024 * 1024;
/** Target URLs whose literal check is kept, so most attempts parse no URL. */
const MAX_CHECKED_URLS = 10_000;

/** One outbound HTTP request of a delivery. */
export interface WebhookRequest {
  readonly url: string;
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly timeoutMs: number;
}

/** An attempt result whose fields are still being set. */
type AttemptResultDraft = {
  -readonly [Field in keyof AttemptResult]: AttemptResult[Field];
};

/**
 * Sends webhook requests through one undici agent whose connector refuses
 * internal addresses on the address actually dialled. Redirects are never
 * followed: undici's `request` does not follow them.
 */
export class WebhookClient {
  private readonly agent: Agent;
  /** Result of {@link checkLiteral} per URL: the refusal, or '' when allowed. */
  private readonly checkedUrls = new Map<string, string>();
  /** Controllers of the requests in flight, which shutdown aborts. */
  private readonly inFlight = new Set<AbortController>();

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
      // The per-request AbortSignal is the deadline; these only stop undici's
      // 300 s defaults from outliving it.
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
    const refusal = this.checkLiteral(request.url);
    if (refusal)
      return {
        ok: false,
        durationMs: 0,
        errorClass: 'refused_target',
        errorMessage: refusal,
      };

    // A signal from AbortSignal.timeout() lives until its timer fires, long
    // after the request, and AbortSignal.any() ties it to the shutdown
    // signal. A cleared timer frees this controller when the request ends.
    const controller = new AbortController();
    const signal = controller.signal;
    const deadline = setTimeout(abortRequest, request.timeoutMs, controller);
    this.inFlight.add(controller);
    if (this.shutdownSignal.aborted) controller.abort();
    try {
      const response = await undiciRequest(request.url, {
        dispatcher: this.agent,
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal,
      });
      const responseBody = await readLimited(response.body);
      return responseResult(
        response.statusCode,
        Math.round(performance.now() - started),
        responseBody,
        header(response.headers['retry-after']),
      );
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      if (this.shutdownSignal.aborted) {
        return {
          ok: false,
          durationMs,
          abortedByShutdown: true,
          errorMessage: 'aborted by shutdown',
        };
      }
      const errorClass = classifyError(error, signal);
      return {
        ok: false,
        durationMs,
        errorClass,
        errorMessage: describeError(error, errorClass, request.timeoutMs),
      };
    } finally {
      clearTimeout(deadline);
      this.inFlight.delete(controller);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /**
   * Checks an IP literal host, because literals skip the connector's
   * lookup. The rules are fixed per client, so the result is kept per URL.
   */
  private checkLiteral(url: string): string | undefined {
    let refusal = this.checkedUrls.get(url);
    if (refusal === undefined) {
      refusal = this.checkLiteralOnce(url) ?? '';
      if (this.checkedUrls.size >= MAX_CHECKED_URLS) this.checkedUrls.clear();
      this.checkedUrls.set(url, refusal);
    }
    return refusal === '' ? undefined : refusal;
  }

  private abortInFlight(): void {
    for (const controller of this.inFlight) controller.abort();
  }

  private checkLiteralOnce(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `invalid target URL`;
    }
    const literal = hostLiteralAddress(parsed);
    if (literal === undefined) return undefined;
    const result = isAddressAllowed(
      literal,
      targetPort(parsed),
      this.allowRules,
    );
    return result.ok ? undefined : result.reason;
  }
}

function abortRequest(controller: AbortController): void {
  controller.abort();
}

function responseResult(
  statusCode: number,
  durationMs: number,
  responseBody: string,
  retryAfter: string | undefined,
): AttemptResult {
  const result: AttemptResultDraft = {
    ok: statusCode >= 200 && statusCode < 300,
    statusCode,
    durationMs,
    responseBody,
  };
  if (statusCode >= 300) {
    result.errorClass = 'http';
    result.errorMessage = `target responded ${statusCode}`;
  }
  if (retryAfter !== undefined) result.retryAfter = retryAfter;
  return result;
}

/**
 * Reads a response body to its end and returns the first 4 KiB as text. Past
 * 1 MiB it destroys the body, which drops the connection. It listens to
 * `data` because a `for await` loop costs an async iterator and a promise
 * per chunk.
 */
function readLimited(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let readBytes = 0;
    body.on('data', (chunk: Buffer) => {
      readBytes += chunk.length;
      if (keptBytes < KEPT_BODY_BYTES) {
        const slice = chunk.subarray(0, KEPT_BODY_BYTES - keptBytes);
        kept.push(slice);
        keptBytes += slice.length;
      }
      if (readBytes > MAX_READ_BYTES) {
        resolve(concatText(kept));
        body.destroy();
      }
    });
    body.once('end', () => resolve(concatText(kept)));
    body.once('error', reject);
    // A body destroyed before its end without an error would otherwise
    // never settle. The check keeps the usual close after the end from
    // building an error that goes nowhere.
    body.once('close', () => {
      if (body.readableEnded || body.errored) return;
      reject(new Error('response body closed before its end'));
    });
  });
}

function concatText(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('utf8');
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function classifyError(error: unknown, signal: AbortSignal): AttemptErrorClass {
  const code = errorCode(error);
  if (code === 'SIGNALPOST_ERR_TARGET_REFUSED') return 'refused_target';
  if (
    signal.aborted ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ETIMEDOUT'
  )
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
