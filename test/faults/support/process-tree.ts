import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A direct child process, as `ps` lists it. */
export interface ChildProcessEntry {
  readonly pid: number;
  readonly args: string;
}

/** Lists the direct children of `parentPid` with their command lines. */
export async function listChildProcesses(
  parentPid: number,
): Promise<ChildProcessEntry[]> {
  let stdout = '';
  try {
    ({ stdout } = await execFileAsync('ps', [
      '-o',
      'pid=,args=',
      '--ppid',
      String(parentPid),
    ]));
  } catch (error) {
    // ps exits with 1 when the parent has no children.
    if ((error as { code?: unknown }).code === 1) return [];
    throw error;
  }
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ pid: Number(match[1]), args: match[2] ?? '' }));
}

/** Reads one variable of a running process's environment from /proc. */
export async function readProcessVariable(
  pid: number,
  name: string,
): Promise<string | undefined> {
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(
    () => '',
  );
  const entry = environ.split('\0').find((pair) => pair.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

/** Sends a signal to a process, ignoring one that has exited already. */
export function signalProcess(
  pid: number,
  signal: NodeJS.Signals | 0,
): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Checks whether a process with this pid exists; a zombie counts. */
export function isProcessAlive(pid: number): boolean {
  return signalProcess(pid, 0);
}

const groupsToKill = new Set<number>();
let exitHookInstalled = false;

/**
 * Remembers a process group to SIGKILL when this process exits, so a test
 * run that dies before its cleanup leaves no stack behind.
 */
export function killGroupOnExit(groupId: number): void {
  groupsToKill.add(groupId);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const id of groupsToKill) signalProcess(-id, 'SIGKILL');
  });
}

/** Forgets a process group that was stopped normally. */
export function forgetGroup(groupId: number): void {
  groupsToKill.delete(groupId);
}
