/** Options of {@link TurnBatch}. */
export interface TurnBatchOptions {
  /**
   * Items per call at most. A busy turn then makes several calls of bounded
   * size instead of one script call that blocks Redis for long.
   * @defaultValue Infinity
   */
  readonly maxItems?: number;
  /**
   * Whether to keep at most one call in flight. Items added meanwhile wait
   * for its reply and go in the next call, so under load each call carries
   * the items of several turns. While no call is in flight, an item waits
   * only for the end of its turn, as without this option.
   * @defaultValue false
   */
  readonly oneCallAtATime?: boolean;
}

interface Waiting<Item, Result> {
  readonly item: Item;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Collects the items handed over in one turn of the event loop and sends
 * them in one call, so concurrent callers share one write to Redis. `send`
 * returns one result per item, in order. When it throws, every caller of
 * the batch gets the error.
 *
 * A batch that reaches `maxItems` is sent at once, and the next item starts
 * a new one. With `oneCallAtATime`, it first waits for the call in flight.
 */
export class TurnBatch<Item, Result> {
  private waiting: Waiting<Item, Result>[] = [];
  private readonly maxItems: number;
  private readonly oneCallAtATime: boolean;
  private callsInFlight = 0;

  constructor(
    private readonly send: (items: readonly Item[]) => Promise<Result[]>,
    options: TurnBatchOptions = {},
  ) {
    this.maxItems = options.maxItems ?? Infinity;
    this.oneCallAtATime = options.oneCallAtATime ?? false;
  }

  /** Adds an item to this turn's batch and resolves with its result. */
  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.maxItems) this.flush();
      else if (this.waiting.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    if (this.waiting.length === 0) return;
    if (this.oneCallAtATime && this.callsInFlight > 0) return;
    let batch = this.waiting;
    if (batch.length > this.maxItems) {
      batch = this.waiting.splice(0, this.maxItems);
    } else {
      this.waiting = [];
    }
    void this.call(batch);
  }

  private async call(batch: readonly Waiting<Item, Result>[]): Promise<void> {
    this.callsInFlight += 1;
    let results: Result[];
    try {
      results = await this.send(batch.map((entry) => entry.item));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    } finally {
      this.callsInFlight -= 1;
      // Items added during the call are sent now, not a turn later.
      if (this.oneCallAtATime) this.flush();
    }
    batch.forEach((entry, index) => entry.resolve(results[index] as Result));
  }
}
