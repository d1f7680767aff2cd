import { loadConfig } from '@signalpost/config';
import { createLogger, onShutdownSignals } from '@signalpost/observability';
import { startRouter } from './start-router';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('router', config.logLevel);
  const router = await startRouter(config, { logger });
  onShutdownSignals(async (signal) => {
    logger.info({ signal }, 'router stopping');
    await router.close();
  }, config.shutdownGraceMs);
}

main().catch((error: Error) => {
  process.stderr.write(`signalpost router failed to start: ${error.message}\n`);
  process.exit(1);
});
