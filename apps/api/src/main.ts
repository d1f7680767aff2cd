import { loadConfig } from '@signalpost/config';
import { createLogger, onShutdownSignals } from '@signalpost/observability';
import { startApi } from './start-api';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('api', config.logLevel);
  if (config.prefixWrapped)
    logger.info(
      { prefix: config.prefix },
      'prefix wrapped in braces for Redis Cluster',
    );
  const api = await startApi(config, { logger });
  onShutdownSignals(async (signal) => {
    logger.info({ signal }, 'api stopping');
    await api.close();
  }, config.shutdownGraceMs);
}

main().catch((error: Error) => {
  process.stderr.write(`signalpost api failed to start: ${error.message}\n`);
  process.exit(1);
});
