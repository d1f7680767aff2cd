import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import {
  CIRCUIT_OPEN_ERROR_CODE,
  type CircuitKeys,
  type CircuitSettings,
} from '../src';
import { circuitKeysFor } from './circuit-test-keys';
import {
  deletePrefix,
  testPrefix,
  testRedisUrl,
} from '../../../test/support/redis';
import { startReceiver, type Receiver } from '../../../test/support/receiver';
import type { WorkerReply } from './circuit-breaker-worker';
import { closeConnections, openConnections, sleep } from './redis-connections';

const prefix = testPrefix('circuit-processes');
const workerScript = path.join(__dirname, 'circuit-breaker-worker.ts');
const replyTimeoutMs = 20_000;
const settings: CircuitSettings = Object.freeze({
  failureThreshold: 3,
  errorThresholdPercentage: 50,
  failureWindowMs: 60_000,
  recoveryTimeoutMs: 500,
  halfOpenMaxCalls: 1,
});
let receiver: Receiver;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  const keys = keysFor('processes');
  workers = await Promise.all(
    [0, 1].map(() => WorkerProcess.start(keys, receiver.url, settings)),
  );
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await receiver.close();
  await deletePrefix(prefix);
});

describe('circuit breaker across worker processes', () => {
  it('opens, half-opens and closes for both processes', async () => {
    const [first, second] = workers as [WorkerProcess, WorkerProcess];
    receiver.answer(() => ({ status: 503 }));
    const opening: WorkerReply[] = [];
    for (let call = 0; call < 3; call += 1) opening.push(await first.fire());
    expect(opening.map(statusOf)).toEqual([503, 503, 503]);

    const whileOpen = await Promise.all([
      ...Array.from({ length: 5 }, () => second.fire()),
      ...Array.from({ length: 2 }, () => first.fire()),
    ]);
    for (const reply of whileOpen) {
      expect(reply).toMatchObject({
        sent: false,
        code: CIRCUIT_OPEN_ERROR_CODE,
        state: 'open',
      });
    }
    expect(receiver.requests).toHaveLength(3);

    await sleep(settings.recoveryTimeoutMs + 100);
    receiver.answer(() => ({ status: 200, delayMs: 300 }));
    const halfOpen = await Promise.all(
      [first, second].flatMap((worker) =>
        Array.from({ length: 5 }, () => worker.fire()),
      ),
    );
    const sent = halfOpen.filter((reply) => reply.sent);
    expect(sent).toHaveLength(1);
    expect(receiver.requests).toHaveLength(4);
    for (const reply of halfOpen.filter((r) => !r.sent)) {
      expect(reply).toMatchObject({ state: 'half_open' });
    }

    const afterTrial = await second.fire();
    expect(afterTrial).toMatchObject({ sent: true, status: 200 });
  });

  it('stays closed when one batching process fails first', async () => {
    const keys = keysFor('batching');
    const defaults = {
      ...settings,
      failureThreshold: 5,
      recoveryTimeoutMs: 60_000,
    };
    const [passing, failing] = await Promise.all([
      WorkerProcess.start(keys, `${receiver.url}/ok`, defaults, 100),
      WorkerProcess.start(keys, `${receiver.url}/fail`, defaults, 100),
    ]);
    workers.push(passing, failing);
    receiver.answer((_index, request) => ({
      status: request.url === '/fail' ? 503 : 200,
    }));

    const passed: WorkerReply[] = [];
    for (let call = 0; call < 8; call += 1) passed.push(await passing.fire());
    const failed: WorkerReply[] = [];
    for (let call = 0; call < 5; call += 1) failed.push(await failing.fire());

    expect(passed.map(statusOf)).toEqual(Array(8).fill(200));
    expect(failed.map(statusOf)).toEqual(Array(5).fill(503));
    // 5 failures of 13 requests: under the 50 % needed to open.
    const [redis] = openConnections(1) as [Redis];
    try {
      expect(await redis.hget(keys.breaker, 'state')).toBe('closed');
    } finally {
      await closeConnections([redis]);
    }
  });
});

function keysFor(name: string): CircuitKeys {
  return circuitKeysFor(prefix, name);
}

function statusOf(reply: WorkerReply): number | undefined {
  return reply.sent ? reply.status : undefined;
}

/** A child process running the stand-in worker, driven over stdin. */
class WorkerProcess {
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: WorkerReply) => void>();

  private constructor(private readonly child: ChildProcess) {}

  static async start(
    keys: CircuitKeys,
    targetUrl: string,
    circuit: CircuitSettings,
    successBatchMs = 0,
  ): Promise<WorkerProcess> {
    const args = [
      '--import',
      'tsx',
      workerScript,
      testRedisUrl(),
      JSON.stringify(keys),
      JSON.stringify(circuit),
      targetUrl,
      String(successBatchMs),
    ];
    const child = spawn(process.execPath, args, {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const worker = new WorkerProcess(child);
    await worker.listen();
    return worker;
  }

  /** Fires one request in the child and resolves with its reply. */
  fire(): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply to fire ${id}`)),
        replyTimeoutMs,
      );
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.stdin?.write(`${JSON.stringify({ id })}\n`);
    });
  }

  /** Ends stdin so the child exits, and kills it if it does not. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('worker process not ready')),
        replyTimeoutMs,
      );
      this.child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      const { stdout } = this.child;
      if (!stdout) throw new Error('worker process has no stdout');
      const lines = createInterface({ input: stdout });
      lines.on('line', (line) => {
        const message = JSON.parse(line) as WorkerReply | { ready: true };
        if ('ready' in message) {
          clearTimeout(timer);
          resolve();
          return;
        }
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
      });
    });
  }
}
