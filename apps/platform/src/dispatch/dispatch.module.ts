import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { AuditModule } from '../audit/audit.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { ResidentsModule } from '../residents/residents.module';
import { CarePlansController } from './care-plans.controller';
import { CarePlansService } from './care-plans.service';
import { DispatchController } from './dispatch.controller';
import { DispatchService } from './dispatch.service';
import { MaintenanceOrdersService } from './maintenance-orders.service';
import { OrderOffersService } from './order-offers.service';
import { OrderSignals } from './order-signals';
import { OrdersRepository } from './orders.repository';
import { ExportsModule } from '../exports/exports.module';

@Module({
  imports: [AlertsModule, AuditModule, ExportsModule, OrgUnitsModule, ResidentsModule],
  controllers: [DispatchController, CarePlansController],
  providers: [
    DispatchService,
    CarePlansService,
    MaintenanceOrdersService,
    OrderOffersService,
    OrderSignals,
    OrdersRepository,
  ],
  exports: [DispatchService],
})
export class DispatchModule {}
