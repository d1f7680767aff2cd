import type { SignalInput } from '@signalpost/client';
import { EXIT_CODES, type ExitCode } from '../exit-codes';
import { formatFields } from '../output/format-table';
import type { OptionName, OptionValues } from '../parse-command-line';
import { UsageError } from '../usage-error';
import { printJson, type CommandContext } from './command-context';
import { publishFile } from './publish-file';
import { parseJsonOption } from './read-input';

/** Options that build one signal, so none of them may go with `--file`. */
const SIGNAL_OPTIONS: readonly OptionName[] = [
  'type',
  'source',
  'id',
  'subject',
  'data',
  'idempotency-key',
];

/** `signalpost publish`: one signal from the options, or an NDJSON file. */
export async function runPublish(context: CommandContext): Promise<ExitCode> {
  const { options } = context;
  if (options.file !== undefined) {
    const clash = SIGNAL_OPTIONS.find((name) => options[name] !== undefined);
    if (clash !== undefined) {
      throw new UsageError(
        `--file cannot be combined with --${clash}`,
        'publish',
      );
    }
    return publishFile(context, options.file);
  }

  const signal = signalFromOptions(options);
  const key = options['idempotency-key'];
  const result = await context
    .client()
    .publish(signal, key === undefined ? {} : { idempotencyKey: key });
  if (context.json) {
    printJson(context, result);
  } else {
    context.io.stdout.write(
      formatFields([
        ['id', result.id],
        ['duplicate', String(result.duplicate)],
      ]),
    );
  }
  return EXIT_CODES.ok;
}

function signalFromOptions(options: OptionValues): SignalInput {
  const { type, source, id, subject, data } = options;
  if (type === undefined || source === undefined) {
    throw new UsageError(
      'publish needs --type and --source, or --file',
      'publish',
    );
  }
  return {
    type,
    source,
    ...(id === undefined ? {} : { id }),
    ...(subject === undefined ? {} : { subject }),
    ...(data === undefined
      ? {}
      : { data: parseJsonOption(data, '--data', 'publish') }),
  };
}
