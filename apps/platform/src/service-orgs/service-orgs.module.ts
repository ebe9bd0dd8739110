import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { ServiceOrgsController } from './service-orgs.controller';
import { ServiceOrgsRepository } from './service-orgs.repository';
import { ServiceOrgsService } from './service-orgs.service';

@Module({
  imports: [AuditModule, OrgUnitsModule],
  controllers: [ServiceOrgsController],
  providers: [ServiceOrgsService, ServiceOrgsRepository],
  exports: [ServiceOrgsService],
})
export class ServiceOrgsModule {}
