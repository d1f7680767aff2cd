import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AofRedis } from './aof-redis';
import {
  auditDeliveries,
  failedJobs,
  waitForDrain,
  type AuditReport,
} from './delivery-audit';
import { readFaultSettings, type FaultSettings } from './fault-settings';
import { FaultReceiver, type ReceiverPlan } from './fault-receiver';
import {
  faultSignal,
  publishSignals,
  PublishProgress,
  type PublishOptions,
} from './signal-publisher';
import { SupervisedStack } from './supervised-stack';
import { sleep } from './timing';

/** Retry policy of the suite's subscriptions: quick, so scenarios drain soon. */
export const QUICK_RETRY = Object.freeze({
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxRetries: 8,
});

/** Options of {@link FaultScenario.start}. */
export interface FaultScenarioOptions {
  /** Short kebab-case name: the report's and the log's file name. */
  readonly name: string;
  /** How the receiver responds. */
  readonly plan: ReceiverPlan;
  /** Variables for every app of the stack. */
  readonly env?: Readonly<Record<string, string>>;
  /** Options of the webhook target, merged over the suite's. */
  readonly target?: Readonly<Record<string, unknown>>;
}

/** How long the stalled-job sweeper gets to empty the failed sets. */
const FAILED_SET_WAIT_MS = 20_000;
const PROBE_TIMEOUT_MS = 60_000;

/**
 * One scenario's world: a Redis with AOF, a receiver, the supervised stack,
 * and a subscription of every `<type>` signal to the receiver. It counts
 * the faults the test injects, audits the deliveries at the end, and
 * writes the figures as JSON to the report folder.
 */
export class FaultScenario {
  /** Faults injected so far, by kind, e.g. `{"worker SIGKILL": 3}`. */
  readonly faults: Record<string, number> = {};
  /** Ids of every signal accepted with 202, the probe's included. */
  readonly accepted = new Set<string>();
  /** The audit, once {@link settle} has run. */
  report: AuditReport | undefined;
  /** Jobs left in BullMQ's failed sets after the sweeper had its time. */
  failed: Record<string, number> | undefined;
  /** Figures of the test's own, kept across {@link settle} calls. */
  private readonly testFigures: Record<string, unknown> = {};
  private readonly startedAt = Date.now();

  private constructor(
    readonly name: string,
    readonly type: string,
    readonly settings: FaultSettings,
    readonly redis: AofRedis,
    readonly receiver: FaultReceiver,
    readonly stack: SupervisedStack,
  ) {}

  /** Starts Redis, the receiver and the stack, and subscribes the receiver. */
  static async start(options: FaultScenarioOptions): Promise<FaultScenario> {
    const settings = readFaultSettings();
    const redis = await AofRedis.start();
    const receiver = await FaultReceiver.start(options.plan);
    let stack: SupervisedStack | undefined;
    try {
      stack = await SupervisedStack.start({
        redisUrl: redis.url,
        name: options.name,
        logDir: settings.reportDir,
        logLevel: settings.logLevel,
        ...(options.env ? { env: options.env } : {}),
      });
      const type = `faults.${options.name.replace(/-/g, '_')}`;
      const scenario = new FaultScenario(
        options.name,
        type,
        settings,
        redis,
        receiver,
        stack,
      );
      await scenario.subscribe(options.target ?? {});
      return scenario;
    } catch (error) {
      await stack?.stop();
      await receiver.close();
      await redis.remove();
      throw error;
    }
  }

  /** Counts an injected fault. */
  countFault(kind: string): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  /** Ids `<name>-<n>` for n from 0, the signals a scenario publishes. */
  signalIds(count: number, label = 's'): string[] {
    return Array.from({ length: count }, (_, n) => `${this.name}-${label}${n}`);
  }

  /**
   * Publishes one signal per id with the suite's concurrency, bounded by the
   * drain timeout unless `options` set another, and adds the accepted
   * 202 to {@link accepted}. Pass `progress` to watch the loop while it runs.
   */
  async publish(
    ids: readonly string[],
    options: Partial<PublishOptions> = {},
    progress = new PublishProgress(),
  ): Promise<PublishProgress> {
    try {
      return await publishSignals(
        this.stack.apiOrigin,
        this.stack.apiKey,
        this.type,
        ids,
        {
          concurrency: this.settings.publishConcurrency,
          deadlineMs: Date.now() + this.settings.drainTimeoutMs,
          ...options,
        },
        progress,
      );
    } finally {
      for (const id of progress.accepted) this.accepted.add(id);
    }
  }

