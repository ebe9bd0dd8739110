export interface StatementBatcherOptions {
  /** How long the first item of an idle batcher waits for company; 0 = the next turn of the event loop. */
  maxWaitMs: number;
  /**
   * With `maxWaitMs` 0: start as soon as the current callback is done (a microtask), not at the
   * loop's next turn. Under load one turn reads thousands of sockets and takes seconds; what
   * cannot wait for that (life-safety events, issue 13) gathers only what arrived with it.
   */
  urgent?: boolean;
  /** Items per statement. */
  maxBatch: number;
  /** Items queued or in flight before `add` waits for room, so a flood slows its callers instead of growing memory. */
  maxBuffered?: number;
  /** Called once for each `add` that has to wait for room: the pushback, counted in metrics (issue 13). */
  onWaitForRoom?: () => void;
  /**
   * When a batch fails with an error this answers true for (bad data, not a lost
   * connection), the batch is split and retried in halves, so one bad item fails
   * alone and never takes its neighbours down with it.
   */
  isolateFailures?: (error: unknown) => boolean;
  /**
   * Answer at most this many items per event-loop turn once their statement is
   * done, the rest in later turns, in order, while the next batch runs. A big
   * batch's answers (thousands of PUBACKs and what follows each) ran as one
   * task of up to half a second, and every socket and database reply waited
   * behind it — an SOS's too (issue 13). Unset: all at once.
   */
  answerChunk?: number;
}

interface Pending<T, R> {
  item: T;
  queuedAt: number;
  resolve: (result: R) => void;
  reject: (error: Error) => void;
}

/**
 * Coalesces calls made close together into one statement: group commit for
 * writes (one transaction, one fsync, for every event that arrived meanwhile),
 * one `= ANY($1)` query for lookups during a reconnect storm. Batches run one
 * after another, which keeps arrival order and holds one pool connection;
 * whatever arrives while a batch runs goes into the next one, so batches grow
 * with load. With `maxWaitMs` 0 a lone item goes at once; otherwise every
 * batch waits until its oldest item is that old (or the batch is full).
 */
export class StatementBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private waitingForRoom: (() => void)[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** Set and cleared synchronously around the drain loop, so an item added as a batch resolves is never stranded. */
  private draining = false;
  /** An urgent start is queued as a microtask (nothing to clear: it finds the work done if `close` ran first). */
  private startQueued = false;
  private running: Promise<void> = Promise.resolve();
  private endWait: (() => void) | null = null;
  private closing = false;
  private inFlight = 0;
  /** Answers still being given out in chunks (`answerChunk`), batch after batch; how many batches' are. */
  private answering: Promise<void> = Promise.resolve();
  private batchesAnswering = 0;

  /** `run` answers one result per item, in the items' order; its failure fails that batch only. */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: StatementBatcherOptions,
    private readonly onBatch: (size: number) => void = () => undefined,
  ) {}

  get depth(): number {
    return this.pending.length + this.inFlight;
  }

  /** Whether an `add` now would wait for room. */
  get full(): boolean {
    return this.depth >= (this.options.maxBuffered ?? Number.POSITIVE_INFINITY);
  }

  async add(item: T): Promise<R> {
    if (this.full) this.options.onWaitForRoom?.();
    while (this.full) await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    const result = new Promise<R>((resolve, reject) =>
      this.pending.push({ item, queuedAt: performance.now(), resolve, reject }),
    );
    this.schedule();
    return result;
  }

  /** Runs what is queued now and waits for it. */
  async close(): Promise<void> {
    this.closing = true;
    this.endWait?.();
    this.clearTimer();
    while (this.draining || this.pending.length > 0) await (this.draining ? this.running : this.start());
    await this.answering;
  }

  private schedule(): void {
    if (this.draining) {
      // the running loop takes it next; a full batch need not sit out the rest of the wait
      if (this.pending.length >= this.options.maxBatch) this.endWait?.();
      return;
    }
    if (this.pending.length >= this.options.maxBatch) {
      this.clearTimer();
      void this.start();
      return;
    }
    if (this.timer || this.startQueued) return;
    const fire = (): void => {
      this.timer = null;
      this.startQueued = false;
      if (!this.draining) void this.start();
    };
    if (this.options.urgent && this.options.maxWaitMs === 0) {
      this.startQueued = true;
      queueMicrotask(fire);
      return;
    }
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
        // Under load too, the oldest item waits its full maxWaitMs for company: fewer, larger statements.
        const waitMs = this.pending[0]!.queuedAt + this.options.maxWaitMs - performance.now();
        if (!this.closing && waitMs >= 1 && this.pending.length < this.options.maxBatch) {
          await this.waitAtMost(waitMs);
          continue;
        }
        const batch = this.pending.splice(0, this.options.maxBatch);
        this.inFlight += batch.length;
        try {
          await this.runSettling(batch);
          this.onBatch(batch.length);
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

  /** Runs one batch and settles every item of it; never throws. */
  private async runSettling(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((p) => p.item));
      this.answer(batch, results);
    } catch (error) {
      if (batch.length > 1 && this.options.isolateFailures?.(error)) {
        const half = Math.ceil(batch.length / 2);
        await this.runSettling(batch.slice(0, half));
        await this.runSettling(batch.slice(half));
        return;
      }
      for (const p of batch) p.reject(error as Error);
    }
  }

  private answer(batch: Pending<T, R>[], results: R[]): void {
    const chunk = this.options.answerChunk;
    if (chunk === undefined || (batch.length <= chunk && this.batchesAnswering === 0)) {
      batch.forEach((p, i) => p.resolve(results[i] as R));
      return;
    }
    this.batchesAnswering += 1;
    this.answering = this.answering.then(async () => {
      for (let from = 0; from < batch.length; from += chunk) {
        if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        for (let i = from; i < Math.min(from + chunk, batch.length); i++) batch[i]!.resolve(results[i] as R);
      }
      this.batchesAnswering -= 1;
    });
  }

  private waitAtMost(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.endWait?.(), ms);
      this.endWait = () => {
        clearTimeout(timer);
        this.endWait = null;
        resolve();
      };
    });
  }

  private clearTimer(): void {
    if (!this.timer) return;
    if (this.options.maxWaitMs > 0) clearTimeout(this.timer as NodeJS.Timeout);
    else clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = null;
  }
}
