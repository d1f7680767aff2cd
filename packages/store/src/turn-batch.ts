/**
 * Collects the items handed over in one turn of the event loop and sends
 * them in one call, so concurrent callers share one write to Redis. `send`
 * returns one result per item, in order. When it throws, every caller of
 * the batch gets the error.
 *
 * A batch that reaches `maxItems` is sent at once and the next item starts
 * a new one, so a busy turn makes several calls of bounded size instead of
 * one script call that blocks Redis for long.
 */
export class TurnBatch<Item, Result> {
  private waiting: {
    readonly item: Item;
    readonly resolve: (result: Result) => void;
    readonly reject: (error: unknown) => void;
  }[] = [];

  constructor(
    private readonly send: (items: readonly Item[]) => Promise<Result[]>,
    private readonly maxItems = Infinity,
  ) {}

  /** Adds an item to this turn's batch and resolves with its result. */
  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.maxItems) void this.flush();
      else if (this.waiting.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    let results: Result[];
    try {
      results = await this.send(batch.map((entry) => entry.item));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, index) => entry.resolve(results[index] as Result));
  }
}
