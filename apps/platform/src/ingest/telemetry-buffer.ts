import type { Logger } from 'pino';
import type { PlatformMetrics } from '../metrics/metrics';
import type { IngestRepository, TelemetryRow } from './ingest.repository';

interface Pending {
  row: TelemetryRow;
  done: (error?: Error) => void;
}

/**
 * Batches telemetry into one insert per flush (size or time, whichever first).
 * Bounded: when full, `add` waits for room, so a flood slows its publishers
 * down (their PUBACKs come later) instead of growing memory without limit.
 */
export class TelemetryBuffer {
  private pending: Pending[] = [];
  private waitingForRoom: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(
    private readonly repository: IngestRepository,
    private readonly options: { flushMs: number; batchSize: number; maxBuffered: number },
    private readonly metrics: PlatformMetrics,
    private readonly log: Logger,
  ) {}

  /** Resolves once the row is committed. */
  async add(row: TelemetryRow): Promise<void> {
    while (this.pending.length + this.inFlight >= this.options.maxBuffered) {
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    }
    const committed = new Promise<void>((resolve, reject) => {
      this.pending.push({ row, done: (error) => (error ? reject(error) : resolve()) });
    });
    this.metrics.telemetryBufferDepth.set(this.pending.length + this.inFlight);
    if (this.pending.length >= this.options.batchSize) this.flushSoon(0);
    else this.flushSoon(this.options.flushMs);
    return committed;
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  /** Writes everything buffered; flushes run one after another to keep order and bound connections. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.options.batchSize);
        this.inFlight += batch.length;
        try {
          await this.repository.insertTelemetry(batch.map((p) => p.row));
          this.metrics.telemetryFlushRows.observe(batch.length);
          for (const p of batch) p.done();
        } catch (error) {
          this.log.error({ err: error, rows: batch.length }, 'telemetry batch failed');
          for (const p of batch) p.done(error as Error);
        } finally {
          this.inFlight -= batch.length;
          this.metrics.telemetryBufferDepth.set(this.pending.length + this.inFlight);
          for (const wake of this.waitingForRoom.splice(0, batch.length)) wake();
        }
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
