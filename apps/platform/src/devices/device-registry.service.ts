import { Injectable } from '@nestjs/common';
import { StatementBatcher } from '../database/statement-batcher';
import { PlatformSecretsService } from '../secrets/platform-secrets.service';
import type { DeviceEntity } from './device.entity';
import { DevicesRepository } from './devices.repository';

/** What the broker needs of the registry: credentials by id, outside any operator's scope. */
@Injectable()
export class DeviceRegistryService {
  /** A reconnect storm looks up the devices that dialled meanwhile in one query. */
  private readonly credentialsLookup: StatementBatcher<string, DeviceEntity | null>;

  constructor(
    private readonly devices: DevicesRepository,
    private readonly secrets: PlatformSecretsService,
  ) {
    this.credentialsLookup = new StatementBatcher(
      async (ids) => {
        const found = new Map((await this.devices.findByIds([...new Set(ids)])).map((d) => [d.id, d]));
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxWaitMs: 0, maxBatch: 500 },
    );
  }

  findCredentials(id: string): Promise<DeviceEntity | null> {
    // Client ids are free text; only a UUID can name a device.
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return Promise.resolve(null);
    return this.credentialsLookup.add(id.toLowerCase());
  }

  secretPepper(): Promise<Buffer> {
    return this.secrets.requireKey('device_secret_pepper');
  }
}
