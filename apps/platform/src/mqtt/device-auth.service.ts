import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { DeviceRegistryService } from '../devices/device-registry.service';
import { deviceSecretMatches } from '../devices/device-secret.util';
import { DEFAULT_HEARTBEAT_SECONDS } from '../ingest/ingest.service';
import type { IngestedDevice } from '../ingest/ingest.signals';
import { LOGGER } from '../logging/logger';
import { DEVICE_CHANGED_CHANNEL } from '../devices/device-changes';

export type DeviceAuthResult =
  { ok: true; device: IngestedDevice } | { ok: false; reason: 'unknown_device' | 'bad_secret' | 'disabled' };

interface CachedDevice {
  device: IngestedDevice;
  secretHash: string;
  enabled: boolean;
  expiresAt: number;
}

type CacheEntry = CachedDevice | { missing: true; expiresAt: number };

const CACHE_TTL_MS = 60_000;
const NEGATIVE_TTL_MS = 5_000;

/**
 * Verifies device credentials for every transport. A reconnect storm of
 * thousands of devices is served from a short cache; rotation and disabling
 * reach every process at once through PostgreSQL NOTIFY, so a cached entry
 * is never trusted after its row changed.
 */
@Injectable()
export class DeviceAuthService implements OnApplicationShutdown {
  private readonly cache = new Map<string, CacheEntry>();
  private listener: Client | null = null;
  /** Called with the id of a device whose row changed (the broker disconnects it). */
  onDeviceChanged: (deviceId: string) => void = () => undefined;

  constructor(
    private readonly registry: DeviceRegistryService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async listenForChanges(databaseUrl: string): Promise<void> {
    const client = new Client({ connectionString: databaseUrl });
    client.on('error', (error) => this.log.warn({ err: error }, 'device change listener failed'));
    client.on('notification', (message) => {
      if (!message.payload) return;
      this.cache.delete(message.payload);
      this.onDeviceChanged(message.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${DEVICE_CHANGED_CHANNEL}`);
    this.listener = client;
  }

  /**
   * A cached refusal is checked against the database once more before it is
   * given: a device re-enabled (or given a new secret) a moment ago must not
   * be refused because the change notice is still on its way. Refusals are
   * rare, so this costs little.
   */
  async verify(deviceId: string, secret: string): Promise<DeviceAuthResult> {
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
    return { ok: true, device: entry.device };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.end().catch(() => undefined);
  }
}
