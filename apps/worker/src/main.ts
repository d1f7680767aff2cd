import { loadConfig } from '@signalpost/config';
import { createLogger } from '@signalpost/observability';
import { startWorker } from './start-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.logLevel);
  const worker = await startWorker(config, { logger });
  const stop = (signal: string): void => {
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'worker stopping');
    void worker.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: Error) => {
  process.stderr.write(`signalpost worker failed to start: ${error.message}\n`);
  process.exit(1);
});
