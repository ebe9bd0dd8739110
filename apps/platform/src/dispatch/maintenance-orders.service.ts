import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AlertKind } from '@anxin/contract';
import { AlertsService } from '../alerts/alerts.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError } from '../errors/app.errors';
import type { DeploymentTask } from '../jobs/deployment-task';
import { DeploymentTasks } from '../jobs/deployment-tasks.service';
import { LOGGER } from '../logging/logger';
import { DispatchService } from './dispatch.service';

/** Device faults that a visit fixes (tamper is left to the operator: it may be a break-in, not a fault). */
export const DEVICE_FAULT_KINDS: readonly AlertKind[] = ['device_offline', 'low_battery', 'reading_missing'];

/**
 * Issue 11 (JGJ/T 484 §10.3 practice): a device fault still open after
 * ANXIN_MAINTENANCE_AFTER_SECONDS opens one maintenance order. The clock is the
 * alert's own `opened_at` in the database, and the order is claimed on the
 * alert row in the order's transaction, so a crash or restart loses nothing and
 * several processes sweeping at once open exactly one.
 */
@Injectable()
export class MaintenanceOrdersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeps: DeploymentTask | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly alerts: AlertsService,
    private readonly dispatch: DispatchService,
    private readonly deploymentTasks: DeploymentTasks,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.dispatch.maintenanceOrders) return;
    const everyMs =
      Math.min(this.config.ingest.offlineSweepSeconds, this.config.dispatch.maintenanceAfterSeconds) * 1000;
    this.sweeps = this.deploymentTasks.every(
      'maintenance-orders',
      everyMs,
      () => this.openDueOrders().then(() => undefined),
      'could not open maintenance orders',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweeps?.stop();
  }

  /** Opens the maintenance order of every device fault past its delay; answers how many this call opened. */
  async openDueOrders(): Promise<number> {
    let opened = 0;
    try {
      const due = await this.alerts.findDueForMaintenance(
        DEVICE_FAULT_KINDS,
        this.config.dispatch.maintenanceAfterSeconds,
      );
      for (const alert of due) {
        try {
          await this.dispatch.createOrder(
            null,
            {
              kind: 'maintenance',
              residentId: alert.residentId,
              orgUnitId: alert.orgUnitId,
              alertId: alert.id,
              notes: alert.kind,
            },
            (manager) => this.alerts.claimMaintenance(manager, alert.id),
          );
          opened += 1;
          this.log.info({ alertId: alert.id, kind: alert.kind }, 'maintenance order opened for a lasting device fault');
        } catch (error) {
          if (!(error instanceof AppError)) throw error; // claimed by another process meanwhile
        }
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not open maintenance orders');
    }
    return opened;
  }
}
