/**
 * Runs `stop` once on the first SIGTERM or SIGINT, then exits 0 (1 if `stop`
 * rejects). Later signals are ignored: a terminal's Ctrl-C and a
 * supervisor's SIGTERM often arrive together, and the second must not cut a
 * graceful shutdown short.
 */
export function onShutdownSignals(
  stop: (signal: NodeJS.Signals) => Promise<void>,
): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
