import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SignalInput } from '@signalpost/client';

/** A line of the file that was not sent, and why. */
export interface SkippedLine {
  readonly lineNumber: number;
  readonly message: string;
}

/** Consecutive lines of an NDJSON file, ready for one batch request. */
export interface NdjsonBatch {
  readonly signals: SignalInput[];
  /** The 1-based line number of each signal, by index. */
  readonly lineNumbers: number[];
  /** Lines in this stretch that are not JSON objects. */
  readonly skipped: SkippedLine[];
  /** Bytes of the file read up to the end of this batch. */
  bytesRead: number;
}

/** Limits of one batch. */
export interface BatchLimits {
  readonly maxSignals: number;
  /** Maximum bytes of the signals' lines in one batch. */
  readonly maxBytes: number;
}

/**
 * Reads an NDJSON file line by line and yields batches of at most
 * `maxSignals` signals and `maxBytes` bytes. Blank lines are skipped
 * silently. Lines that are not JSON objects are reported in `skipped`.
 * A single line larger than `maxBytes` goes alone in its batch.
 */
export async function* readNdjsonBatches(
  filePath: string,
  limits: BatchLimits,
): AsyncGenerator<NdjsonBatch> {
  const lines = createInterface({
    input: createReadStream(filePath),
    crlfDelay: Infinity,
  });
  let batch = emptyBatch(0);
  let batchBytes = 0;
  let bytesRead = 0;
  let lineNumber = 0;

  for await (const line of lines) {
    lineNumber += 1;
    const lineBytes = Buffer.byteLength(line) + 1;
    if (isFull(batch, batchBytes + lineBytes, limits)) {
      yield batch;
      batch = emptyBatch(bytesRead);
      batchBytes = 0;
    }
    bytesRead += lineBytes;
    batchBytes += addLine(batch, line, lineNumber) ? lineBytes : 0;
    batch.bytesRead = bytesRead;
  }
  if (batch.signals.length > 0 || batch.skipped.length > 0) yield batch;
}

function emptyBatch(bytesRead: number): NdjsonBatch {
  return { signals: [], lineNumbers: [], skipped: [], bytesRead };
}

function isFull(
  batch: NdjsonBatch,
  bytesWithLine: number,
  limits: BatchLimits,
): boolean {
  if (batch.signals.length === 0) return false;
  return (
    batch.signals.length >= limits.maxSignals || bytesWithLine > limits.maxBytes
  );
}

/** Adds the line to the batch and returns whether it became a signal. */
function addLine(
  batch: NdjsonBatch,
  line: string,
  lineNumber: number,
): boolean {
  if (line.trim().length === 0) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    const message = `not valid JSON: ${(error as Error).message}`;
    batch.skipped.push({ lineNumber, message });
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    batch.skipped.push({ lineNumber, message: 'not a JSON object' });
    return false;
  }
  batch.signals.push(parsed as SignalInput);
  batch.lineNumbers.push(lineNumber);
  return true;
}
