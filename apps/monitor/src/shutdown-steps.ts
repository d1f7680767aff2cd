import type { Logger } from '@signalpost/observability';

/**
 * Cleanup steps, run in the reverse of the order they were added, so that
 * what was opened last (the worker) closes before what it uses (queues,
 * then connections). A failing step is logged and the rest still run.
 */
export class ShutdownSteps {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Adds a step, which runs before every step added earlier. */
  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  /** Runs every step once. Later calls return the same promise. */
  run(): Promise<void> {
    this.running ??= this.runAll();
    return this.running;
  }

  private async runAll(): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      await step
        .run()
        .catch((error: unknown) =>
          this.logger.warn(
            { err: error, step: step.name },
            'close step failed',
          ),
        );
    }
  }
}
