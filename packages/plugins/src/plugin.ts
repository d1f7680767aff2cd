/** A signal as passed to a plugin: CloudEvents attributes and extensions. */
export interface PluginSignal {
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly time: string;
  readonly data?: unknown;
  readonly [attribute: string]: unknown;
}

/** Context a pre-dispatch hook receives about the delivery at hand. */
export interface HookContext {
  readonly signal: PluginSignal;
  readonly deliveryId: string;
  readonly subscriptionId: string;
  readonly targetId: string;
  /** The attempt about to be made, from 1. */
  readonly attempt: number;
}

/** A hook's verdict on one delivery attempt. */
export type HookDecision =
  /** Send as planned. */
  | { readonly action: 'continue' }
  /**
   * Wait this long, without an attempt or a worker slot; counts toward
   * `giveUpAfterMs`. The hooks run again when the wait ends.
   */
  | { readonly action: 'delay'; readonly delayMs: number }
  /** End the delivery as `dropped`, counted in the ledger. */
  | { readonly action: 'drop'; readonly reason?: string };

/** A pre-dispatch hook; it runs in the worker before every attempt. */
export type PreDispatchHook = (
  context: HookContext,
) => HookDecision | Promise<HookDecision>;

/**
 * What a module named by `SIGNALPOST_PLUGINS` exports (as named exports or as
 * its default export).
 */
export interface SignalpostPlugin {
  /** Transforms by name, usable as `{"transform": {"name": ...}}`. */
  readonly transforms?: Readonly<
    Record<string, (signal: PluginSignal) => unknown>
  >;
  /** Hooks run in order; the first that does not continue decides. */
  readonly hooks?: readonly PreDispatchHook[];
}
