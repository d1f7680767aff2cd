import {
  SignalpostApiError,
  SignalpostClientError,
  SignalpostNetworkError,
} from '@signalpost/client';
import type { CliIo } from './cli-io';
import { runBench } from './commands/bench';
import type { CommandContext } from './commands/command-context';
import { listDeadLetters, replayDeadLetter } from './commands/dead-letters';
import { runPublish } from './commands/publish';
import {
  createSubscription,
  deleteSubscription,
  updateSubscription,
  getSubscription,
  listSubscriptions,
} from './commands/subscriptions';
import { createClient } from './create-client';
import { EXIT_CODES, exitCodeOf, type ExitCode } from './exit-codes';
import { HELP_TEXT } from './help-text';
import {
  ownEntry,
  parseCommandLine,
  type CommandLine,
} from './parse-command-line';
import { UsageError } from './usage-error';

type Handler = (context: CommandContext) => Promise<ExitCode>;

/** Handlers by `command action`, or by `command` alone when it has no actions. */
const HANDLERS: Readonly<Record<string, Handler>> = Object.freeze({
  publish: runPublish,
  'subscriptions list': listSubscriptions,
  'subscriptions get': getSubscription,
  'subscriptions create': createSubscription,
  'subscriptions update': updateSubscription,
  'subscriptions delete': deleteSubscription,
  'dead-letters list': listDeadLetters,
  'dead-letters replay': replayDeadLetter,
});

/**
 * Runs the `signalpost` command line and returns the exit code. Errors
 * are printed on stderr, as JSON under `--json`, and never thrown.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  // Known before parsing, so that even a usage error comes out as JSON.
  const json = argv.includes('--json');
  try {
    return await runCommandLine(parseCommandLine(argv), io);
  } catch (error) {
    io.stderr.write(json ? formatErrorJson(error) : formatError(error));
    return exitCodeOf(error);
  }
}

async function runCommandLine(line: CommandLine, io: CliIo): Promise<number> {
  if (line.kind === 'help') return printHelp(line.topic, io);
  if (line.kind === 'bench') return runBench(line.args, io);

  const topic =
    line.action === '' ? line.command : `${line.command} ${line.action}`;
  const handler = ownEntry(HANDLERS, topic);
  if (!handler) throw new UsageError(`unknown command ${topic}`);
  return handler({
    io,
    options: line.options,
    args: line.args,
    json: line.options.json === true,
    client: () => createClient(line.options, io.env),
  });
}

function printHelp(topic: string, io: CliIo): ExitCode {
  const text = ownEntry(HELP_TEXT, topic);
  if (text === undefined) {
    throw new UsageError(`no help for ${JSON.stringify(topic)}`);
  }
  io.stdout.write(text);
  return EXIT_CODES.ok;
}

function formatError(error: unknown): string {
  if (error instanceof UsageError) {
    const help = error.topic === '' ? '--help' : `${error.topic} --help`;
    return `signalpost: ${error.message}\nRun 'signalpost ${help}' for usage.\n`;
  }
  if (error instanceof SignalpostApiError) {
    const details =
      error.details === undefined
        ? ''
        : `details: ${JSON.stringify(error.details)}\n`;
    return `signalpost: ${error.message}\n${details}`;
  }
  if (
    error instanceof SignalpostNetworkError ||
    error instanceof SignalpostClientError
  ) {
    return `signalpost: ${error.message}\n`;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : error;
  return `signalpost: unexpected failure: ${String(text)}\n`;
}

function formatErrorJson(error: unknown): string {
  const body: Record<string, unknown> = {
    message: error instanceof Error ? error.message : String(error),
  };
  if (error instanceof UsageError) body.code = 'usage';
  if (
    error instanceof SignalpostNetworkError ||
    error instanceof SignalpostClientError
  ) {
    body.code = error.code;
  }
  if (error instanceof SignalpostApiError) {
    Object.assign(body, {
      code: error.code,
      status: error.status,
      ...(error.details === undefined ? {} : { details: error.details }),
    });
  }
  return `${JSON.stringify({ error: body })}\n`;
}
