import { waitFor, type TestStack } from './stack';

/** One attempt of a delivery as `GET /v1/signals/:id` shows it. */
export interface AttemptView {
  readonly number: number;
  readonly statusCode?: number;
  readonly errorClass?: string;
  readonly errorMessage?: string;
  readonly responseBody?: string;
}

/** A delivery as `GET /v1/signals/:id` shows it. */
export interface DeliveryView {
  readonly id: string;
  readonly state: string;
  readonly attempts: readonly AttemptView[];
}

/** States after which a delivery never changes again. */
export const FINAL_DELIVERY_STATES: readonly string[] = Object.freeze([
  'delivered',
  'dead_lettered',
  'throttled',
  'dropped',
]);

/**
 * Polls `GET /v1/signals/:id` until the signal's first delivery is in one
 * of `states`, and returns that delivery.
 *
 * @param states - states to wait for. @defaultValue {@link FINAL_DELIVERY_STATES}
 * @param timeoutMs - time before the wait fails. @defaultValue 30000
 * @throws Error naming the signal and the states after `timeoutMs`
 */
export function waitForDelivery(
  stack: TestStack,
  signalId: string,
  states: readonly string[] = FINAL_DELIVERY_STATES,
  timeoutMs = 30_000,
): Promise<DeliveryView> {
  return waitFor(
    async () => {
      const path = `/v1/signals/${encodeURIComponent(signalId)}`;
      const response = await stack.request('GET', path);
      const delivery = response.body?.deliveries?.[0] as
        DeliveryView | undefined;
      return delivery && states.includes(delivery.state) ? delivery : undefined;
    },
    timeoutMs,
    `a delivery of ${signalId} in state ${states.join(' or ')}`,
  );
}
