import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SignalpostConfig } from '@signalpost/config';

const ROOT = path.resolve(__dirname, '../..');

/** An app started as its own process, as `npm start` and Kubernetes run it. */
export interface AppProcess {
  readonly child: ChildProcess;
  readonly output: string[];
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

/** Environment that points an app process at a test stack's Redis and prefix. */
export function stackEnvironment(
  config: SignalpostConfig,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    REDIS_URL: config.redisUrl,
    SIGNALPOST_PREFIX: config.prefix,
    SIGNALPOST_ALLOW_TARGETS: config.allowTargets.join(','),
    SIGNALPOST_API_KEYS: 'process-admin-key=admin',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Starts `apps/<app>/src/main.ts` with tsx and collects its output. */
export function startAppProcess(
  app: string,
  env: Record<string, string>,
): AppProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', `apps/${app}/src/main.ts`],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, output, exited };
}

/** Waits until the process has printed a line containing `text`. */
export async function waitForOutput(
  app: AppProcess,
  text: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!app.output.join('').includes(text)) {
    if (Date.now() > deadline)
      throw new Error(
        `no "${text}" in output within ${timeoutMs} ms:\n${app.output.join('')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
