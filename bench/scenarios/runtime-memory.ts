import type { ProcessGroup } from '../process-group';
import { parseProcStatus } from '../proc-status';
import { REPOSITORY_ROOT } from '../signalpost-stack';

/** Peak RSS of an idle Node process, with and without the tsx loader. */
export interface RuntimeMemory {
  readonly nodeMiB: number;
  readonly nodeWithTsxMiB: number;
}

/** Time the idle process waits before it reads its own peak RSS. */
const SETTLE_MS = 500;
const TIMEOUT_MS = 30_000;

// Prints the memory lines of the process's own /proc status once it has
// settled.
const PRINT_STATUS = `setTimeout(() => process.stdout.write(require('node:fs').readFileSync('/proc/self/status', 'utf8').split('\\n').filter((line) => /^Vm(HWM|RSS):/.test(line)).join('\\n') + '\\n'), ${SETTLE_MS})`;

/**
 * Measures what loading TypeScript through tsx costs each app, as the apps
 * run (`node --import tsx`): the peak RSS of an idle `node -e` with and
 * without `--import tsx`.
 */
export async function measureRuntimeMemory(
  group: ProcessGroup,
): Promise<RuntimeMemory> {
  const nodeMiB = await idlePeakMiB(group, []);
  const nodeWithTsxMiB = await idlePeakMiB(group, ['--import', 'tsx']);
  return { nodeMiB, nodeWithTsxMiB };
}

async function idlePeakMiB(
  group: ProcessGroup,
  loaderArgs: readonly string[],
): Promise<number> {
  const child = group.start({
    name: 'idle-node',
    command: process.execPath,
    args: [...loaderArgs, '-e', PRINT_STATUS],
    env: process.env,
    cwd: REPOSITORY_ROOT,
  });
  const timer = setTimeout(() => void group.stop(child, 1_000), TIMEOUT_MS);
  await new Promise((resolve) => child.process.once('close', resolve));
  clearTimeout(timer);
  await group.stop(child, 1_000);
  const memory = parseProcStatus(child.outputTail.join('\n'));
  if (!memory) {
    throw new Error(
      `an idle node process printed no memory figures: ${child.outputTail.slice(-3).join(' | ')}`,
    );
  }
  return memory.peakRssKiB / 1024;
}
