import { parseCommandLine } from '../src/parse-command-line';
import { UsageError } from '../src/usage-error';

describe('parseCommandLine', () => {
  it.each([
    [['--help'], ''],
    [['-h'], ''],
    [['help'], ''],
    [['help', 'publish'], 'publish'],
    [['help', 'subscriptions', 'list'], 'subscriptions list'],
    [['publish', '--help'], 'publish'],
    [['subscriptions', '--help'], 'subscriptions'],
    [['subscriptions', 'get', '--help'], 'subscriptions get'],
    [['dead-letters', 'replay', '-h'], 'dead-letters replay'],
    [['bench', '--help'], 'bench'],
  ])('reads %j as help on %p', (argv, topic) => {
    expect(parseCommandLine(argv)).toEqual({ kind: 'help', topic });
  });

  it('reads a publish with its options', () => {
    const line = parseCommandLine([
      'publish',
      '--type',
      'order.created',
      '--source',
      'shop',
      '--json',
    ]);
    expect(line).toEqual({
      kind: 'run',
      command: 'publish',
      action: '',
      args: [],
      options: { type: 'order.created', source: 'shop', json: true },
    });
  });

  it('accepts common options before the command', () => {
    const line = parseCommandLine([
      '--url',
      'http://127.0.0.1:9',
      'subscriptions',
      'get',
      'orders',
    ]);
    expect(line).toMatchObject({
      kind: 'run',
      command: 'subscriptions',
      action: 'get',
      args: ['orders'],
      options: { url: 'http://127.0.0.1:9' },
    });
  });

  it.each([
    [['bench'], []],
    [
      ['bench', '--rounds', '3'],
      ['--rounds', '3'],
    ],
    [['--url', 'x', 'bench', 'quick'], ['quick']],
    [['bench', '--', '--help'], ['--help']],
    [
      ['bench', 'a', '--', 'b'],
      ['a', 'b'],
    ],
  ])('passes %j on to the benchmark as %j', (argv, args) => {
    expect(parseCommandLine(argv)).toEqual({ kind: 'bench', args });
  });

  it.each([
    [[], 'missing command'],
    [['nope'], 'unknown command "nope"'],
    [['toString'], 'unknown command "toString"'],
    [['subscriptions'], 'missing action'],
    [['subscriptions', 'constructor'], 'unknown action "constructor"'],
    [['subscriptions', 'get'], 'needs a subscription id'],
    [['subscriptions', 'delete', 'a', 'b'], 'unexpected argument "b"'],
    [['dead-letters', 'replay'], 'needs a dead-letter entry id'],
    [['publish', 'extra'], 'unexpected argument "extra"'],
    [['publish', '--queue', 'q'], 'publish does not take --queue'],
    [['subscriptions', 'list', '--type', 't'], 'does not take --type'],
    [['publish', '--typo'], 'unknown option --typo'],
    [['publish', '--type'], 'argument missing'],
  ])('rejects %j: %s', (argv, message) => {
    const error = captureError(() => parseCommandLine(argv));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain(message);
  });

  it('drops the error name and code from parseArgs messages', () => {
    const error = captureError(() => parseCommandLine(['publish', '--type']));
    expect((error as Error).message).toMatch(/^Option '--type/);
  });

  it('names the help topic of the command in a usage error', () => {
    const error = captureError(() =>
      parseCommandLine(['subscriptions', 'get']),
    ) as UsageError;
    expect(error.topic).toBe('subscriptions get');
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
