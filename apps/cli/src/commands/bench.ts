import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CliIo } from '../cli-io';
import { UsageError } from '../usage-error';

/** The repository root: this file sits in apps/cli/src/commands. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** The benchmark entry point, relative to the repository root. */
const BENCH_SCRIPT = path.join('bench', 'run.ts');

/**
 * Runs `node --import tsx bench/run.ts ...args` in `rootDirectory` with
 * the terminal passed through, and returns the benchmark's exit code. The
 * tsx loader is resolved from this checkout, so a root without its own
 * node_modules works too.
 *
 * @param rootDirectory - @defaultValue {@link REPOSITORY_ROOT}
 * @throws UsageError when `bench/run.ts` does not exist there
 */
export async function runBench(
  args: readonly string[],
  io: CliIo,
  rootDirectory: string = REPOSITORY_ROOT,
): Promise<number> {
  const script = path.join(rootDirectory, BENCH_SCRIPT);
  if (!existsSync(script)) {
    throw new UsageError(
      `no benchmark to run: ${script} does not exist in this checkout`,
      'bench',
    );
  }
  const loader = pathToFileURL(require.resolve('tsx')).href;
  const child = spawn(
    process.execPath,
    ['--import', loader, BENCH_SCRIPT, ...args],
    { cwd: rootDirectory, stdio: 'inherit', env: { ...io.env } },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    // A benchmark killed by a signal exits like a shell reports it: 128 + n.
    child.once('exit', (code, signal) =>
      resolve(code ?? 128 + signalNumber(signal)),
    );
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal];
}
