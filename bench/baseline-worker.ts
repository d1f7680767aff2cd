/**
 * The baseline: the smallest BullMQ worker that does a webhook's job. Its
 * processor POSTs the job's data as JSON with undici and reads the response
 * body, nothing else: no records, no signing, no limits, no retries.
 * Started by the benchmark as its own process, configured by environment:
 * BENCH_REDIS_URL, BENCH_PREFIX, BENCH_QUEUE, BENCH_CONCURRENCY,
 * BENCH_TARGET_URL. It prints `ready` once it takes jobs.
 */
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { BASELINE_READY_LINE, BENCH_ID_HEADER } from './baseline-protocol';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`baseline worker: ${name} is missing\n`);
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  const targetUrl = requireEnv('BENCH_TARGET_URL');
  const connection = new Redis(requireEnv('BENCH_REDIS_URL'), {
    maxRetriesPerRequest: null,
  });
  const worker = new Worker(
    requireEnv('BENCH_QUEUE'),
    (job: Job) => post(targetUrl, job),
    {
      connection,
      prefix: requireEnv('BENCH_PREFIX'),
      concurrency: Number(requireEnv('BENCH_CONCURRENCY')),
    },
  );
  worker.on('error', (error) =>
    process.stderr.write(`baseline worker error: ${error.message}\n`),
  );
  await worker.waitUntilReady();
  process.stdout.write(`${BASELINE_READY_LINE}\n`);

  const stop = (): void => {
    void worker
      .close()
      .then(() => connection.quit())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function post(targetUrl: string, job: Job): Promise<void> {
  const data = job.data as { id?: unknown };
  const response = await request(targetUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [BENCH_ID_HEADER]: String(data.id ?? job.id),
    },
    body: JSON.stringify(job.data),
  });
  await response.body.text();
  if (response.statusCode >= 300) {
    throw new Error(`target responded with status ${response.statusCode}`);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`baseline worker failed to start: ${error.message}\n`);
  process.exit(1);
});
