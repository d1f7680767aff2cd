import { loadConfig } from '@signalpost/config';
import { createLogger } from '@signalpost/observability';
import { startMonitor } from './start-monitor';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('monitor', config.logLevel);
  const monitor = await startMonitor(config, { logger });
  const stop = (signal: string): void => {
    logger.info({ signal }, 'monitor stopping');
    void monitor.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  process.stderr.write(
    `signalpost monitor failed to start: ${error.message}\n`,
  );
  process.exit(1);
});
