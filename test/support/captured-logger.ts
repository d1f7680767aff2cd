import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A pino logger whose output lines are kept in memory. */
export interface CapturedLogger {
  readonly logger: Logger;
  /** Every line written so far, as pino wrote it (JSON text). */
  readonly lines: string[];
}

/**
 * Creates a pino logger that writes to an in-memory stream, so that a test
 * can search every line the apps logged.
 *
 * @param level - lowest level written. @defaultValue 'trace'
 */
export function createCapturedLogger(level = 'trace'): CapturedLogger {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString('utf8');
      lines.push(...text.split('\n').filter((line) => line.length > 0));
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
