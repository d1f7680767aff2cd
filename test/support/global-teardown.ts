import type { ChildProcess } from 'node:child_process';

export default async function globalTeardown(): Promise<void> {
  const child = (globalThis as { __SIGNALPOST_REDIS__?: ChildProcess })
    .__SIGNALPOST_REDIS__;
  child?.kill('SIGTERM');
}
