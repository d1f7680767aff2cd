import { randomUUID } from 'node:crypto';
import type {
  BatchPublishResult,
  DeadLetterEntry,
  DeadLetterListOptions,
  GetSignalOptions,
  Page,
  PageOptions,
  PublishOptions,
  PublishResult,
  ReplayResult,
  SignalInput,
  SignalRecord,
  Subscription,
  SubscriptionInput,
} from './api-types';
import { ApiTransport } from './api-transport';
import { CLIENT_ERROR_CODES } from './client-error-codes';
import {
  resolveClientOptions,
  type SignalpostClientOptions,
} from './client-options';
import { describeValue } from './describe-value';
import { SignalpostClientError } from './signalpost-client-error';

/**
 * Maximum number of signals in one batch request. The API rejects more
 * with 413 `batch_too_large`.
 */
export const MAX_BATCH_SIZE = 1000;

/** Longest `Idempotency-Key` the API accepts. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';

/**
 * A client of the Signalpost HTTP API. Publishing sends an
 * `Idempotency-Key` on every request and the same key on every retry, so a
 * retried publish never fans out twice.
 *
 * Every method throws `SignalpostApiError` for a status other than 2xx,
 * `SignalpostNetworkError` when no response arrived, and
 * `SignalpostClientError` for an invalid argument or response.
 */
export class SignalpostClient {
  private readonly transport: ApiTransport;

  /**
   * @throws SignalpostClientError `SIGNALPOST_ERR_CLIENT_INVALID_OPTION`
   *   when an option is invalid
   */
  constructor(options: SignalpostClientOptions) {
    this.transport = new ApiTransport(resolveClientOptions(options));
  }

  /**
   * Publishes one signal. A repeat of a seen `(source, id)` returns
   * `duplicate: true` with the original id.
   */
  async publish(
    signal: SignalInput,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    checkObject(signal, 'signal');
    const body = await this.transport.send({
      method: 'POST',
      path: '/v1/signals',
      body: signal,
      idempotencyKey: idempotencyKeyOf(options),
      repeatable: true,
    });
    return expectObject<PublishResult>(body, 'id', 'POST /v1/signals');
  }

  /**
   * Publishes 1 to {@link MAX_BATCH_SIZE} signals in one request, which the
   * API stores all or nothing.
   */
  async publishBatch(
    signals: readonly SignalInput[],
    options: PublishOptions = {},
  ): Promise<BatchPublishResult> {
    checkBatch(signals);
    const body = await this.transport.send({
      method: 'POST',
      path: '/v1/signals',
      body: signals,
      contentType: BATCH_CONTENT_TYPE,
      idempotencyKey: idempotencyKeyOf(options),
      repeatable: true,
    });
    return expectObject<BatchPublishResult>(
      body,
      'accepted',
      'POST /v1/signals',
    );
  }

  /** Reads a signal and its deliveries. */
  async getSignal(
    id: string,
    options: GetSignalOptions = {},
  ): Promise<SignalRecord> {
    const path = `/v1/signals/${pathSegment(id, 'id')}${queryOf({ source: options.source })}`;
    const body = await this.get(path);
    return expectObject<SignalRecord>(body, 'signal', `GET ${path}`);
  }

  /** Lists one page of subscriptions. */
  async listSubscriptions(
    options: PageOptions = {},
  ): Promise<Page<Subscription>> {
    const path = `/v1/subscriptions${queryOf(pageQuery(options))}`;
    return expectPage<Subscription>(await this.get(path), `GET ${path}`);
  }

  /** Reads one subscription. */
  async getSubscription(id: string): Promise<Subscription> {
    const path = `/v1/subscriptions/${pathSegment(id, 'id')}`;
    return expectObject<Subscription>(
      await this.get(path),
      'id',
      `GET ${path}`,
    );
  }

  /** Creates a subscription. An id that exists already is a 409 `conflict`. */
  async createSubscription(body: SubscriptionInput): Promise<Subscription> {
    checkObject(body, 'body');
    const created = await this.transport.send({
      method: 'POST',
      path: '/v1/subscriptions',
      body,
      // A lost response may hide a created subscription. A resend would
      // then fail with 409, so the caller decides instead.
      repeatable: false,
    });
    return expectObject<Subscription>(created, 'id', 'POST /v1/subscriptions');
  }

