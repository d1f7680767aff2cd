import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { freePortRange } from './free-ports';
import {
  forgetGroup,
  killGroupOnExit,
  listChildProcesses,
  readProcessVariable,
  signalProcess,
} from './process-tree';
import { sleep } from './timing';

const ROOT = path.resolve(__dirname, '../../..');
/** Lines of the stack's output kept in memory for the checks; the log file has all. */
const KEPT_LINES = 20_000;
const READY_TIMEOUT_MS = 120_000;
const POLL_MS = 250;
/** Extra time `scripts/start.ts` may take past its apps' grace to stop. */
const STOP_MARGIN_MS = 20_000;
const DEFAULT_GRACE_MS = 25_000;
const REQUEST_TIMEOUT_MS = 15_000;

/** Options of {@link SupervisedStack.start}. */
export interface SupervisedStackOptions {
  /** Redis of the stack, passed as `REDIS_URL`. */
  readonly redisUrl: string;
  /** Short name used in the key prefix and the log file name. */
  readonly name: string;
  /** Folder of the log file. */
  readonly logDir: string;
  /** Worker processes. @defaultValue 2 */
  readonly workers?: number;
  /** `LOG_LEVEL` of the apps. @defaultValue warn */
  readonly logLevel?: string;
  /** More variables for every app, e.g. `SHUTDOWN_GRACE_MS`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** One app process that `scripts/start.ts` supervises. */
export interface SupervisedApp {
  readonly pid: number;
  /** `api`, `router`, `monitor`, or `worker-<n>` counting from 1. */
  readonly name: string;
  /** The port of its `/metrics`, `/healthz` and `/readyz`. */
  readonly metricsPort: number;
}

/** An HTTP response of the API with its body parsed as JSON when it is JSON. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

/**
 * The whole stack started as `npm start` starts it: `scripts/start.ts` as a
 * process group of its own, running the API, the router, the workers and the
 * monitor as child processes, restarting any that dies.
 */
export class SupervisedStack {
  /** Lines that `scripts/start.ts` and its apps printed, the latest last. */
  readonly lines: string[] = [];
  /** The `<app> exited (...)` lines that `scripts/start.ts` printed. */
  readonly exits: string[] = [];
  private readonly pool: Pool;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly prefix: string,
    readonly workerCount: number,
    /** The admin key the stack accepts. */
    readonly apiKey: string,
    private readonly graceMs: number,
    private readonly log: WriteStream,
  ) {
    this.pool = new Pool(this.apiOrigin, { connections: 8 });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) =>
        this.keepLine(line),
      );
    }
  }

  /** Starts the stack and waits until every app's `/readyz` returns 200. */
  static async start(
    options: SupervisedStackOptions,
  ): Promise<SupervisedStack> {
    const workers = options.workers ?? 2;
    // The API, the router, each worker and the monitor get one port each.
    const port = await freePortRange(workers + 3);
    const prefix = `{sp-faults-${options.name}-${randomBytes(4).toString('hex')}}`;
    const graceMs = Number(options.env?.SHUTDOWN_GRACE_MS ?? DEFAULT_GRACE_MS);
    mkdirSync(options.logDir, { recursive: true });
    const log = createWriteStream(
      path.join(options.logDir, `${options.name}.log`),
    );
    const apiKey = `faults-admin-${randomBytes(8).toString('hex')}`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/start.ts'],
      {
        cwd: ROOT,
        env: stackEnvironment(options, port, prefix, workers, apiKey),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    if (child.pid === undefined)
      throw new Error('scripts/start.ts did not start');
    killGroupOnExit(child.pid);
    const stack = new SupervisedStack(
      child,
      port,
      prefix,
      workers,
      apiKey,
      graceMs,
      log,
    );
    try {
      await stack.waitUntilReady();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get apiOrigin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The pid of `scripts/start.ts`, also its process group id. */
  get supervisorPid(): number {
    return this.child.pid ?? 0;
  }

  /** Lists the running apps, found as the children of `scripts/start.ts`. */
  async apps(): Promise<SupervisedApp[]> {
    const children = await listChildProcesses(this.supervisorPid);
    const apps: SupervisedApp[] = [];
    for (const child of children) {
      // scripts/start.ts runs `node dist/<app>.js`; from source an app
      // runs as `apps/<app>/src/main.ts`.
      const app = /(?:dist\/([a-z]+)\.js|apps\/([a-z]+)\/src\/main\.ts)/
        .exec(child.args)
        ?.slice(1)
        .find((name) => name !== undefined);
      if (!app) continue;
      const metricsPort = Number(
        await readProcessVariable(child.pid, 'METRICS_PORT'),
      );
      // A process that exited between ps and the read has no environment.
      if (!Number.isInteger(metricsPort)) continue;
      apps.push({
        pid: child.pid,
        name: app === 'worker' ? `worker-${metricsPort - this.port - 1}` : app,
        metricsPort,
      });
    }
    return apps.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Lists the running worker processes. */
  async workers(): Promise<SupervisedApp[]> {
    return (await this.apps()).filter((app) => app.name.startsWith('worker-'));
  }

  /**
   * Waits until every app runs and its `/readyz` returns 200, and no
   * worker has a pid of `replacedPids`, so a restarted worker counts only
   * once its successor is ready.
   */
  async waitUntilReady(
    replacedPids: ReadonlySet<number> = new Set(),
    timeoutMs = READY_TIMEOUT_MS,
  ): Promise<SupervisedApp[]> {
    const deadline = Date.now() + timeoutMs;
    let last: SupervisedApp[] = [];
    while (Date.now() < deadline) {
      last = await this.apps();
      if (await this.allReady(last, replacedPids)) return last;
      await sleep(POLL_MS);
    }
    throw new Error(
      `the stack was not ready within ${timeoutMs} ms; apps ${JSON.stringify(last)}; ` +
        `last output:\n${this.lines.slice(-30).join('\n')}`,
    );
  }

  /**
   * Waits until `scripts/start.ts` has launched a successor of the app
   * `name` whose pid is `oldPid`, and returns it, ready or not.
   */
  async waitForSuccessor(
    name: string,
    oldPid: number,
    timeoutMs = READY_TIMEOUT_MS,
  ): Promise<SupervisedApp> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const successor = (await this.apps()).find(
        (app) => app.name === name && app.pid !== oldPid,
      );
      if (successor) return successor;
      await sleep(POLL_MS);
    }
    throw new Error(
      `scripts/start.ts did not restart ${name} (pid ${oldPid}) within ${timeoutMs} ms`,
    );
  }

  /** Sends a request to the API with the admin key. */
  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    requestPath: string,
    body?: unknown,
  ): Promise<ApiResponse> {
    const response = await this.pool.request({
      method,
      path: requestPath,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    const text = await response.body.text();
    return {
      status: response.statusCode,
      headers: response.headers,
      body: parseJson(text),
    };
  }

  /**
   * Stops the stack with SIGTERM, as Ctrl-C would, and SIGKILLs the whole
   * process group when it has not exited in time. Safe to call twice.
   */
  async stop(): Promise<void> {
    const groupId = this.supervisorPid;
    // A frozen worker cannot handle SIGTERM, so thaw the group first.
    signalProcess(-groupId, 'SIGCONT');
    if (this.child.exitCode === null && this.child.signalCode === null) {
      signalProcess(groupId, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.graceMs + STOP_MARGIN_MS);
      });
      await Promise.race([this.exited, timeout]);
      clearTimeout(timer);
    }
    // Catches apps left behind when the supervisor exited or was too slow.
    signalProcess(-groupId, 'SIGKILL');
    forgetGroup(groupId);
    await this.pool.close();
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }

  private async allReady(
    apps: readonly SupervisedApp[],
    replacedPids: ReadonlySet<number>,
  ): Promise<boolean> {
    if (apps.length !== this.workerCount + 3) return false;
    if (apps.some((app) => replacedPids.has(app.pid))) return false;
    const statuses = await Promise.all(
      apps.map((app) => readyzStatus(app.metricsPort)),
    );
    return statuses.every((status) => status === 200);
  }

  private keepLine(line: string): void {
    this.log.write(`${line}\n`);
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.splice(0, KEPT_LINES / 2);
    if (/^\[start\]\s+\S+ exited \(/.test(line)) this.exits.push(line);
  }
}

function stackEnvironment(
  options: SupervisedStackOptions,
  port: number,
  prefix: string,
  workers: number,
  apiKey: string,
): Record<string, string> {
  const inherited = ['PATH', 'HOME', 'TMPDIR'].flatMap((name) => {
    const value = process.env[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  return {
    ...Object.fromEntries(inherited),
    REDIS_URL: options.redisUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    SIGNALPOST_WORKERS: String(workers),
    SIGNALPOST_API_KEYS: `${apiKey}=admin`,
    SIGNALPOST_ALLOW_TARGETS: '127.0.0.0/8',
    SIGNALPOST_PREFIX: prefix,
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...options.env,
  };
}

async function readyzStatus(port: number): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, {
      signal: AbortSignal.timeout(5_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
