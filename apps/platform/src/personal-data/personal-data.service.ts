import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProtectionState } from '@anxin/contract';
import { AlertsService } from '../alerts/alerts.service';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { notifyDeviceChanged } from '../devices/device-changes';
import { DispatchService } from '../dispatch/dispatch.service';
import { AppError } from '../errors/app.errors';
import type { ResidentEntity } from '../residents/resident.entity';
import { ResidentsService } from '../residents/residents.service';
import { type ErasureCounts, EXPORT_LIMITS, PersonalDataRepository } from './personal-data.repository';
import type { ResidentExport } from './resident-export.util';

/** Written where an erasure closes something: says why, names no one. */
export const ERASED_NOTE = '老人档案已注销';

export type ErasureResult = ResidentEntity &
  ProtectionState & { erasure: ErasureCounts & { alertsResolved: number; ordersCancelled: number } };

/** Issue 16 (PIPL): a resident's own data, exported in full or erased. Admins only (the controller's roles). */
@Injectable()
export class PersonalDataService {
  constructor(
    private readonly db: DataSource,
    private readonly data: PersonalDataRepository,
    private readonly residents: ResidentsService,
    private readonly alerts: AlertsService,
    private readonly dispatch: DispatchService,
    private readonly audit: AuditService,
  ) {}

  async exportResident(principal: Principal, id: string, eventsDays: number, format: string): Promise<ResidentExport> {
    const r = await this.residents.requireInScope(principal.scope, id);
    const [orgUnitName, idCardNumber, devices, carePlans, alerts, orders, events] = await Promise.all([
      this.data.orgUnitName(r.orgUnitId),
      this.residents.idCardNumberOf(id),
      this.data.devicesOf(id),
      this.data.carePlansOf(id),
      this.data.alertsOf(id),
      this.data.ordersOf(id),
      this.data.eventsOf(id, eventsDays),
    ]);
    await this.audit.record({
      actor: principal,
      action: 'resident.export',
      subjectType: 'resident',
      subjectId: id,
      orgUnitId: r.orgUnitId,
      detail: { format, eventsDays },
    });
    return {
      exportedAt: new Date().toISOString(),
      resident: {
        id: r.id,
        name: r.name,
        orgUnitId: r.orgUnitId,
        orgUnitName,
        gender: r.gender,
        birthDate: r.birthDate,
        idCardNumber,
        phone: r.phone,
        address: r.address,
        benefitCategories: r.benefitCategories,
        medications: r.medications,
        allergies: r.allergies,
        gp: r.gp,
        keyHolder: r.keyHolder,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        erasedAt: r.erasedAt,
      },
      emergencyContacts: r.emergencyContacts,
      careProfile: r.careProfile,
      devices,
      carePlans,
      alerts: alerts.slice(0, EXPORT_LIMITS.alerts),
      orders: orders.slice(0, EXPORT_LIMITS.orders),
      eventsDays,
      events: events.slice(0, EXPORT_LIMITS.events),
      truncated: {
        alerts: alerts.length > EXPORT_LIMITS.alerts,
        orders: orders.length > EXPORT_LIMITS.orders,
        events: events.length > EXPORT_LIMITS.events,
      },
    };
  }

  /**
   * Erases a resident's personal data. The archive is anonymised in one transaction with its devices
   * disabled (their live sessions dropped on commit), so nothing new is raised for the person; then
   * what is still open is closed through its own service (audited, announced to consoles and caregivers).
   * Idempotent: erasing again finishes what an interrupted erasure left open, and changes nothing else.
   * The audit row holds counts, never the data.
   */
  async erase(principal: Principal, id: string): Promise<ErasureResult> {
    const before = await this.residents.requireInScope(principal.scope, id);
    const counts = await this.db.transaction(async (manager) => {
      const changed = await this.data.anonymise(manager, id);
      for (const deviceId of changed.deviceIds) await notifyDeviceChanged(manager, deviceId);
      return changed;
    });
    const open = await this.data.openWorkOf(id);
    let ordersCancelled = 0;
    for (const orderId of open.orderIds) {
      ordersCancelled += await this.dispatch.cancel(principal, orderId, ERASED_NOTE).then(
        () => 1,
        (error: unknown) => ignoreConflict(error), // finished meanwhile
      );
    }
    let alertsResolved = 0;
    for (const alertId of open.alertIds) {
      alertsResolved += await this.alerts.resolveUnscoped(alertId, 'auto_resolved', ERASED_NOTE, principal).then(
        () => 1,
        (error: unknown) => ignoreConflict(error),
      );
    }
    const erasure = {
      devicesDisabled: counts.devicesDisabled,
      carePlansEnded: counts.carePlansEnded,
      eventsDeleted: counts.eventsDeleted,
      alertsResolved,
      ordersCancelled,
    };
    await this.audit.record({
      actor: principal,
      action: 'resident.erase',
      subjectType: 'resident',
      subjectId: id,
      orgUnitId: before.orgUnitId,
      detail: { ...erasure, again: before.erasedAt !== null },
    });
    const [resident] = await this.residents.withProtection([await this.residents.requireInScope(principal.scope, id)]);
    return Object.assign(resident!, { erasure });
  }
}

function ignoreConflict(error: unknown): 0 {
  if (error instanceof AppError && error.code === 'conflict') return 0;
  throw error;
}
