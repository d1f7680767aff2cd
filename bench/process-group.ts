import {
  spawn,
  type ChildProcess,
  type StdioOptions,
} from 'node:child_process';
import { createInterface } from 'node:readline';

/** Lines of output kept per child, to show when it fails. */
const KEPT_OUTPUT_LINES = 40;

/** The command, environment and name of a child to start. */
export interface ChildSpec {
  /** Short name used in messages and results, e.g. `worker-2`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Open an IPC channel to the child. @defaultValue false */
  readonly ipc?: boolean;
}

/** A started child and what it printed. */
export interface TrackedChild {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** The last lines of stdout and stderr together. */
  readonly outputTail: string[];
  /** Lines that pino printed at level warn (40) or above. */
  warnLines: number;
  /** Set once the child has exited. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  /** Called with every line of output. */
  onLine?: (line: string) => void;
}

/**
 * Every child process of the benchmark. Each child gets its own process
 * group, so a terminal's Ctrl-C reaches only the benchmark, which then stops
 * the children in order; {@link ProcessGroup.killAllNow} is the last resort
 * when the benchmark itself exits.
 */
export class ProcessGroup {
  private readonly children = new Set<TrackedChild>();

  /**
   * Starts a child and follows its output.
   * @throws Error when the command cannot be started.
   */
  start(spec: ChildSpec): TrackedChild {
    const stdio: StdioOptions = spec.ipc
      ? ['ignore', 'pipe', 'pipe', 'ipc']
      : ['ignore', 'pipe', 'pipe'];
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio,
      detached: true,
    });
    // Without a listener, a spawn failure would crash the benchmark.
    child.once('error', () => undefined);
    if (child.pid === undefined) {
      throw new Error(`cannot start ${spec.name}: ${spec.command} not found`);
    }
    const tracked: TrackedChild = {
      name: spec.name,
      process: child,
      pid: child.pid,
      outputTail: [],
      warnLines: 0,
    };
    this.follow(tracked);
    this.children.add(tracked);
    return tracked;
  }

  /**
   * Sends SIGTERM and waits up to `graceMs` for the exit, then sends SIGKILL.
   * Safe to call for a child that already exited.
   */
  async stop(child: TrackedChild, graceMs: number): Promise<void> {
    if (!child.exit) {
      const exited = new Promise<void>((resolve) =>
        child.process.once('exit', () => resolve()),
      );
      const timer = setTimeout(() => signal(child, 'SIGKILL'), graceMs);
      signal(child, 'SIGTERM');
      await exited;
      clearTimeout(timer);
    }
    this.children.delete(child);
  }

  /** Stops the given children at once, each with its own grace period. */
  async stopAll(children: readonly TrackedChild[], graceMs: number) {
    await Promise.all(children.map((child) => this.stop(child, graceMs)));
  }

  /** Sends SIGKILL to every child still running; synchronous, for `exit`. */
  killAllNow(): void {
    for (const child of this.children) {
      if (!child.exit) signal(child, 'SIGKILL');
    }
    this.children.clear();
  }

  /** Children still tracked, oldest first. */
  running(): TrackedChild[] {
    return [...this.children].filter((child) => !child.exit);
  }

  private follow(tracked: TrackedChild): void {
    const keep = (line: string): void => {
      tracked.outputTail.push(line);
      if (tracked.outputTail.length > KEPT_OUTPUT_LINES) {
        tracked.outputTail.shift();
      }
      if (isPinoWarning(line)) tracked.warnLines += 1;
      tracked.onLine?.(line);
    };
    const { stdout, stderr } = tracked.process;
    if (stdout) createInterface({ input: stdout }).on('line', keep);
    if (stderr) createInterface({ input: stderr }).on('line', keep);
    tracked.process.once('exit', (code, exitSignal) => {
      tracked.exit = { code, signal: exitSignal };
    });
  }
}

/** Returns whether a line is a pino JSON record at warn level or above. */
export function isPinoWarning(line: string): boolean {
  const match = /^\{"level":(\d+)/.exec(line);
  return match !== null && Number(match[1]) >= 40;
}

function signal(child: TrackedChild, name: NodeJS.Signals): void {
  try {
    child.process.kill(name);
  } catch {
    // The child exited between the check and the signal.
  }
}
