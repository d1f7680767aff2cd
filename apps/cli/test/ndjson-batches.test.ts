import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  readNdjsonBatches,
  type BatchLimits,
  type NdjsonBatch,
} from '../src/commands/ndjson-batches';

describe('readNdjsonBatches', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'signalpost-ndjson-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function batchesOf(
    text: string,
    limits: BatchLimits,
  ): Promise<NdjsonBatch[]> {
    const filePath = path.join(directory, `${Math.random()}.ndjson`);
    await writeFile(filePath, text);
    const batches: NdjsonBatch[] = [];
    for await (const batch of readNdjsonBatches(filePath, limits)) {
      batches.push(batch);
    }
    return batches;
  }

  function lines(count: number): string {
    return Array.from(
      { length: count },
      (_, index) =>
        `${JSON.stringify({ type: 't', source: 's', id: `${index}` })}\n`,
    ).join('');
  }

  it('splits by the number of signals', async () => {
    const batches = await batchesOf(lines(5), {
      maxSignals: 2,
      maxBytes: 1_000_000,
    });
    expect(batches.map((batch) => batch.signals.length)).toEqual([2, 2, 1]);
    expect(batches.map((batch) => batch.lineNumbers)).toEqual([
      [1, 2],
      [3, 4],
      [5],
    ]);
  });

  it('splits by bytes, and sends an oversized line alone', async () => {
    const small = '{"type":"t","source":"s"}';
    const large = JSON.stringify({
      type: 't',
      source: 's',
      data: 'x'.repeat(200),
    });
    const text = `${small}\n${small}\n${large}\n${small}\n`;
    const batches = await batchesOf(text, { maxSignals: 100, maxBytes: 60 });
    expect(batches.map((batch) => batch.lineNumbers)).toEqual([
      [1, 2],
      [3],
      [4],
    ]);
  });

  it('skips blank lines and reports lines that are not objects', async () => {
    const text = '{"type":"t","source":"s"}\n\n  \nnot json\n[1]\n42\n';
    const [batch] = await batchesOf(text, { maxSignals: 10, maxBytes: 1000 });
    expect(batch?.lineNumbers).toEqual([1]);
    expect(batch?.skipped.map((line) => line.lineNumber)).toEqual([4, 5, 6]);
    expect(batch?.skipped[0]?.message).toContain('not valid JSON');
    expect(batch?.skipped[1]?.message).toBe('not a JSON object');
  });

  it('reads a last line without a newline and windows line endings', async () => {
    const text = '{"type":"t","source":"s"}\r\n{"type":"u","source":"s"}';
    const [batch] = await batchesOf(text, { maxSignals: 10, maxBytes: 1000 });
    expect(batch?.signals.map((signal) => signal.type)).toEqual(['t', 'u']);
  });

  it('counts the bytes read up to the end of each batch', async () => {
    const text = lines(4);
    const batches = await batchesOf(text, { maxSignals: 2, maxBytes: 1000 });
    expect(batches[batches.length - 1]?.bytesRead).toBe(
      Buffer.byteLength(text),
    );
    expect(batches[0]!.bytesRead).toBeLessThan(Buffer.byteLength(text));
  });

  it('yields nothing for an empty file', async () => {
    expect(await batchesOf('', { maxSignals: 10, maxBytes: 1000 })).toEqual([]);
  });
});
