/**
 * The lock that keeps two `npm start` runs off one private Redis data
 * folder. Two redis-servers on one folder append to the same files, and
 * both stacks then deliver the same pending deliveries.
 */
import {
  linkSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
      `another npm start, or the redis-server it started (pid ${pid}), is ` +
        `using ${dir}: stop it first, or set REDIS_URL to run this one on ` +
        'another Redis. If no such process runs, delete ' +
        path.join(dir, LOCK_FILE),
    );
    this.name = 'DataDirInUseError';
  }
}

/** A held lock on a data folder. */
export interface DataDirLock {
  /** Adds the pid of the redis-server that uses the folder to the lock. */
  addServer(pid: number): void;
  /** Removes the lock, unless another run has taken it over since. */
  release(): void;
}

/**
 * Locks `dir` for the process `pid`. The lock file lists the pids of the
 * run and of its redis-server, since the server outlives a run that is
 * killed. A lock none of whose pids runs is taken over.
 *
 * @throws DataDirInUseError when a process of the lock still runs
 */
export function lockDataDir(dir: string, pid = process.pid): DataDirLock {
  const file = path.join(dir, LOCK_FILE);
  const pids = [pid];
  for (;;) {
    if (createWithContent(file, pids)) break;
    const holders = readHolders(file);
    const running = holders.find(
      (holder) => holder !== pid && isRunning(holder),
    );
    if (running !== undefined) throw new DataDirInUseError(dir, running);
    // NOTE: two runs that find the same stale lock at once may both remove
    // it, and the one that removes it second then deletes the other's lock.
    rmSync(file, { force: true });
  }
  return {
    addServer: (serverPid) => {
      pids.push(serverPid);
      replaceContent(file, pids);
    },
    release: () => {
      if (readHolders(file)[0] === pid) rmSync(file, { force: true });
    },
  };
}

/**
 * Creates the lock file with its content in one step, by linking a file
 * written beforehand, so that no reader sees it empty. Returns false when
 * it exists.
 */
function createWithContent(file: string, pids: readonly number[]): boolean {
  const draft = writeDraft(file, pids);
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    rmSync(draft, { force: true });
  }
}

function replaceContent(file: string, pids: readonly number[]): void {
  renameSync(writeDraft(file, pids), file);
}

/** Writes the pids, one per line, to a draft beside `file` and returns its path. */
function writeDraft(file: string, pids: readonly number[]): string {
  const draft = `${file}.${pids[0]}.draft`;
  writeFileSync(draft, pids.map((pid) => `${pid}\n`).join(''));
  return draft;
}

function readHolders(file: string): number[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
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
