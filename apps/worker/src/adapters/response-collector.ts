import type { Dispatcher } from 'undici';

/** Bytes of a response body kept in the attempt record. */
const KEPT_BODY_BYTES = 4096;
/** Bytes read from a response before the connection is dropped instead. */
const MAX_READ_BYTES = 1024 * 1024;

/** Outcome of a request dispatched through a {@link ResponseCollector}. */
export type CollectedResponse =
  | {
      readonly kind: 'response';
      readonly statusCode: number;
      /** The first 4 KiB of the body, as text. */
      readonly body: string;
      readonly retryAfter: string | undefined;
    }
  | { readonly kind: 'error'; readonly error: Error }
  | { readonly kind: 'aborted'; readonly reason: AbortReason };

/** Reason this side aborted the request. */
export type AbortReason = 'timeout' | 'shutdown';

/**
 * Handler of one request dispatched with undici's low-level `dispatch`: it
 * keeps the status, `Retry-After` and the first 4 KiB of the body, reads
 * the rest and drops it, so the connection is reused. Past 1 MiB it aborts
 * the request, which closes the connection, and keeps what it read.
 *
 * Compared with undici's `request()`, it creates no body stream and no
 * abort listener: on a 2-core VM a local POST cost the client 15 µs of CPU
 * this way against 36 µs through `request()` with an AbortSignal.
 *
 * NOTE: undici documents `dispatch` as less stable than `request()` across
 * major versions. This follows the `DispatchHandler` of undici 7.
 */
export class ResponseCollector implements Dispatcher.DispatchHandler {
  /** Settles once, with the first of the response, an error or an abort. */
  readonly done: Promise<CollectedResponse>;

  private settle!: (outcome: CollectedResponse) => void;
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private abortReason: AbortReason | undefined;
  private statusCode = 0;
  private retryAfter: string | undefined;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private readBytes = 0;
  private tooLong = false;

  constructor() {
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /**
   * Ends the attempt at once and aborts the request. Before undici has
   * started the request (it may still be connecting) the abort takes
   * effect when it starts.
   */
  abort(reason: AbortReason): void {
    if (this.settled) return;
    this.abortReason = reason;
    this.finish({ kind: 'aborted', reason });
    this.controller?.abort(new Error(`request aborted: ${reason}`));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason !== undefined)
      controller.abort(new Error(`request aborted: ${this.abortReason}`));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // A 1xx is followed by the final response.
    if (statusCode < 200) return;
    this.statusCode = statusCode;
    const retryAfter = headers['retry-after'];
    this.retryAfter = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  }

  onResponseData(
    controller: Dispatcher.DispatchController,
    chunk: Buffer,
  ): void {
    this.readBytes += chunk.length;
    if (this.keptBytes < KEPT_BODY_BYTES) {
      const slice = chunk.subarray(0, KEPT_BODY_BYTES - this.keptBytes);
      this.kept.push(slice);
      this.keptBytes += slice.length;
    }
    if (this.readBytes > MAX_READ_BYTES && !this.tooLong) {
      this.tooLong = true;
      this.finishResponse();
      controller.abort(new Error('response body over 1 MiB'));
    }
  }

  onResponseEnd(): void {
    this.finishResponse();
  }

  onResponseError(
    _controller: Dispatcher.DispatchController,
    error: Error,
  ): void {
    this.fail(error);
  }

  /** Ends the attempt with an error raised outside the handler's calls. */
  fail(error: Error): void {
    this.finish({ kind: 'error', error });
  }

  private finishResponse(): void {
    this.finish({
      kind: 'response',
      statusCode: this.statusCode,
      body: Buffer.concat(this.kept).toString('utf8'),
      retryAfter: this.retryAfter,
    });
  }

  private finish(outcome: CollectedResponse): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(outcome);
  }
}
