/**
 * `npm run bench:isolation`: measures how much a hanging target and a
 * refusing target slow deliveries to a healthy one. Two phases on one
 * machine, interleaved over rounds: the healthy target alone, then the same
 * signals also matched by a target that accepts connections and never
 * responds (timeoutMs 30 s) and by one whose port refuses connections. The
 * ratio is the healthy target's delivery rate with both beside it over its
 * rate alone. The healthy target may use every worker slot; the failing
 * ones keep the default maxInFlight.
 *
 * NOTE: the API, router and worker run in this process (one worker at
 * concurrency 50), beside the receivers, unlike `bench/run.ts`, which runs
 * them as separate processes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '@signalpost/config';
import { startApi } from '../apps/api/src/start-api';
import { startRouter } from '../apps/router/src/start-router';
import { startWorker } from '../apps/worker/src/start-worker';
import { freePort, waitForPort } from './free-port';

const SIGNALS = Number(process.env.ISOLATION_SIGNALS ?? 2000);
const ROUNDS = Number(process.env.ISOLATION_ROUNDS ?? 2);
const PHASE_TIMEOUT_MS = 120_000;
const API_KEY = 'isolation-admin-key';
const WORKER_CONCURRENCY = 50;

async function main(): Promise<void> {
  const redisPort = await freePort();
  const redis = spawn(
    'redis-server',
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      mkdtempSync(path.join(tmpdir(), 'signalpost-isolation-')),
    ],
    { stdio: 'ignore' },
  );
  const hanging = net.createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const refusingPort = await freePort();
  const results: { round: number; phase: string; rate: number }[] = [];
  try {
    await waitForPort(redisPort, 10_000);
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const impaired of [false, true]) {
        const rate = await runPhase(
          `redis://127.0.0.1:${redisPort}`,
          impaired,
          portOf(hanging),
          refusingPort,
          round,
        );
        results.push({
          round,
          phase: impaired
            ? 'beside a hanging and a refusing target'
            : 'healthy target alone',
          rate,
        });
        process.stderr.write(
          `round ${round}, ${impaired ? 'impaired' : 'healthy'}: ${rate.toFixed(0)} deliveries/s\n`,
        );
      }
    }
  } finally {
    hanging.close();
    redis.kill('SIGTERM');
  }
  printTable(results);
}

async function runPhase(
  redisUrl: string,
  impaired: boolean,
  hangingPort: number,
  refusingPort: number,
  round: number,
): Promise<number> {
  let arrived = 0;
  let lastAt = 0;
  const receiver = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      arrived += 1;
      lastAt = performance.now();
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) =>
    receiver.listen(0, '127.0.0.1', resolve),
  );
  const config = loadConfig({
    REDIS_URL: redisUrl,
    SIGNALPOST_PREFIX: `{iso-${round}-${impaired ? 'i' : 'h'}}`,
    SIGNALPOST_API_KEYS: `${API_KEY}=admin`,
    SIGNALPOST_ALLOW_TARGETS: '127.0.0.0/8',
    PORT: '0',
    HOST: '127.0.0.1',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
  });
  const logger = pino({ level: 'silent' });
  const api = await startApi(config, { logger, healthServer: false });
  const router = await startRouter(config, { logger, healthServer: false });
  const worker = await startWorker(config, { logger, healthServer: false });
  const base = `http://127.0.0.1:${api.port}`;
  try {
    await subscribe(
      base,
      'healthy',
      `http://127.0.0.1:${portOf(receiver)}/`,
      // At the default maxInFlight of 10, most of the 50 worker slots would
      // hold this target's deliveries back for 250 to 500 ms each, and the
      // phase alone would measure that wait rather than the target.
      { maxInFlight: WORKER_CONCURRENCY },
    );
    if (impaired) {
      await subscribe(base, 'hanging', `http://127.0.0.1:${hangingPort}/`, {
        timeoutMs: 30_000,
      });
      await subscribe(
        base,
        'refusing',
        `http://127.0.0.1:${refusingPort}/`,
        {},
      );
    }
    const started = performance.now();
    for (let offset = 0; offset < SIGNALS; offset += 100) {
      const batch = Array.from(
        { length: Math.min(100, SIGNALS - offset) },
        (_, index) => ({
          type: 'iso.event',
          source: 'isolation',
          data: { n: offset + index },
        }),
      );
      await publishBatch(base, batch);
    }
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    while (arrived < SIGNALS && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    if (arrived < SIGNALS)
      throw new Error(
        `only ${arrived} of ${SIGNALS} deliveries arrived within ${PHASE_TIMEOUT_MS} ms`,
      );
    return SIGNALS / ((lastAt - started) / 1000);
  } finally {
    await worker.close();
    await router.close();
    await api.close();
    receiver.closeAllConnections();
    receiver.close();
  }
}

async function subscribe(
  base: string,
  id: string,
  url: string,
  extra: Record<string, unknown>,
): Promise<void> {
  const response = await fetch(`${base}/v1/subscriptions/${id}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${API_KEY}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      pattern: 'iso.**',
      dispatch: { adapter: 'webhook', url, ...extra },
    }),
  });
  if (response.status >= 300)
    throw new Error(
      `subscription ${id}: ${response.status} ${await response.text()}`,
    );
}

async function publishBatch(base: string, batch: unknown[]): Promise<void> {
  const response = await fetch(`${base}/v1/signals`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${API_KEY}`,
      'content-type': 'application/cloudevents-batch+json',
    },
    body: JSON.stringify(batch),
  });
  if (response.status !== 202)
    throw new Error(`publish: ${response.status} ${await response.text()}`);
}

function portOf(server: net.Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function printTable(
  results: { round: number; phase: string; rate: number }[],
): void {
  const lines = [
    '| round | healthy target | deliveries/s |',
    '| ---: | --- | ---: |',
  ];
  for (const result of results)
    lines.push(
      `| ${result.round} | ${result.phase} | ${result.rate.toFixed(0)} |`,
    );
  const ratios = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const [alone, beside] = results.filter((result) => result.round === round);
    if (alone && beside) ratios.push(beside.rate / alone.rate);
  }
  ratios.sort((a, b) => a - b);
  const middle = Math.floor(ratios.length / 2);
  const median =
    ratios.length % 2 === 1
      ? (ratios[middle] ?? Number.NaN)
      : ((ratios[middle - 1] ?? Number.NaN) + (ratios[middle] ?? Number.NaN)) /
        2;
  process.stdout.write(
    `${lines.join('\n')}\n\nisolation ratio (beside / alone), median of ${ratios.length} rounds: ${median.toFixed(2)} (rounds: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')})\n`,
  );
}

main().catch((error: Error) => {
  process.stderr.write(`isolation bench failed: ${error.message}\n`);
  process.exit(1);
});
