import { Redis } from 'ioredis';

/** Commands one app sent, by lowercase command name. */
export interface CommandCounts {
  /** Commands the app sent itself, `evalsha` and `multi` included. */
  readonly commands: Readonly<Record<string, number>>;
  /** Commands that Lua scripts the app called ran inside Redis. */
  readonly scriptCommands: Readonly<Record<string, number>>;
}

/**
 * Counts commands per app with Redis's MONITOR. A client address maps to
 * an app through the proxies' upstream ports. MONITOR shows a script's own
 * commands right after the EVAL or EVALSHA that ran them, with source
 * `lua`, so they go to the app that sent that EVALSHA. Commands from other
 * clients (the benchmark itself) are not counted.
 */
export class CommandMonitor {
  private readonly counts = new Map<
    string,
    { commands: Record<string, number>; scriptCommands: Record<string, number> }
  >();
  private lastApp: string | undefined;
  private monitor: Redis | undefined;
  private client: Redis | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly appOfPort: (port: number) => string | undefined,
  ) {}

  /** Opens the MONITOR connection; counting starts once it resolves. */
  async start(): Promise<void> {
    // ioredis runs MONITOR on a connection of its own, made from this
    // client's options; the client itself never connects.
    const client = new Redis(this.redisUrl, { lazyConnect: true });
    this.client = client;
    this.monitor = await client.monitor();
    this.monitor.on(
      'monitor',
      (_time: string, args: string[], source: string) =>
        this.count(args, source),
    );
  }

  /** Returns the counts so far, by app name. */
  read(): Record<string, CommandCounts> {
    const copy: Record<string, CommandCounts> = {};
    for (const [app, counts] of this.counts) {
      copy[app] = {
        commands: { ...counts.commands },
        scriptCommands: { ...counts.scriptCommands },
      };
    }
    return copy;
  }

  stop(): void {
    this.monitor?.disconnect();
    this.client?.disconnect();
  }

  private count(args: readonly string[], source: string): void {
    const name = (args[0] ?? '').toLowerCase();
    if (source === 'lua') {
      if (this.lastApp) this.bump(this.lastApp, 'scriptCommands', name);
      return;
    }
    const port = Number(source.split(':').pop());
    const app = this.appOfPort(port);
    this.lastApp = app;
    if (app) this.bump(app, 'commands', name);
  }

  private bump(
    app: string,
    kind: 'commands' | 'scriptCommands',
    name: string,
  ): void {
    let counts = this.counts.get(app);
    if (!counts) {
      counts = { commands: {}, scriptCommands: {} };
      this.counts.set(app, counts);
    }
    counts[kind][name] = (counts[kind][name] ?? 0) + 1;
  }
}
