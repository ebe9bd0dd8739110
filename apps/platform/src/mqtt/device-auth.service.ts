import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DeviceRegistryService } from '../devices/device-registry.service';
import { deviceSecretMatches } from '../devices/device-secret.util';
import { DEFAULT_HEARTBEAT_SECONDS } from '../ingest/ingest.service';
import type { IngestedDevice } from '../ingest/ingest.signals';
import { LOGGER } from '../logging/logger';
import { RepeatedLog } from '../logging/repeated-log';
import { ChannelListener } from '../database/channel-listener';
import { DEVICE_NOTICE_CHANNELS, parseDeviceNotice } from '../devices/device-changes';

export type DeviceAuthResult =
  | { ok: true; device: IngestedDevice }
  | { ok: false; reason: 'unknown_device' | 'bad_secret' | 'disabled' }
  /** The database could not be asked (CONTRACT §2: refuse as "server unavailable", never "not authorized"). */
  | { ok: false; reason: 'server_unavailable' };

interface CachedDevice {
  device: IngestedDevice;
  secretHash: string;
  enabled: boolean;
  expiresAt: number;
}

type CacheEntry = CachedDevice | { missing: true; expiresAt: number };

const CACHE_TTL_MS = 60_000;
const NEGATIVE_TTL_MS = 5_000;
/** A database that does not answer is as unavailable as one that refuses (the pool waits up to 30 s). */
const LOOKUP_TIMEOUT_MS = 5_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Verifies device credentials for every transport. A reconnect storm of
 * thousands of devices is served from a short cache; rotation and disabling
 * reach every process at once through PostgreSQL NOTIFY, so a cached entry
 * is never trusted after its row changed.
 */
@Injectable()
export class DeviceAuthService implements OnApplicationShutdown {
  private readonly cache = new Map<string, CacheEntry>();
  /**
   * The secret hash each device was last accepted with: a change notice compares the row with
   * this, not with the cache, which a refused CONNECT may have refreshed with a new secret meanwhile.
   */
  private readonly acceptedWith = new Map<string, string>();
  private listener: ChannelListener | null = null;
  /** Called with the id of a device whose row changed (the broker disconnects it). */
  onDeviceChanged: (deviceId: string) => void = () => undefined;
  /** Called with a device's current row (a resident moved, or re-read after a lost listener): live sessions take it. */
  onDeviceRefreshed: (device: IngestedDevice) => void = () => undefined;
  /** Called when a resident moved to another org unit (the broker updates its live sessions in place). */
  onResidentMoved: (residentId: string, orgUnitId: string) => void = () => undefined;

  constructor(
    private readonly registry: DeviceRegistryService,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly repeated: RepeatedLog,
  ) {}

  async listenForChanges(databaseUrl: string): Promise<void> {
    const listener = new ChannelListener(
      databaseUrl,
      DEVICE_NOTICE_CHANNELS,
      {
        notified: (payload, channel) => {
          const notice = parseDeviceNotice(payload, channel);
          if ('deviceId' in notice) {
            this.cache.delete(notice.deviceId);
            // A new heartbeat or serial keeps the session (a kick made the device look offline while it redialled);
            // disabled, deleted or a new secret ends it. Unknown what it connected with: ended, to be safe.
            const acceptedWith = this.acceptedWith.get(notice.deviceId);
            if (acceptedWith === undefined) this.onDeviceChanged(notice.deviceId);
            else void this.recheck(notice.deviceId, acceptedWith);
            return;
          }
          // Issue 12 item 3: a moved resident's devices raise alerts in the new unit at once, without a reconnect.
          for (const [id, entry] of this.cache)
            if (!('missing' in entry) && entry.device.residentId === notice.residentId) this.cache.delete(id);
          this.onResidentMoved(notice.residentId, notice.orgUnitId);
        },
        // Change notices are missed from here until `resumed`: trust no cached entry meanwhile.
        lost: () => this.cache.clear(),
        // Every device accepted so far, including those accepted while the listener was down: a notice
        // about one of them sent after its CONNECT and before this point was missed too.
        resumed: () => {
          this.cache.clear();
          void this.disconnectChanged(new Map(this.acceptedWith)).catch((error: unknown) =>
            this.log.warn({ err: error }, 'could not re-check connected devices after the listener came back'),
          );
        },
      },
      this.log,
    );
    await listener.start();
    this.listener = listener;
  }

