import http from 'node:http';
import { BENCH_ID_HEADER } from './baseline-protocol';
import { sleep } from './sleep';

/** How often a waiter rechecks its stop condition while no request comes. */
const WAIT_POLL_MS = 100;

/** Options of {@link startBenchReceiver}. */
export interface BenchReceiverOptions {
  /**
   * Delay before each response, as a slow webhook target has.
   * @defaultValue 0
   */
  readonly delayMs?: number;
}

/** Outcome of {@link BenchReceiver.waitForCount}. */
export type WaitOutcome = 'reached' | 'timed_out' | 'stopped';

/**
 * A webhook target on 127.0.0.1 that responds 200 `ok` to every request,
 * counts requests, and records their arrival times on the benchmark's
 * `performance.now()` clock.
 */
export interface BenchReceiver {
  readonly url: string;
  /** Requests since the last {@link BenchReceiver.reset}. */
  readonly count: number;
  /** Arrival time of each request since the last reset, in order. */
  readonly arrivalsMs: readonly number[];
  /**
   * First arrival per `webhook-id` header, or per {@link BENCH_ID_HEADER}
   * when there is no `webhook-id`.
   */
  readonly arrivalById: ReadonlyMap<string, number>;
  /** Forgets every request counted so far. */
  reset(): void;
  /** Changes the delay before each response. */
  setDelayMs(delayMs: number): void;
  /**
   * Waits until `count` requests have arrived since the last reset, until
   * `deadlineMs` (a `performance.now()` time) passes, or until `shouldStop`
   * returns true.
   */
  waitForCount(
    count: number,
    deadlineMs: number,
    shouldStop?: () => boolean,
  ): Promise<WaitOutcome>;
  /**
   * Waits until a request has arrived for each of `ids` (see
   * {@link BenchReceiver.arrivalById}), with the same deadline and stop
   * condition as {@link BenchReceiver.waitForCount}.
   */
  waitForIds(
    ids: readonly string[],
    deadlineMs: number,
    shouldStop?: () => boolean,
  ): Promise<WaitOutcome>;
  close(): Promise<void>;
}

/** Starts the receiver on an ephemeral port of 127.0.0.1. */
export async function startBenchReceiver(
  options: BenchReceiverOptions = {},
): Promise<BenchReceiver> {
  const state = new ReceiverState(options.delayMs ?? 0);
  const server = http.createServer((request, response) =>
    state.handle(request, response),
  );
  // Longer than the keep-alive of the clients, so they close idle sockets
  // first and never write to one the server is closing.
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get count() {
      return state.arrivalsMs.length;
    },
    get arrivalsMs() {
      return state.arrivalsMs;
    },
    get arrivalById() {
      return state.arrivalById;
    },
    reset: () => state.reset(),
    setDelayMs: (delayMs) => {
      state.delayMs = delayMs;
    },
    waitForCount: (count, deadlineMs, shouldStop) =>
      state.waitForCount(count, deadlineMs, shouldStop),
    waitForIds: (ids, deadlineMs, shouldStop) =>
      waitForIds(state, ids, deadlineMs, shouldStop),
    close: () => closeServer(server),
  };
}

interface Waiter {
  readonly count: number;
  readonly resolve: (outcome: WaitOutcome) => void;
}

class ReceiverState {
  arrivalsMs: number[] = [];
  arrivalById = new Map<string, number>();
  private waiters = new Set<Waiter>();

  constructor(public delayMs: number) {}

  handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    request.resume();
    request.once('end', () => {
      this.record(request, performance.now());
      const respond = (): void => {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      };
      if (this.delayMs > 0) setTimeout(respond, this.delayMs);
      else respond();
    });
  }

  reset(): void {
    this.arrivalsMs = [];
    this.arrivalById = new Map();
  }

  waitForCount(
    count: number,
    deadlineMs: number,
    shouldStop: () => boolean = () => false,
  ): Promise<WaitOutcome> {
    if (this.arrivalsMs.length >= count) return Promise.resolve('reached');
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (performance.now() >= deadlineMs) finish('timed_out');
        else if (shouldStop()) finish('stopped');
      }, WAIT_POLL_MS);
      const waiter: Waiter = { count, resolve: (outcome) => finish(outcome) };
      const finish = (outcome: WaitOutcome): void => {
        clearInterval(timer);
        this.waiters.delete(waiter);
        resolve(outcome);
      };
      this.waiters.add(waiter);
    });
  }

  private record(request: http.IncomingMessage, atMs: number): void {
    this.arrivalsMs.push(atMs);
    const id =
      request.headers['webhook-id'] ?? request.headers[BENCH_ID_HEADER];
    if (typeof id === 'string' && !this.arrivalById.has(id)) {
      this.arrivalById.set(id, atMs);
    }
    for (const waiter of this.waiters) {
      if (this.arrivalsMs.length >= waiter.count) waiter.resolve('reached');
    }
  }
}

async function waitForIds(
  state: ReceiverState,
  ids: readonly string[],
  deadlineMs: number,
  shouldStop: () => boolean = () => false,
): Promise<WaitOutcome> {
  let missing = [...ids];
  for (;;) {
    missing = missing.filter((id) => !state.arrivalById.has(id));
    if (missing.length === 0) return 'reached';
    if (performance.now() >= deadlineMs) return 'timed_out';
    if (shouldStop()) return 'stopped';
    await sleep(WAIT_POLL_MS);
  }
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
