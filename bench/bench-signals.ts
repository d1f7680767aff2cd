import { parseSignal, webhookId, type Signal } from '@signalpost/signal';

/** Pattern of the benchmark's subscription; every benchmark type matches it. */
export const BENCH_PATTERN = 'bench.**';

/** A signal as a producer sends it, before the API fills in defaults. */
export interface SignalInput {
  readonly type: string;
  readonly source: string;
  readonly id: string;
  readonly data: { readonly index: number; readonly padding: string };
}

/**
 * Makes signal `index` of a scenario whose JSON-encoded `data` is
 * `payloadBytes` long, or as short as `{"index":N,"padding":""}` allows.
 * Ids are unique per scenario and index, so no signal is a duplicate.
 */
export function makeSignalInput(
  scenario: string,
  index: number,
  payloadBytes: number,
): SignalInput {
  const overhead = JSON.stringify({ index, padding: '' }).length;
  const padding = 'x'.repeat(Math.max(0, payloadBytes - overhead));
  return {
    type: `bench.${scenario}`,
    source: `bench/${scenario}`,
    id: `${scenario}-${index}`,
    data: { index, padding },
  };
}

/**
 * Makes the parsed signal that the API would store for
 * {@link makeSignalInput}, for jobs enqueued without the API.
 * @throws Error when the input is not a valid signal.
 */
export function makeSignal(
  scenario: string,
  index: number,
  payloadBytes: number,
): Signal {
  const parsed = parseSignal(makeSignalInput(scenario, index, payloadBytes));
  if (!parsed.ok) {
    throw new Error(
      `benchmark signal is invalid: ${parsed.issues.map((issue) => issue.message).join('; ')}`,
    );
  }
  return parsed.signal;
}

/** Returns the `webhook-id` header that Signalpost sends for a signal. */
export function webhookIdOf(input: SignalInput): string {
  return webhookId(input.source, input.id);
}
