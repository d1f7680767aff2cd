import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ADMIN_KEY,
  startTestStack,
  type TestStack,
} from '../../../test/support/stack';
import type { CliIo } from '../src/cli-io';
import { runCli } from '../src/run-cli';

/** Builds an io that records the CLI's output, with stderr as a terminal. */
function terminalIo(env: Record<string, string>): CliIo & {
  readonly out: string[];
  readonly err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    stderrIsTty: true,
    env,
  };
}

describe('runCli publishing a file to a terminal', () => {
  let stack: TestStack;
  let directory: string;

  beforeAll(async () => {
    stack = await startTestStack();
    directory = await mkdtemp(path.join(tmpdir(), 'signalpost-run-cli-'));
  });

  afterAll(async () => {
    await stack.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('draws a progress bar on stderr, then the summary', async () => {
    const filePath = path.join(directory, 'signals.ndjson');
    const lines = Array.from({ length: 1500 }, (_, index) =>
      JSON.stringify({ type: 'tty.item', source: 'tty', id: `t-${index}` }),
    );
    await writeFile(filePath, `${lines.join('\n')}\n`);
    const io = terminalIo({
      SIGNALPOST_URL: stack.baseUrl,
      SIGNALPOST_API_KEY: ADMIN_KEY,
    });

    const code = await runCli(['publish', '--file', filePath], io);

    expect(code).toBe(0);
    const draws = io.err.filter((text) => text.startsWith('\r['));
    // 1500 lines make two batches: 1000, then 500.
    expect(draws).toHaveLength(2);
    expect(draws[0]).toContain('1000 sent');
    expect(draws[1]).toContain('[##############################] 100%');
    expect(io.err[io.err.length - 1]).toMatch(/^\r +\r$/);
    expect(io.out.join('')).toMatch(/^published\s+1500$/m);
  });

  it('reports a skipped line on a line of its own', async () => {
    const filePath = path.join(directory, 'skipped.ndjson');
    await writeFile(filePath, '{"type":"a.b","source":"tty"}\n[]\n');
    const io = terminalIo({
      SIGNALPOST_URL: stack.baseUrl,
      SIGNALPOST_API_KEY: ADMIN_KEY,
    });

    const code = await runCli(['publish', '--file', filePath], io);

    expect(code).toBe(1);
    expect(io.err).toContain('line 2: skipped: not a JSON object\n');
    expect(io.out.join('')).toMatch(/^failed\s+1$/m);
  });
});
