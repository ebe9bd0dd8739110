import { StatementBatcher } from '../database/statement-batcher';
import type { RepeatedLog } from '../logging/repeated-log';
import type { IngestRepository } from './ingest.repository';

/** Seen times are rewritten at most this often per device, or a quarter of its heartbeat if shorter. */
const MAX_REWRITE_MS = 5000;

interface Seen {
  at: Date;
  battery: number | null;
  rewriteMs: number;
}

interface Written {
  at: number;
  battery: number | null;
}

interface OnlineChange {
  deviceId: string;
  online: boolean;
  at: Date;
  /** The connection it comes from: a change from an older connection than the device's current one is ignored. */
  sessionStartedAt: Date;
}

/**
 * Coalesces "seen now" (and battery) per device and writes them once a second,
 * instead of one UPDATE per message on the hot path; a device that keeps
 * talking is rewritten only every few seconds (well inside its heartbeat, so
 * the offline sweep never sees it stale), a battery change at once. Online/offline changes go
 * through the same serial chain, so a late "seen" write never marks a device
 * online after its disconnect was recorded; a reconnect storm's changes are
 * written together, the last change of each device winning.
 */
export class DeviceActivity {
  private seen = new Map<string, Seen>();
  private readonly written = new Map<string, Written>();
  private readonly timer: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private readonly onlineWriter: StatementBatcher<OnlineChange, void>;

  constructor(
    private readonly repository: IngestRepository,
    /** Every second while the database is away: logged once per interval with a count. */
    private readonly log: Pick<RepeatedLog, 'warn'>,
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

  touch(device: { id: string; heartbeatSeconds: number }, at: Date, battery: number | null = null): void {
    const previous = this.seen.get(device.id);
    this.seen.set(device.id, {
      at,
      battery: battery ?? previous?.battery ?? null,
      rewriteMs: Math.min(MAX_REWRITE_MS, device.heartbeatSeconds * 250),
    });
  }

  flush(): Promise<void> {
    return this.serially(async () => {
      const now = Date.now();
      const due = [...this.seen].filter(([deviceId, seen]) => {
        const written = this.written.get(deviceId);
        // Measured against now, not the message: a device's last message before it falls silent is
        // written within rewriteMs, so the offline sweep times its heartbeat from the real last sign of life.
        return (
          !written || now - written.at >= seen.rewriteMs || (seen.battery !== null && seen.battery !== written.battery)
        );
      });
      if (due.length === 0) return;
      for (const [deviceId] of due) this.seen.delete(deviceId);
      await this.write(due.map(([deviceId, seen]) => ({ deviceId, at: seen.at, battery: seen.battery })));
    });
  }

  private async write(entries: { deviceId: string; at: Date; battery: number | null }[]): Promise<void> {
    await this.repository.recordActivity(entries);
    for (const e of entries) this.written.set(e.deviceId, { at: e.at.getTime(), battery: e.battery });
  }

  /** Connect and disconnect (and the retained status), ordered after pending activity. */
  setOnline(deviceId: string, online: boolean, at: Date, sessionStartedAt: Date): Promise<void> {
    return this.onlineWriter.add({ deviceId, online, at, sessionStartedAt });
  }

  private async writeOnline(changes: OnlineChange[]): Promise<void> {
    // Per device, the last change of its newest connection (an old connection's will may come after).
    const lastOfDevice = new Map<string, OnlineChange>();
    for (const change of changes) {
      const kept = lastOfDevice.get(change.deviceId);
      if (!kept || change.sessionStartedAt >= kept.sessionStartedAt) lastOfDevice.set(change.deviceId, change);
    }
    const seenBefore = [...lastOfDevice.keys()].flatMap((deviceId) => {
      const seen = this.seen.get(deviceId);
      if (!seen) return [];
      this.seen.delete(deviceId);
      return [{ deviceId, at: seen.at, battery: seen.battery }];
    });
    await this.write(seenBefore);
    for (const change of lastOfDevice.values()) if (!change.online) this.written.delete(change.deviceId);
    await this.repository.setOnline([...lastOfDevice.values()]);
  }

  private serially(work: () => Promise<void>): Promise<void> {
    this.chain = this.chain
      .then(work)
      .catch((error: unknown) => this.log.warn('device-activity', { err: error }, 'could not record device activity'));
    return this.chain;
  }

  /** Everything seen is written, throttled or not (at shutdown). */
  flushAll(): Promise<void> {
    return this.serially(async () => {
      const all = [...this.seen].map(([deviceId, seen]) => ({ deviceId, at: seen.at, battery: seen.battery }));
      this.seen = new Map();
      await this.write(all);
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.onlineWriter.close();
    await this.flushAll();
  }
}
