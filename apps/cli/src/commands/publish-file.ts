import { stat } from 'node:fs/promises';
import {
  MAX_BATCH_SIZE,
  SignalpostApiError,
  SignalpostNetworkError,
  type SignalpostClient,
} from '@signalpost/client';
import {
  EXIT_CODES,
  exitCodeOf,
  worseExitCode,
  type ExitCode,
} from '../exit-codes';
import type { CliIo } from '../cli-io';
import { formatFields } from '../output/format-table';
import { ProgressBar } from '../output/progress-bar';
import { UsageError } from '../usage-error';
import { printJson, type CommandContext } from './command-context';
import { readNdjsonBatches, type NdjsonBatch } from './ndjson-batches';
import { fileError } from './read-input';

/**
 * Maximum bytes of signals per batch request, below the API's default
 * request limit of 5 MiB (`SIGNALPOST_MAX_BODY_BYTES`).
 *
 * NOTE: an API configured with a lower SIGNALPOST_MAX_BODY_BYTES rejects
 * large batches with 413, which a `--batch-bytes` option would fix.
 */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Maximum issues printed for one rejected batch. The rest are counted. */
const MAX_ISSUES_SHOWN = 10;

/** Counts of a file publish, printed as the summary. */
interface Tally {
  published: number;
  duplicates: number;
  failed: number;
}

/** Output of a file publish on stderr besides the summary. */
interface FileReporter {
  /** Writes a message line, clearing the progress bar first if drawn. */
  report(text: string): void;
  progress(bytesRead: number, tally: Tally): void;
  finish(): void;
}

/**
 * Publishes every line of an NDJSON file in batches, then prints the
 * summary. A rejected batch is reported and skipped. An unavailable API
 * stops the run, because every later batch would fail the same way.
 */
export async function publishFile(
  context: CommandContext,
  filePath: string,
): Promise<ExitCode> {
  const totalBytes = await fileSize(filePath);
  const client = context.client();
  const reporter = createReporter(context.io, totalBytes);
  const tally: Tally = { published: 0, duplicates: 0, failed: 0 };

  const startedMs = performance.now();
  const exitCode = await publishBatches(client, filePath, tally, reporter);
  reporter.finish();
  printSummary(context, tally, performance.now() - startedMs);
  return exitCode;
}

async function publishBatches(
  client: SignalpostClient,
  filePath: string,
  tally: Tally,
  reporter: FileReporter,
): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT_CODES.ok;
  const batches = readNdjsonBatches(filePath, {
    maxSignals: MAX_BATCH_SIZE,
    maxBytes: MAX_BATCH_BYTES,
  });
  for await (const batch of batches) {
    const skipped = countSkipped(batch, tally, reporter);
    const sent = await sendBatch(client, batch, tally, reporter);
    exitCode = worseExitCode(exitCode, worseExitCode(skipped, sent));
    reporter.progress(batch.bytesRead, tally);

    if (exitCode === EXIT_CODES.unavailable) {
      reporter.report(stopMessage(batch));
      break;
    }
  }
  return exitCode;
}

/** Draws the progress bar only when stderr is a terminal. */
function createReporter(io: CliIo, totalBytes: number): FileReporter {
  const bar = io.stderrIsTty
    ? new ProgressBar(io.stderr, totalBytes)
    : undefined;
  return {
    report: (text) => {
      if (bar) bar.interrupt(text);
      else io.stderr.write(text);
    },
    progress: (bytesRead, tally) =>
      bar?.update(bytesRead, {
        sent: tally.published + tally.duplicates,
        failed: tally.failed,
      }),
    finish: () => bar?.finish(),
  };
}

async function fileSize(filePath: string): Promise<number> {
  let stats;
  try {
    stats = await stat(filePath);
  } catch (error) {
    throw fileError(filePath, 'publish', error);
  }
  if (!stats.isFile()) {
    throw new UsageError(`--file ${filePath} is not a regular file`, 'publish');
  }
  return stats.size;
}

function countSkipped(
  batch: NdjsonBatch,
  tally: Tally,
  reporter: FileReporter,
): ExitCode {
  for (const line of batch.skipped) {
    reporter.report(`line ${line.lineNumber}: skipped: ${line.message}\n`);
  }
  tally.failed += batch.skipped.length;
  return batch.skipped.length > 0 ? EXIT_CODES.usage : EXIT_CODES.ok;
}

async function sendBatch(
  client: SignalpostClient,
  batch: NdjsonBatch,
  tally: Tally,
  reporter: FileReporter,
): Promise<ExitCode> {
  if (batch.signals.length === 0) return EXIT_CODES.ok;
  try {
    const result = await client.publishBatch(batch.signals);
    tally.published += result.accepted.length;
    tally.duplicates += result.duplicates.length;
    return EXIT_CODES.ok;
  } catch (error) {
    if (
      !(error instanceof SignalpostApiError) &&
      !(error instanceof SignalpostNetworkError)
    ) {
      throw error;
    }
    tally.failed += batch.signals.length;
    reporter.report(describeFailure(batch, error));
    return exitCodeOf(error);
  }
}

/** Describes a failed batch by line numbers, with the API's issues. */
function describeFailure(
  batch: NdjsonBatch,
  error: SignalpostApiError | SignalpostNetworkError,
): string {
  const first = batch.lineNumbers[0];
  const last = batch.lineNumbers[batch.lineNumbers.length - 1];
  const lines = [`lines ${first}-${last}: not published: ${error.message}`];
  const issues = error instanceof SignalpostApiError ? error.details : [];
  if (!Array.isArray(issues)) return `${lines[0]}\n`;

  for (const issue of issues.slice(0, MAX_ISSUES_SHOWN)) {
    lines.push(`  ${describeIssue(batch, issue)}`);
  }
  if (issues.length > MAX_ISSUES_SHOWN) {
    lines.push(`  and ${issues.length - MAX_ISSUES_SHOWN} more issues`);
  }
  return `${lines.join('\n')}\n`;
}

/** Names the file line of a batch issue `{index, code, message, path}`. */
function describeIssue(batch: NdjsonBatch, issue: unknown): string {
  const { index, code, message, path } = issue as Record<string, unknown>;
  const lineNumber =
    typeof index === 'number' ? batch.lineNumbers[index] : undefined;
  const where = lineNumber === undefined ? 'batch' : `line ${lineNumber}`;
  const field = typeof path === 'string' && path !== '' ? ` ${path}` : '';
  return `${where}:${field} ${String(code)}: ${String(message)}`;
}

function stopMessage(batch: NdjsonBatch): string {
  const last = batch.lineNumbers[batch.lineNumbers.length - 1];
  return `stopped after line ${last}: the API is unavailable, so the remaining lines were not sent\n`;
}

function printSummary(
  context: CommandContext,
  tally: Tally,
  elapsedMs: number,
): void {
  const sent = tally.published + tally.duplicates;
  const ratePerSec = elapsedMs > 0 ? sent / (elapsedMs / 1000) : 0;
  if (context.json) {
    printJson(context, {
      ...tally,
      elapsedMs: Math.round(elapsedMs),
      ratePerSec: Math.round(ratePerSec * 10) / 10,
    });
    return;
  }
  context.io.stdout.write(
    formatFields([
      ['published', String(tally.published)],
      ['duplicates', String(tally.duplicates)],
      ['failed', String(tally.failed)],
      ['elapsed', `${(elapsedMs / 1000).toFixed(2)} s`],
      ['rate', `${Math.round(ratePerSec)} signals/s`],
    ]),
  );
}
