import { PUBLISH_KEY, waitFor, type TestStack } from './stack';

/** An attempt of a delivery as `GET /v1/signals/:id` returns it. */
export interface AttemptView {
  readonly number: number;
  readonly at: string;
  readonly statusCode?: number;
  readonly durationMs: number;
  readonly errorClass?: string;
  readonly errorMessage?: string;
}

/** A delivery as `GET /v1/signals/:id` returns it. */
export interface DeliveryView {
  readonly id: string;
  readonly subscriptionId: string;
  readonly targetId: string;
  readonly state: string;
  readonly reason?: string;
  readonly createdAt: string;
  readonly nextAttemptAt?: string;
  readonly fallbackOf?: string;
  readonly attempts: AttemptView[];
}

/** A dead-letter entry as `GET /v1/dead-letters` returns it. */
export interface DeadLetterView {
  readonly id: string;
  readonly deliveryId: string | null;
  readonly signalId: string | null;
  readonly subscriptionId: string | null;
  readonly targetId: string | null;
  readonly reason: string;
  readonly attempts: number;
  readonly createdAt: string;
}

/** States in which a delivery has ended and is counted in the ledger. */
export const FINAL_DELIVERY_STATES: ReadonlySet<string> = new Set([
  'delivered',
  'dead_lettered',
  'throttled',
  'dropped',
]);

/** The source of every signal a {@link SignalClient} publishes. */
export const TEST_SOURCE = 'resilience-test';

/**
 * Publishes signals to a test stack and reads back their records. It keeps
 * the id of every signal it published, so a test can account for all of
 * their deliveries at the end.
 */
export class SignalClient {
  /** Ids of the signals published so far, in order. */
  readonly publishedIds: string[] = [];

  constructor(private readonly stack: TestStack) {}

  /**
   * Creates or replaces a subscription with PUT.
   * @throws Error naming the status and body unless the API returns 200 or 201
   */
  async putSubscription(id: string, body: Record<string, unknown>) {
    const response = await this.stack.request(
      'PUT',
      `/v1/subscriptions/${id}`,
      {
        body,
      },
    );
    if (response.status !== 200 && response.status !== 201) {
      const bodyText = JSON.stringify(response.body);
      throw new Error(
        `PUT subscription ${id} failed: ${response.status} ${bodyText}`,
      );
    }
    return response.body as Record<string, unknown>;
  }

  /**
   * Publishes signals of `type` with the given ids from {@link TEST_SOURCE}
   * in one batch request, so they are accepted at the same moment.
   * @throws Error naming the status and body unless the API returns 202
   */
  async publish(
    type: string,
    ids: readonly string[],
    data: (id: string) => unknown = () => ({}),
  ): Promise<void> {
    const signals = ids.map((id) => ({
      specversion: '1.0',
      type,
      source: TEST_SOURCE,
      id,
      data: data(id),
    }));
    const response = await this.stack.request('POST', '/v1/signals', {
      rawBody: JSON.stringify(signals),
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      key: PUBLISH_KEY,
    });
    if (response.status !== 202) {
      const bodyText = JSON.stringify(response.body);
      throw new Error(
        `publishing ${type} failed: ${response.status} ${bodyText}`,
      );
    }
    this.publishedIds.push(...ids);
  }

  /** Reads the signal's record, or undefined while the API has none. */
  async signal(id: string): Promise<SignalView | undefined> {
    const response = await this.stack.request(
      'GET',
      `/v1/signals/${id}?source=${TEST_SOURCE}`,
    );
    if (response.status === 404) return undefined;
    if (response.status !== 200) {
      const bodyText = JSON.stringify(response.body);
      throw new Error(
        `GET signal ${id} failed: ${response.status} ${bodyText}`,
      );
    }
    return response.body as SignalView;
  }

  /** Waits until the router has handled the signal and returns its record. */
  async waitForRouted(id: string, timeoutMs = 15_000): Promise<SignalView> {
    return waitFor(
      async () => {
        const record = await this.signal(id);
        return record && record.state !== 'routing' ? record : undefined;
      },
      timeoutMs,
      `signal ${id} to be routed`,
    );
  }

  /**
   * Waits until the signal has at least `count` deliveries and all of them
   * have ended, and returns them.
   */
  async waitForEnded(
    id: string,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<DeliveryView[]> {
    return waitFor(
      async () => {
        const record = await this.signal(id);
        const deliveries = record?.deliveries ?? [];
        if (deliveries.length < count) return undefined;
        const ended = deliveries.every((delivery) =>
          FINAL_DELIVERY_STATES.has(delivery.state),
        );
        return ended ? deliveries : undefined;
      },
      timeoutMs,
      `${count} ended deliveries of signal ${id}`,
    );
  }

  /** Waits until the signal's first delivery is in `state`, and returns it. */
  async waitForState(
    id: string,
    state: string,
    timeoutMs = 15_000,
  ): Promise<DeliveryView> {
    return waitFor(
      async () => {
        const delivery = (await this.signal(id))?.deliveries[0];
        return delivery?.state === state ? delivery : undefined;
      },
      timeoutMs,
      `signal ${id}'s delivery to be ${state}`,
    );
  }

  /** Waits for the dead-letter entry of a subscription's delivery of a signal. */
  async waitForDeadLetter(
    subscriptionId: string,
    signalId: string,
    timeoutMs = 15_000,
  ): Promise<DeadLetterView> {
    return waitFor(
      async () => {
        const response = await this.stack.request(
          'GET',
          `/v1/dead-letters?subscription=${subscriptionId}`,
        );
        const entries = (response.body?.data ?? []) as DeadLetterView[];
        return entries.find((entry) => entry.signalId === signalId);
      },
      timeoutMs,
      `a dead letter of ${subscriptionId} for signal ${signalId}`,
    );
  }
}

/** A signal's record as `GET /v1/signals/:id` returns it. */
export interface SignalView {
  readonly state: string;
  readonly signal: { readonly id: string; readonly data?: unknown };
  readonly deliveries: DeliveryView[];
}
