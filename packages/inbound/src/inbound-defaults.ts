/** Defaults applied to every inbound source configuration. */
export const INBOUND_DEFAULTS = Object.freeze({
  /**
   * Maximum distance in seconds between a signed timestamp and the time of
   * arrival, in either direction. The Stripe (23.x) and Standard Webhooks (1.3)
   * libraries default to the same 300 s.
   * @defaultValue 300
   */
  toleranceSec: 300,
});
