import { parseArgs } from 'node:util';
import { UsageError } from './usage-error';

/** Every option of every command, so one parse finds the positionals. */
const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'max-retries': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  type: { type: 'string' },
  source: { type: 'string' },
  data: { type: 'string' },
  id: { type: 'string' },
  subject: { type: 'string' },
  'idempotency-key': { type: 'string' },
  file: { type: 'string' },
  'json-body': { type: 'string' },
  queue: { type: 'string' },
  subscription: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
} as const;

/** Name of an option of the `signalpost` command. */
export type OptionName = keyof typeof OPTIONS;

/** Option values as given: strings, and true for the boolean flags. */
export type OptionValues = {
  readonly [
    Name in OptionName
  ]?: (typeof OPTIONS)[Name]['type'] extends 'boolean' ? boolean : string;
};

/** Options every command takes. */
const COMMON_OPTIONS: readonly OptionName[] = [
  'url',
  'api-key',
  'max-retries',
  'json',
  'help',
];

interface ActionSpec {
  /** Names of the positional arguments after the action, all required. */
  readonly arguments: readonly string[];
  readonly options: readonly OptionName[];
}

const PAGE_OPTIONS: readonly OptionName[] = ['limit', 'cursor'];

/** Commands and their actions, where the action `''` means none. */
const COMMANDS: Readonly<Record<string, Readonly<Record<string, ActionSpec>>>> =
  {
    publish: {
      '': {
        arguments: [],
        options: [
          'type',
          'source',
          'data',
          'id',
          'subject',
          'idempotency-key',
          'file',
        ],
      },
    },
    subscriptions: {
      list: { arguments: [], options: PAGE_OPTIONS },
      get: { arguments: ['subscription id'], options: [] },
      create: { arguments: [], options: ['file', 'json-body'] },
      update: {
        arguments: ['subscription id'],
        options: ['file', 'json-body'],
      },
      delete: { arguments: ['subscription id'], options: [] },
    },
    'dead-letters': {
      list: {
        arguments: [],
        options: ['queue', 'subscription', ...PAGE_OPTIONS],
      },
      replay: { arguments: ['dead-letter entry id'], options: [] },
    },
  };

/** A command line, parsed and checked. */
export type CommandLine =
  | { readonly kind: 'help'; readonly topic: string }
  | { readonly kind: 'bench'; readonly args: readonly string[] }
  | {
      readonly kind: 'run';
      readonly command: string;
      /** The action, or `''` for a command without actions. */
      readonly action: string;
      /** The positional arguments after the action, in order. */
      readonly args: readonly string[];
      readonly options: OptionValues;
    };

/**
 * Parses the arguments after `signalpost`. The command comes first, but
 * common options may stand anywhere. Everything after `bench` goes to the
 * benchmark unchanged, except a `--help` before any `--`.
 *
 * @throws UsageError for an unknown command, action or option, a missing
 *   or extra argument, or an option the command does not take
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const commandIndex = findCommandIndex(argv);
  const command = commandIndex === undefined ? undefined : argv[commandIndex];
  if (command === 'bench') return parseBench(argv.slice(commandIndex! + 1));

  const actions =
    command === undefined ? undefined : ownEntry(COMMANDS, command);
  const { values, positionals } = parseStrict(argv, actions ? command! : '');
  if (command === undefined || command === 'help') {
    if (values.help === true || command === 'help') {
      return { kind: 'help', topic: positionals.slice(1).join(' ') };
    }
    throw new UsageError('missing command');
  }
  if (!actions) throw new UsageError(`unknown command ${quote(command)}`);
  return parseAction(command, actions, positionals.slice(1), values);
}

function parseAction(
  command: string,
  actions: Readonly<Record<string, ActionSpec>>,
  rest: readonly string[],
  values: OptionValues,
): CommandLine {
  const hasActions = !('' in actions);
  const action = hasActions ? rest[0] : '';
  if (action === undefined) {
    if (values.help === true) return { kind: 'help', topic: command };
    throw new UsageError(
      `missing action: ${command} ${Object.keys(actions).join('|')}`,
      command,
    );
  }
  const spec = ownEntry(actions, action);
  const topic = hasActions ? `${command} ${action}` : command;
  if (!spec) {
    throw new UsageError(`unknown action ${quote(action)}`, command);
  }
  if (values.help === true) return { kind: 'help', topic };

  const args = hasActions ? rest.slice(1) : rest;
  checkArguments(topic, spec, args);
  checkOptions(topic, spec, values);
  return { kind: 'run', command, action, args, options: values };
}

function checkArguments(
  topic: string,
  spec: ActionSpec,
  args: readonly string[],
): void {
  const missing = spec.arguments[args.length];
  if (missing !== undefined) {
    throw new UsageError(`${topic} needs a ${missing}`, topic);
  }
  const extra = args[spec.arguments.length];
  if (extra !== undefined) {
    throw new UsageError(`unexpected argument ${quote(extra)}`, topic);
  }
}

function checkOptions(
  topic: string,
  spec: ActionSpec,
  values: OptionValues,
): void {
  for (const name of Object.keys(values) as OptionName[]) {
    if (COMMON_OPTIONS.includes(name) || spec.options.includes(name)) continue;
    throw new UsageError(`${topic} does not take --${name}`, topic);
  }
}

function parseBench(rest: readonly string[]): CommandLine {
  const terminator = rest.indexOf('--');
  const own = terminator === -1 ? rest : rest.slice(0, terminator);
  if (own.includes('--help') || own.includes('-h')) {
    return { kind: 'help', topic: 'bench' };
  }
  const args =
    terminator === -1 ? rest : [...own, ...rest.slice(terminator + 1)];
  return { kind: 'bench', args };
}

/**
 * Finds the command word: the first positional, once the values of the
 * known string options are skipped.
 */
function findCommandIndex(argv: readonly string[]): number | undefined {
  const { tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  return tokens.find((token) => token.kind === 'positional')?.index;
}

function parseStrict(
  argv: readonly string[],
  topic: string,
): { values: OptionValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
    return { values: values as OptionValues, positionals };
  } catch (error) {
    throw new UsageError(parseErrorMessage(error), topic, { cause: error });
  }
}

/**
 * Shortens the TypeError of parseArgs (code `ERR_PARSE_ARGS_*`). Its
 * message for an unknown option goes on to explain `--`, which misleads
 * here because no command takes positional values starting with `-`.
 */
function parseErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    return `unknown option ${unknown[1]}`;
  }
  // Under some runners (jest among them) the message starts with the name
  // and the code, such as "TypeError [ERR_PARSE_ARGS_...]: ".
  return message.replace(/^\w*Error \[[A-Z_]+\]: /, '');
}

/**
 * Looks a name up among an object's own keys only, so that words such as
 * `constructor` or `toString` are not found on the prototype.
 */
export function ownEntry<T>(
  record: Readonly<Record<string, T>>,
  name: string,
): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function quote(value: string): string {
  return JSON.stringify(value);
}
