import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { AuditModule } from '../audit/audit.module';
import { DispatchModule } from '../dispatch/dispatch.module';
import { ResidentsModule } from '../residents/residents.module';
import { PersonalDataController } from './personal-data.controller';
import { PersonalDataRepository } from './personal-data.repository';
import { PersonalDataService } from './personal-data.service';

/** Issue 16 (PIPL): export and erasure of one resident's data, across the domains that hold it. */
@Module({
  imports: [AlertsModule, AuditModule, DispatchModule, ResidentsModule],
  controllers: [PersonalDataController],
  providers: [PersonalDataService, PersonalDataRepository],
})
export class PersonalDataModule {}
