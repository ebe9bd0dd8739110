import { Injectable } from '@nestjs/common';
import { PlatformSecretsService } from '../secrets/platform-secrets.service';
import type { DeviceEntity } from './device.entity';
import { DevicesRepository } from './devices.repository';

/** What the broker needs of the registry: credentials by id, outside any operator's scope. */
@Injectable()
export class DeviceRegistryService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly secrets: PlatformSecretsService,
  ) {}

  findCredentials(id: string): Promise<DeviceEntity | null> {
    // Client ids are free text; only a UUID can name a device.
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return Promise.resolve(null);
    return this.devices.findById(id);
  }

  secretPepper(): Promise<Buffer> {
    return this.secrets.requireKey('device_secret_pepper');
  }
}