  /** Devices accepted before the loss whose row changed meanwhile (disabled, deleted, new secret) are disconnected. */
  private async disconnectChanged(trusted: Map<string, string>): Promise<void> {
    await Promise.all([...trusted].map(([id, secretHash]) => this.recheck(id, secretHash)));
  }

  /**
   * A device accepted with `secretHash` whose row may have changed: its session ends if it is
   * disabled, deleted or has a new secret; otherwise the live session takes the row's new
   * resident, unit and heartbeat (a missed move notice too). Unreadable now: ended, to be safe.
   */
  private async recheck(id: string, secretHash: string): Promise<void> {
    try {
      const entry = await this.load(id);
      if ('missing' in entry || !entry.enabled || entry.secretHash !== secretHash) this.onDeviceChanged(id);
      else this.onDeviceRefreshed(entry.device);
    } catch (error) {
      this.repeated.warn('auth:recheck', { err: error, deviceId: id }, 'could not re-check a changed device');
      this.onDeviceChanged(id);
    }
  }

  /**
   * A cached refusal is checked against the database once more before it is
   * given: a device re-enabled (or given a new secret) a moment ago must not
   * be refused because the change notice is still on its way. Refusals are
   * rare, so this costs little.
   */
  async verify(deviceId: string, secret: string): Promise<DeviceAuthResult> {
    try {
      return await withTimeout(this.verifyOrThrow(deviceId, secret), LOOKUP_TIMEOUT_MS);
    } catch (error) {
      // One line per outage interval, not one per device of a reconnect storm.
      this.repeated.warn(
        'auth:database-unavailable',
        { deviceId, err: (error as Error).message },
        'cannot check device credentials: database unavailable',
      );
      return { ok: false, reason: 'server_unavailable' };
    }
  }

  private async verifyOrThrow(deviceId: string, secret: string): Promise<DeviceAuthResult> {
    const cached = this.cache.get(deviceId);
    const fromCache = cached && cached.expiresAt >= Date.now() ? cached : null;
    const entry = fromCache ?? (await this.load(deviceId));
    const result = await this.check(entry, secret);
    if (result.ok || !fromCache || 'missing' in fromCache) return result;
    return this.check(await this.load(deviceId), secret);
  }

  private async load(deviceId: string): Promise<CacheEntry> {
    const now = Date.now();
    const row = await this.registry.findCredentials(deviceId);
    const entry: CacheEntry = row
      ? {
          device: {
            id: row.id,
            type: row.type,
            residentId: row.residentId,
            orgUnitId: row.orgUnitId,
            heartbeatSeconds: row.heartbeatIntervalSeconds ?? DEFAULT_HEARTBEAT_SECONDS[row.type],
          },
          secretHash: row.secretHash,
          enabled: row.enabled,
          expiresAt: now + CACHE_TTL_MS,
        }
      : { missing: true, expiresAt: now + NEGATIVE_TTL_MS };
    if (this.cache.size > 200_000) this.cache.clear();
    this.cache.set(deviceId, entry);
    return entry;
  }

  private async check(entry: CacheEntry, secret: string): Promise<DeviceAuthResult> {
    if ('missing' in entry) return { ok: false, reason: 'unknown_device' };
    const pepper = await this.registry.secretPepper();
    if (!deviceSecretMatches(pepper, secret, entry.secretHash)) return { ok: false, reason: 'bad_secret' };
    if (!entry.enabled) return { ok: false, reason: 'disabled' };
    this.acceptedWith.set(entry.device.id, entry.secretHash);
    // A copy per connection: the session stamps its own start on it (connectedAt).
    return { ok: true, device: { ...entry.device } };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }
}
