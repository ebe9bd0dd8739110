import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DevicesModule } from '../devices/devices.module';
import { IngestModule } from '../ingest/ingest.module';
import { ResidentsModule } from '../residents/residents.module';
import { AlertEngineService } from './alert-engine.service';
import { AlertsController } from './alerts.controller';
import { AlertsRepository } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { NotificationOutboxRepository } from './notification-outbox.repository';
import { NotificationOutboxService } from './notification-outbox.service';
import { ResidentVitalsController } from './resident-vitals.controller';
import { SupervisionRepository } from './supervision.repository';
import { SupervisionService } from './supervision.service';
import { TelemetryRulesService } from './telemetry-rules.service';
import { ExportsModule } from '../exports/exports.module';

@Module({
  imports: [AuditModule, ExportsModule, DevicesModule, IngestModule, ResidentsModule],
  controllers: [AlertsController, ResidentVitalsController],
  providers: [
    AlertsService,
    AlertsRepository,
    AlertEngineService,
    TelemetryRulesService,
    NotificationOutboxService,
    NotificationOutboxRepository,
    SupervisionService,
    SupervisionRepository,
  ],
  exports: [AlertsService],
})
export class AlertsModule {}
