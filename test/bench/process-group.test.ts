import { describeFirstExit } from '../../bench/child-status';
import { ProcessGroup, isPinoWarning } from '../../bench/process-group';

describe('isPinoWarning', () => {
  it.each([
    ['{"level":40,"msg":"x"}', true],
    ['{"level":50,"msg":"x"}', true],
    ['{"level":30,"msg":"x"}', false],
    ['warning: plain text', false],
    ['{"msg":"x","level":50}', false],
  ])('classifies %s', (line, expected) => {
    expect(isPinoWarning(line)).toBe(expected);
  });
});

describe('ProcessGroup', () => {
  const group = new ProcessGroup();
  afterAll(() => group.killAllNow());

  const node = (script: string) =>
    group.start({
      name: 'child',
      command: process.execPath,
      args: ['-e', script],
      env: process.env,
      cwd: process.cwd(),
    });

  it('keeps the output tail and counts warnings', async () => {
    const child = node(
      'console.log(\'{"level":40,"msg":"slow"}\'); console.error("plain")',
    );
    await new Promise((resolve) => child.process.once('close', resolve));
    expect(child.outputTail).toEqual(
      expect.arrayContaining(['{"level":40,"msg":"slow"}', 'plain']),
    );
    expect(child.warnLines).toBe(1);
    expect(child.exit?.code).toBe(0);
  });

  it('stops a child with SIGTERM', async () => {
    const child = node('setInterval(() => {}, 1000)');
    await group.stop(child, 5_000);
    expect(child.exit?.signal).toBe('SIGTERM');
    expect(group.running()).not.toContain(child);
  });

  it('kills a child that ignores SIGTERM', async () => {
    const child = node(
      'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)',
    );
    await new Promise<void>((resolve) => {
      child.onLine = (line) => line === 'ready' && resolve();
    });
    const startedMs = performance.now();
    await group.stop(child, 300);
    expect(child.exit?.signal).toBe('SIGKILL');
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(250);
  });

  it('describes the first child that exited', async () => {
    const child = node('console.error("boom"); process.exit(3)');
    await new Promise((resolve) => child.process.once('close', resolve));
    expect(describeFirstExit([child])).toBe('child exited (code 3): boom');
  });

  it('rejects a command that does not exist', () => {
    expect(() =>
      group.start({
        name: 'missing',
        command: '/nonexistent/command',
        args: [],
        env: process.env,
        cwd: process.cwd(),
      }),
    ).toThrow('cannot start missing');
  });
});
