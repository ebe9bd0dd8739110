import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { AuditModule } from '../audit/audit.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { ResidentsModule } from '../residents/residents.module';
import { DispatchController } from './dispatch.controller';
import { DispatchService } from './dispatch.service';
import { MaintenanceOrdersService } from './maintenance-orders.service';
import { OrderOffersService } from './order-offers.service';
import { OrderSignals } from './order-signals';
import { OrdersRepository } from './orders.repository';

@Module({
  imports: [AlertsModule, AuditModule, OrgUnitsModule, ResidentsModule],
  controllers: [DispatchController],
  providers: [DispatchService, MaintenanceOrdersService, OrderOffersService, OrderSignals, OrdersRepository],
  exports: [DispatchService],
})
export class DispatchModule {}
