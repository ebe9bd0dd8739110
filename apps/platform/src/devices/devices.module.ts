import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ResidentsModule } from '../residents/residents.module';
import { SecretsModule } from '../secrets/secrets.module';
import { DevicesController } from './devices.controller';
import { DevicesRepository } from './devices.repository';
import { DevicesService } from './devices.service';
import { DeviceRegistryService } from './device-registry.service';
import { ExportsModule } from '../exports/exports.module';

@Module({
  imports: [AuditModule, ExportsModule, ResidentsModule, SecretsModule],
  controllers: [DevicesController],
  providers: [DevicesService, DevicesRepository, DeviceRegistryService],
  exports: [DevicesService, DeviceRegistryService],
})
export class DevicesModule {}
