import { loadConfig } from '@signalpost/config';
import { createLogger } from '@signalpost/observability';
import { startRouter } from './start-router';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('router', config.logLevel);
  const router = await startRouter(config, { logger });
  const stop = (signal: string): void => {
    logger.info({ signal }, 'router stopping');
    void router.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  process.stderr.write(`signalpost router failed to start: ${error.message}\n`);
  process.exit(1);
});
