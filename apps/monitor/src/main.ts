import { loadConfig } from '@signalpost/config';
import { createLogger, onShutdownSignals } from '@signalpost/observability';
import { startMonitor } from './start-monitor';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('monitor', config.logLevel);
  const monitor = await startMonitor(config, { logger });
  onShutdownSignals(async (signal) => {
    logger.info({ signal }, 'monitor stopping');
    await monitor.close();
  }, config.shutdownGraceMs);
}

main().catch((error: Error) => {
  process.stderr.write(
    `signalpost monitor failed to start: ${error.message}\n`,
  );
  process.exit(1);
});
