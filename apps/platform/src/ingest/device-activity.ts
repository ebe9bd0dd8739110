import type { Logger } from 'pino';
import { StatementBatcher } from '../database/statement-batcher';
import type { IngestRepository } from './ingest.repository';

interface OnlineChange {
  deviceId: string;
  online: boolean;
  at: Date;
}

/**
 * Coalesces "seen now" (and battery) per device and writes them once a second,
 * instead of one UPDATE per message on the hot path. Online/offline changes go
 * through the same serial chain, so a late "seen" write never marks a device
 * online after its disconnect was recorded; a reconnect storm's changes are
 * written together, the last change of each device winning.
 */
export class DeviceActivity {
  private seen = new Map<string, { at: Date; battery: number | null }>();
  private readonly timer: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private readonly onlineWriter: StatementBatcher<OnlineChange, void>;

  constructor(
    private readonly repository: IngestRepository,
    private readonly log: Logger,
    intervalMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
    this.onlineWriter = new StatementBatcher<OnlineChange, void>(
      async (changes) => {
        await this.serially(() => this.writeOnline(changes));
        return changes.map(() => undefined);
      },
      { maxWaitMs: 0, maxBatch: 1000 },
    );
  }

  touch(deviceId: string, at: Date, battery: number | null = null): void {
    const previous = this.seen.get(deviceId);
    this.seen.set(deviceId, { at, battery: battery ?? previous?.battery ?? null });
  }

  flush(): Promise<void> {
    return this.serially(async () => {
      if (this.seen.size === 0) return;
      const entries = [...this.seen].map(([deviceId, v]) => ({ deviceId, ...v }));
      this.seen = new Map();
      await this.repository.recordActivity(entries);
    });
  }

  /** Connect and disconnect (and the retained status), ordered after pending activity. */
  setOnline(deviceId: string, online: boolean, at: Date): Promise<void> {
    return this.onlineWriter.add({ deviceId, online, at });
  }

  private async writeOnline(changes: OnlineChange[]): Promise<void> {
    const lastOfDevice = new Map(changes.map((c) => [c.deviceId, c]));
    const seenBefore = [...lastOfDevice.keys()].flatMap((deviceId) => {
      const seen = this.seen.get(deviceId);
      if (!seen) return [];
      this.seen.delete(deviceId);
      return [{ deviceId, ...seen }];
    });
    await this.repository.recordActivity(seenBefore);
    await this.repository.setOnline([...lastOfDevice.values()]);
  }

  private serially(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain
      .then(work)
      .catch((error: unknown) => this.log.warn({ err: error }, 'could not record device activity'));
    return this.chain;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.onlineWriter.close();
    await this.flush();
  }
}
