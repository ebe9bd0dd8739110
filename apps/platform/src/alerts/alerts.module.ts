import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DevicesModule } from '../devices/devices.module';
import { IngestModule } from '../ingest/ingest.module';
import { ResidentsModule } from '../residents/residents.module';
import { AlertEngineService } from './alert-engine.service';
import { AlertsController } from './alerts.controller';
import { AlertsRepository } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { ResidentVitalsController } from './resident-vitals.controller';

@Module({
  imports: [AuditModule, DevicesModule, IngestModule, ResidentsModule],
  controllers: [AlertsController, ResidentVitalsController],
  providers: [AlertsService, AlertsRepository, AlertEngineService],
  exports: [AlertsService],
})
export class AlertsModule {}
