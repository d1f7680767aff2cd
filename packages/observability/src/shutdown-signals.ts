/** Extra time past the grace period before a stuck shutdown is cut short. */
const FORCED_EXIT_MARGIN_MS = 3_000;

/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 if `stop`
 * rejects). Later signals are ignored: a terminal's Ctrl-C and a
 * supervisor's SIGTERM often arrive together, and the second must not cut a
 * graceful shutdown short. When `graceMs` is given and `stop` has not
 * finished 3 s after it, for example because Redis is unreachable and a
 * client waits to reconnect, the process writes a line to stderr and exits 1.
 */
export function onShutdownSignals(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  graceMs?: number,
): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    if (graceMs !== undefined) {
      const limitMs = graceMs + FORCED_EXIT_MARGIN_MS;
      setTimeout(() => {
        process.stderr.write(
          `shutdown did not finish within ${limitMs} ms; exiting\n`,
        );
        process.exit(1);
      }, limitMs).unref();
    }
    stop(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
