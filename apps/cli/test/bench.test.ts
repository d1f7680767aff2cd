import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../src/cli-io';
import { runBench } from '../src/commands/bench';
import { UsageError } from '../src/usage-error';

/** A benchmark in TypeScript, so the test also proves that tsx loads it. */
const FAKE_BENCH = `
import { writeFileSync } from 'node:fs';
const args: string[] = process.argv.slice(2);
writeFileSync(process.env.BENCH_ARGS_FILE as string, JSON.stringify({ args, cwd: process.cwd() }));
process.exit(7);
`;

describe('runBench', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'signalpost-bench-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function ioWith(env: Record<string, string>): CliIo {
    return {
      stdout: { write: () => true },
      stderr: { write: () => true },
      stderrIsTty: false,
      env,
    };
  }

  it('rejects a checkout without bench/run.ts', async () => {
    const error = await runBench([], ioWith({}), root).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(path.join('bench', 'run.ts'));
  });

  it('runs bench/run.ts from the root with the arguments', async () => {
    await mkdir(path.join(root, 'bench'));
    await writeFile(path.join(root, 'bench', 'run.ts'), FAKE_BENCH);
    const argsFile = path.join(root, 'args.json');

    const code = await runBench(
      ['--rounds', '2', 'quick'],
      ioWith({ ...process.env, BENCH_ARGS_FILE: argsFile } as Record<
        string,
        string
      >),
      root,
    );

    expect(code).toBe(7);
    const seen = JSON.parse(await readFile(argsFile, 'utf8')) as {
      args: string[];
      cwd: string;
    };
    expect(seen.args).toEqual(['--rounds', '2', 'quick']);
    expect(await realPath(seen.cwd)).toBe(await realPath(root));
  });
});

async function realPath(directory: string): Promise<string> {
  const { realpath } = await import('node:fs/promises');
  return realpath(directory);
}
