export interface StatementBatcherOptions {
  /** How long the first item of an idle batcher waits for company; 0 = the next turn of the event loop. */
  maxWaitMs: number;
  /** Items per statement. */
  maxBatch: number;
  /** Items queued or in flight before `add` waits for room, so a flood slows its callers instead of growing memory. */
  maxBuffered?: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: Error) => void;
}

/**
 * Coalesces calls made close together into one statement: group commit for
 * writes (one transaction, one fsync, for every event that arrived meanwhile),
 * one `= ANY($1)` query for lookups during a reconnect storm. Batches run one
 * after another, which keeps arrival order and holds one pool connection;
 * whatever arrives while a batch runs goes into the next one, so batches grow
 * with load and an idle system answers a lone item at once.
 */
export class StatementBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private waitingForRoom: (() => void)[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** Set and cleared synchronously around the drain loop, so an item added as a batch resolves is never stranded. */
  private draining = false;
  private running: Promise<void> = Promise.resolve();
  private inFlight = 0;

  /** `run` answers one result per item, in the items' order; its failure fails that batch only. */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: StatementBatcherOptions,
    private readonly onBatch: (size: number) => void = () => undefined,
  ) {}

  get depth(): number {
    return this.pending.length + this.inFlight;
  }

  async add(item: T): Promise<R> {
    const room = this.options.maxBuffered ?? Number.POSITIVE_INFINITY;
    while (this.depth >= room) await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    const result = new Promise<R>((resolve, reject) => this.pending.push({ item, resolve, reject }));
    this.schedule();
    return result;
  }

  /** Runs what is queued now and waits for it. */
  async close(): Promise<void> {
    this.clearTimer();
    while (this.draining || this.pending.length > 0) await (this.draining ? this.running : this.start());
  }

  private schedule(): void {
    if (this.draining) return; // the running loop takes it next
    if (this.pending.length >= this.options.maxBatch) {
      this.clearTimer();
      void this.start();
      return;
    }
    if (this.timer) return;
    const fire = (): void => {
      this.timer = null;
      if (!this.draining) void this.start();
    };
    this.timer = this.options.maxWaitMs > 0 ? setTimeout(fire, this.options.maxWaitMs) : setImmediate(fire);
  }

  private start(): Promise<void> {
    this.draining = true;
    this.running = this.drain();
    return this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.options.maxBatch);
        this.inFlight += batch.length;
        try {
          const results = await this.run(batch.map((p) => p.item));
          this.onBatch(batch.length);
          batch.forEach((p, i) => p.resolve(results[i] as R));
        } catch (error) {
          for (const p of batch) p.reject(error as Error);
        } finally {
          this.inFlight -= batch.length;
          for (const wake of this.waitingForRoom.splice(0, batch.length)) wake();
        }
      }
    } finally {
      // Same synchronous step as the loop's last check: nothing can be queued in between.
      this.draining = false;
    }
  }

  private clearTimer(): void {
    if (!this.timer) return;
    if (this.options.maxWaitMs > 0) clearTimeout(this.timer as NodeJS.Timeout);
    else clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = null;
  }
}
