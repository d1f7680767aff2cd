import pino, { type Logger } from 'pino';

/** Paths redacted from every log line, whatever logs them. */
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'secret',
  'secrets',
  '*.secret',
  'signature',
  '*.signature',
];

/**
 * Creates an app's logger: pino JSON on stdout, pretty-printed only when a
 * terminal is attached.
 */
export function createLogger(app: string, level = 'info'): Logger {
  const pretty = process.stdout.isTTY === true && process.env.CI !== 'true';
  return pino({
    name: app,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    transport: pretty
      ? { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } }
      : undefined,
  });
}

export type { Logger };
