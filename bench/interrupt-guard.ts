/** A signal this soon after the first is the same interrupt, relayed. */
const DUPLICATE_SIGNAL_MS = 1_000;
/** Time after an interrupt within which the run must have reported. */
const FORCED_EXIT_MS = 30_000;

/** Exit status of a run ended by each signal, as a shell reports it. */
const SIGNAL_STATUS: Readonly<Partial<Record<NodeJS.Signals, number>>> =
  Object.freeze({ SIGINT: 130, SIGTERM: 143 });

/** Actions taken when SIGINT or SIGTERM arrives. */
export interface InterruptActions {
  /** Stops the child processes, so the running scenario ends. */
  readonly stopChildren: () => Promise<void>;
  /** Kills every child at once; called just before a forced exit. */
  readonly killChildrenNow: () => void;
}

/**
 * Follows SIGINT and SIGTERM. The first signal stops the children, which
 * ends the running scenario, and the run then reports what finished before
 * it. A second signal, or a run that does not wind down within
 * {@link FORCED_EXIT_MS}, exits at once. Under `npx tsx` one Ctrl-C arrives
 * twice, from the terminal and relayed by tsx, so a repeat within
 * {@link DUPLICATE_SIGNAL_MS} counts as the same interrupt.
 */
export class InterruptGuard {
  private first: { signal: NodeJS.Signals; atMs: number } | undefined;

  constructor(private readonly actions: InterruptActions) {}

  /** Starts listening; the process also kills its children on exit. */
  install(): void {
    for (const signal of Object.keys(SIGNAL_STATUS) as NodeJS.Signals[]) {
      process.on(signal, () => this.handle(signal));
    }
    process.once('exit', () => this.actions.killChildrenNow());
  }

  /** The signal that interrupted the run, if one did. */
  get signal(): NodeJS.Signals | undefined {
    return this.first?.signal;
  }

  /** The exit status for the interrupt, if there was one. */
  get status(): number | undefined {
    return this.first ? SIGNAL_STATUS[this.first.signal] : undefined;
  }

  private handle(signal: NodeJS.Signals): void {
    const status = SIGNAL_STATUS[signal] ?? 1;
    if (this.first) {
      if (performance.now() - this.first.atMs < DUPLICATE_SIGNAL_MS) return;
      this.actions.killChildrenNow();
      process.exit(status);
    }
    this.first = { signal, atMs: performance.now() };
    process.stdout.write(
      `[bench] ${signal} received: stopping every child process\n`,
    );
    void this.actions.stopChildren();
    setTimeout(() => process.exit(status), FORCED_EXIT_MS).unref();
  }
}
