import type { SignalpostClient } from '@signalpost/client';
import type { CliIo } from '../cli-io';
import type { OptionValues } from '../parse-command-line';

/** Input, output and API client of a running command. */
export interface CommandContext {
  readonly io: CliIo;
  readonly options: OptionValues;
  /** Positional arguments after the action, such as a subscription id. */
  readonly args: readonly string[];
  /** Whether `--json` was given, for machine-readable output. */
  readonly json: boolean;
  /** Builds the API client, which commands call after checking their input. */
  readonly client: () => SignalpostClient;
}

/** Prints a value as indented JSON on stdout. */
export function printJson(context: CommandContext, value: unknown): void {
  context.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
