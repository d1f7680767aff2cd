import { loadConfig } from '@signalpost/config';
import { createLogger, onShutdownSignals } from '@signalpost/observability';
import { startWorker } from './start-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('worker', config.logLevel);
  const worker = await startWorker(config, { logger });
  onShutdownSignals(async (signal) => {
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'worker stopping');
    await worker.close();
  }, config.shutdownGraceMs);
}

main().catch((error: Error) => {
  process.stderr.write(`signalpost worker failed to start: ${error.message}\n`);
  process.exit(1);
});
