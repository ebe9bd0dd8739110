import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PasswordModule } from '../auth/password.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { ServiceOrgsModule } from '../service-orgs/service-orgs.module';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { ExportsModule } from '../exports/exports.module';

@Module({
  imports: [AuditModule, ExportsModule, OrgUnitsModule, PasswordModule, ServiceOrgsModule],
  controllers: [UsersController],
  providers: [UsersService, UsersRepository],
  exports: [UsersService],
})
export class UsersModule {}