  /** Replaces the subscription with this id, or creates it. */
  async putSubscription(
    id: string,
    body: SubscriptionInput,
  ): Promise<Subscription> {
    checkObject(body, 'body');
    const path = `/v1/subscriptions/${pathSegment(id, 'id')}`;
    const stored = await this.transport.send({
      method: 'PUT',
      path,
      body,
      repeatable: true,
    });
    return expectObject<Subscription>(stored, 'id', `PUT ${path}`);
  }

  /** Deletes a subscription. */
  async deleteSubscription(id: string): Promise<void> {
    await this.transport.send({
      method: 'DELETE',
      path: `/v1/subscriptions/${pathSegment(id, 'id')}`,
      repeatable: true,
    });
  }

  /** Lists one page of dead-letter entries, newest first. */
  async listDeadLetters(
    options: DeadLetterListOptions = {},
  ): Promise<Page<DeadLetterEntry>> {
    const query = queryOf({
      ...pageQuery(options),
      queue: options.queue,
      subscription: options.subscription,
    });
    const path = `/v1/dead-letters${query}`;
    return expectPage<DeadLetterEntry>(await this.get(path), `GET ${path}`);
  }

  /**
   * Replays a dead-letter entry as a new delivery with the full retry
   * policy. A lost response is not resent, because a resend would create
   * a second delivery.
   */
  async replayDeadLetter(id: string): Promise<ReplayResult> {
    const path = `/v1/dead-letters/${pathSegment(id, 'id')}/replay`;
    const body = await this.transport.send({
      method: 'POST',
      path,
      repeatable: false,
    });
    return expectObject<ReplayResult>(body, 'deliveryId', `POST ${path}`);
  }

  private get(path: string): Promise<unknown> {
    return this.transport.send({ method: 'GET', path, repeatable: true });
  }
}

function idempotencyKeyOf(options: PublishOptions): string {
  const key = options.idempotencyKey;
  if (key === undefined) return randomUUID();
  if (
    typeof key !== 'string' ||
    key.length === 0 ||
    key.length > MAX_IDEMPOTENCY_KEY_LENGTH
  ) {
    throw invalidArgument(
      `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${describeValue(key)}`,
    );
  }
  return key;
}

function checkBatch(signals: readonly SignalInput[]): void {
  if (!Array.isArray(signals)) {
    throw invalidArgument(
      `signals must be an array, got ${describeValue(signals)}`,
    );
  }
  if (signals.length === 0 || signals.length > MAX_BATCH_SIZE) {
    throw invalidArgument(
      `signals must contain 1 to ${MAX_BATCH_SIZE} signals, got ${signals.length}`,
    );
  }
  signals.forEach((signal, index) => checkObject(signal, `signals[${index}]`));
}

function checkObject(value: unknown, name: string): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return;
  }
  throw invalidArgument(
    `${name} must be an object, got ${describeValue(value)}`,
  );
}

function pathSegment(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(
      `${name} must be a non-empty string, got ${describeValue(value)}`,
    );
  }
  return encodeURIComponent(value);
}

function pageQuery(options: PageOptions): Record<string, string | undefined> {
  const { limit, cursor } = options;
  if (limit !== undefined && !Number.isSafeInteger(limit)) {
    throw invalidArgument(
      `limit must be an integer, got ${describeValue(limit)}`,
    );
  }
  return { limit: limit?.toString(), cursor };
}

function queryOf(parameters: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text.length > 0 ? `?${text}` : '';
}

function expectObject<T>(body: unknown, field: string, request: string): T {
  if (typeof body === 'object' && body !== null && field in body) {
    return body as T;
  }
  throw new SignalpostClientError(
    CLIENT_ERROR_CODES.invalidResponse,
    `${request} returned a body without the field ${field}`,
  );
}

function expectPage<T>(body: unknown, request: string): Page<T> {
  const page = expectObject<Page<T>>(body, 'data', request);
  if (Array.isArray(page.data)) return page;
  throw new SignalpostClientError(
    CLIENT_ERROR_CODES.invalidResponse,
    `${request} returned a data field that is not an array`,
  );
}

function invalidArgument(message: string): SignalpostClientError {
  return new SignalpostClientError(CLIENT_ERROR_CODES.invalidArgument, message);
}
