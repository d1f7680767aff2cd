/**
 * The lock that keeps two `npm start` runs off one private Redis data
 * folder. Two redis-servers on one folder append to the same files, and
 * both stacks then deliver the same pending deliveries.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Name of the lock file inside the data folder. */
export const LOCK_FILE = 'npm-start.pid';

/** Error thrown when a running process holds the lock. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `another npm start (pid ${pid}) is using ${dir}: stop it first, or ` +
        'set REDIS_URL to run this one on another Redis. If no such process ' +
        `runs, delete ${path.join(dir, LOCK_FILE)}`,
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Locks `dir` for this process by writing its pid into the lock file.
 * A lock left by a process that no longer runs is taken over. Returns
 * the function that releases the lock.
 * NOTE: two runs that start at the same moment over a stale lock may both
 * take it, since removing the stale file and writing a new one are two steps.
 *
 * @throws DataDirInUseError when a running process holds the lock
 */
export function lockDataDir(dir: string, pid = process.pid): () => void {
  const file = path.join(dir, LOCK_FILE);
  for (;;) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: 'wx' });
      return () => releaseLock(file, pid);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder !== undefined && holder !== pid && isRunning(holder))
      throw new DataDirInUseError(dir, holder);
    // A stale or unreadable lock: remove it and try again.
    rmSync(file, { force: true });
  }
}

function releaseLock(file: string, pid: number): void {
  if (readHolder(file) === pid) rmSync(file, { force: true });
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process runs under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