  /**
   * Waits for the queues to drain and the sweeper to empty the failed sets,
   * then audits every accepted signal and writes the figures, `extra`
   * merged over those of earlier calls.
   */
  async settle(
    extra: Record<string, unknown> = {},
    drainTimeoutMs = this.settings.drainTimeoutMs,
  ): Promise<AuditReport> {
    await waitForDrain(this.redis.url, this.stack.prefix, drainTimeoutMs);
    this.failed = await this.waitForEmptyFailedSets();
    this.report = await auditDeliveries(
      this.stack,
      this.receiver,
      this.redis.url,
      this.accepted,
    );
    Object.assign(this.testFigures, extra);
    this.writeFigures();
    return this.report;
  }

  /** Stops everything the scenario started; safe after a failed start. */
  async close(): Promise<void> {
    await this.stack.stop();
    await this.receiver.close();
    await this.redis.remove();
  }

  private async subscribe(target: Readonly<Record<string, unknown>>) {
    const response = await this.stack.request('POST', '/v1/subscriptions', {
      id: `faults-${this.name}`,
      pattern: this.type,
      dispatch: {
        adapter: 'webhook',
        url: this.receiver.url,
        retry: QUICK_RETRY,
        maxInFlight: 100,
        timeoutMs: 30_000,
        // The receiver fails a share of attempts on purpose. With the
        // default threshold of 5 requests, a few early failures could open
        // the circuit, which then holds every delivery for its 5-minute
        // recovery, longer than a scenario waits for arrivals.
        circuitBreaker: { failureThreshold: 10_000 },
        ...target,
      },
    });
    if (response.status !== 201) {
      throw new Error(
        `POST /v1/subscriptions returned ${response.status}: ${JSON.stringify(response.body)}`,
      );
    }
    await this.probeRouting();
  }

  /**
   * Publishes probe signals until one is routed to the new subscription, so
   * the scenario starts only once the router's cache has it. Probes that
   * found no subscription create no delivery; the routed one is audited
   * like every other signal.
   */
  private async probeRouting(): Promise<void> {
    const deadline = Date.now() + PROBE_TIMEOUT_MS;
    for (let n = 0; Date.now() < deadline; n += 1) {
      const id = `${this.name}-probe${n}`;
      const published = await this.stack.request(
        'POST',
        '/v1/signals',
        faultSignal(this.type, id),
      );
      if (published.status !== 202) continue;
      const state = await this.routedState(id, deadline);
      if (state === 'routed') {
        this.accepted.add(id);
        return;
      }
    }
    throw new Error(
      `no probe signal was routed to subscription faults-${this.name} within ${PROBE_TIMEOUT_MS} ms`,
    );
  }

  private async routedState(id: string, deadlineMs: number): Promise<string> {
    while (Date.now() < deadlineMs) {
      const response = await this.stack.request(
        'GET',
        `/v1/signals/${id}?source=signalpost-faults`,
      );
      const state = (response.body as { state?: string } | undefined)?.state;
      if (state !== undefined && state !== 'routing') return state;
      await sleep(200);
    }
    return 'routing';
  }

  private async waitForEmptyFailedSets(): Promise<Record<string, number>> {
    const deadline = Date.now() + FAILED_SET_WAIT_MS;
    let counts = await failedJobs(this.redis.url, this.stack.prefix);
    while (Object.values(counts).some((count) => count > 0)) {
      if (Date.now() > deadline) break;
      await sleep(1_000);
      counts = await failedJobs(this.redis.url, this.stack.prefix);
    }
    return counts;
  }

  private writeFigures(): void {
    const report = this.report;
    if (!report) return;
    const figures = {
      scenario: this.name,
      durationSec: Math.round((Date.now() - this.startedAt) / 1000),
      settings: this.settings,
      faults: this.faults,
      restartsPrinted: this.stack.exits.length,
      receiverRequests: this.receiver.arrivals.length,
      receiverResponses: countStatuses(this.receiver),
      failedJobs: this.failed,
      ...this.testFigures,
      ...report,
      lost: report.lost.length,
      lostIds: report.lost.slice(0, 50),
    };
    mkdirSync(this.settings.reportDir, { recursive: true });
    const file = path.join(this.settings.reportDir, `${this.name}.json`);
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(
      `[faults] ${this.name}: accepted ${report.accepted}, ledger ${JSON.stringify(report.ledger)}, ` +
        `faults ${JSON.stringify(this.faults)}, duplicates ${report.duplicates}, ` +
        `lost ${report.lost.length}; figures in ${file}\n`,
    );
  }
}

function countStatuses(receiver: FaultReceiver): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const arrival of receiver.arrivals) {
    const key = arrival.responded ? String(arrival.status) : 'no response';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
