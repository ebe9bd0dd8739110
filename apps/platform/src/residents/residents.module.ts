import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { ResidentsController } from './residents.controller';
import { ResidentsRepository } from './residents.repository';
import { ResidentsService } from './residents.service';
import { ExportsModule } from '../exports/exports.module';

@Module({
  imports: [AuditModule, ExportsModule, OrgUnitsModule],
  controllers: [ResidentsController],
  providers: [ResidentsService, ResidentsRepository],
  exports: [ResidentsService],
})
export class ResidentsModule {}
