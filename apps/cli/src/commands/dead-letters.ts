import type { DeadLetterEntry } from '@signalpost/client';
import { EXIT_CODES, type ExitCode } from '../exit-codes';
import { formatTable } from '../output/format-table';
import { printJson, type CommandContext } from './command-context';
import { nextPageHint, parsePageOptions } from './parse-page-options';

const COLUMNS = [
  'ID',
  'QUEUE',
  'KIND',
  'REASON',
  'SIGNAL',
  'SUBSCRIPTION',
  'ATTEMPTS',
  'CREATED',
  'REPLAYED AS',
];

/** `signalpost dead-letters list`. */
export async function listDeadLetters(
  context: CommandContext,
): Promise<ExitCode> {
  const { queue, subscription } = context.options;
  const page = await context.client().listDeadLetters({
    ...parsePageOptions(context.options, 'dead-letters list'),
    ...(queue === undefined ? {} : { queue }),
    ...(subscription === undefined ? {} : { subscription }),
  });
  if (context.json) {
    printJson(context, page);
    return EXIT_CODES.ok;
  }
  if (page.data.length === 0) {
    context.io.stdout.write('no dead-letter entries\n');
    return EXIT_CODES.ok;
  }
  context.io.stdout.write(
    formatTable(COLUMNS, page.data.map(toRow)) + nextPageHint(page.nextCursor),
  );
  return EXIT_CODES.ok;
}

/** `signalpost dead-letters replay <id>`. */
export async function replayDeadLetter(
  context: CommandContext,
): Promise<ExitCode> {
  const [id] = context.args as [string];
  const result = await context.client().replayDeadLetter(id);
  if (context.json) printJson(context, result);
  else
    context.io.stdout.write(
      `replayed ${id} as delivery ${result.deliveryId}\n`,
    );
  return EXIT_CODES.ok;
}

function toRow(entry: DeadLetterEntry): string[] {
  return [
    entry.id,
    entry.queue,
    entry.kind,
    entry.reason,
    entry.signalId ?? '',
    entry.subscriptionId ?? '',
    String(entry.attempts),
    entry.createdAt,
    entry.replayed?.deliveryId ?? '',
  ];
}
