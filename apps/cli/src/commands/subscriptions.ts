import type {
  Subscription,
  SubscriptionInput,
  SubscriptionTarget,
} from '@signalpost/client';
import { EXIT_CODES, type ExitCode } from '../exit-codes';
import { formatFields, formatTable } from '../output/format-table';
import { UsageError } from '../usage-error';
import { printJson, type CommandContext } from './command-context';
import { nextPageHint, parsePageOptions } from './parse-page-options';
import { parseJsonOption, readJsonFile } from './read-input';

/** `signalpost subscriptions list`. */
export async function listSubscriptions(
  context: CommandContext,
): Promise<ExitCode> {
  const page = await context
    .client()
    .listSubscriptions(parsePageOptions(context.options, 'subscriptions list'));
  if (context.json) {
    printJson(context, page);
    return EXIT_CODES.ok;
  }
  if (page.data.length === 0) {
    context.io.stdout.write('no subscriptions\n');
    return EXIT_CODES.ok;
  }
  const rows = page.data.map((subscription) => [
    subscription.id,
    subscription.pattern,
    String(subscription.enabled),
    subscription.dispatch.map(describeTarget).join(', '),
    subscription.managedBy,
  ]);
  context.io.stdout.write(
    formatTable(['ID', 'PATTERN', 'ENABLED', 'TARGETS', 'MANAGED BY'], rows) +
      nextPageHint(page.nextCursor),
  );
  return EXIT_CODES.ok;
}

/** `signalpost subscriptions get <id>`. */
export async function getSubscription(
  context: CommandContext,
): Promise<ExitCode> {
  const [id] = context.args as [string];
  printSubscription(context, await context.client().getSubscription(id));
  return EXIT_CODES.ok;
}

/** `signalpost subscriptions create --file F | --json-body JSON`. */
export async function createSubscription(
  context: CommandContext,
): Promise<ExitCode> {
  const body = await readSubscriptionBody(context, 'subscriptions create');
  printSubscription(context, await context.client().createSubscription(body));
  return EXIT_CODES.ok;
}

/** `signalpost subscriptions update <id> --file F | --json-body JSON`. */
export async function updateSubscription(
  context: CommandContext,
): Promise<ExitCode> {
  const [id] = context.args as [string];
  const body = await readSubscriptionBody(context, 'subscriptions update');
  printSubscription(context, await context.client().putSubscription(id, body));
  return EXIT_CODES.ok;
}

/** `signalpost subscriptions delete <id>`. */
export async function deleteSubscription(
  context: CommandContext,
): Promise<ExitCode> {
  const [id] = context.args as [string];
  await context.client().deleteSubscription(id);
  if (context.json) printJson(context, { id, deleted: true });
  else context.io.stdout.write(`deleted subscription ${id}\n`);
  return EXIT_CODES.ok;
}

async function readSubscriptionBody(
  context: CommandContext,
  topic: string,
): Promise<SubscriptionInput> {
  const { file, 'json-body': jsonBody } = context.options;
  if ((file === undefined) === (jsonBody === undefined)) {
    throw new UsageError('give exactly one of --file and --json-body', topic);
  }
  const body =
    file === undefined
      ? parseJsonOption(jsonBody!, '--json-body', topic)
      : await readJsonFile(file, topic);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new UsageError('the subscription must be a JSON object', topic);
  }
  return body as SubscriptionInput;
}

function printSubscription(
  context: CommandContext,
  subscription: Subscription,
): void {
  if (context.json) {
    printJson(context, subscription);
    return;
  }
  const fields: [string, string][] = [
    ['id', subscription.id],
    ['pattern', subscription.pattern],
    ['enabled', String(subscription.enabled)],
    ...(subscription.filter === undefined
      ? []
      : [['filter', subscription.filter] as [string, string]]),
    ['managed by', subscription.managedBy],
    ['version', String(subscription.version)],
    ['created', subscription.createdAt],
    ['updated', subscription.updatedAt],
  ];
  const targets = subscription.dispatch.map((target) => [
    target.id,
    target.adapter,
    target.url ?? '',
    target.disabled === undefined
      ? ''
      : `since ${target.disabled.at}: ${target.disabled.reason}`,
  ]);
  context.io.stdout.write(
    `${formatFields(fields)}\n${formatTable(['TARGET', 'ADAPTER', 'URL', 'DISABLED'], targets)}`,
  );
}

function describeTarget(target: SubscriptionTarget): string {
  const described =
    target.url === undefined
      ? target.adapter
      : `${target.adapter} ${target.url}`;
  return target.disabled === undefined ? described : `${described} (disabled)`;
}
