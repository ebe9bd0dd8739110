import { Module } from '@nestjs/common';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';

@Module({ imports: [OrgUnitsModule], controllers: [ReportsController], providers: [ReportsRepository] })
export class ReportsModule {}
