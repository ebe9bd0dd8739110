import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AlertKind, AlertOutcome, AlertStatus, DeviceType, OrderKind, OrderStatus } from '@anxin/contract';

/** At most this many of a resident's alerts, orders and events go into one export (newest first). */
export const EXPORT_LIMITS = { alerts: 5_000, orders: 5_000, events: 10_000 } as const;

export interface ExportedDevice {
  id: string;
  type: DeviceType;
  serial: string | null;
  enabled: boolean;
  online: boolean;
  lastSeenAt: Date | null;
  battery: number | null;
  createdAt: Date;
}
export interface ExportedCarePlan {
  id: string;
  kind: OrderKind;
  weekdays: number[];
  timeOfDay: string;
  notes: string | null;
  active: boolean;
  endedAt: Date | null;
  createdAt: Date;
}
export interface ExportedAlert {
  id: string;
  kind: AlertKind;
  severity: string;
  status: AlertStatus;
  openedAt: Date;
  lastOccurredAt: Date;
  occurrences: number;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  outcome: AlertOutcome | null;
  note: string | null;
  readings: unknown;
}
export interface ExportedOrder {
  id: string;
  kind: OrderKind;
  status: OrderStatus;
  createdAt: Date;
  scheduledFor: Date | null;
  acceptedAt: Date | null;
  onSiteAt: Date | null;
  completedAt: Date | null;
  notes: string | null;
  cancelReason: string | null;
  outcome: string | null;
}
export interface ExportedEvent {
  id: string;
  deviceId: string;
  type: string;
  deviceTs: Date;
  receivedAt: Date;
  payload: unknown;
}

/** What one erasure changed, by count (the audit row and the answer carry these, never the data). */
export interface ErasureCounts {
  devicesDisabled: number;
  carePlansEnded: number;
  eventsDeleted: number;
}

/**
 * Everything held on one resident across the domains' tables (issue 16, PIPL): read for its export,
 * anonymised for its erasure. Callers have checked the resident is in the caller's scope.
 */
@Injectable()
export class PersonalDataRepository {
  constructor(private readonly db: DataSource) {}

  orgUnitName(orgUnitId: string): Promise<string | null> {
    return this.db
      .query<{ name: string }[]>(`SELECT name FROM org_units WHERE id = $1`, [orgUnitId])
      .then((rows) => rows[0]?.name ?? null);
  }

  devicesOf(residentId: string): Promise<ExportedDevice[]> {
    return this.db.query(
      `SELECT id, type, serial, enabled, online, last_seen_at AS "lastSeenAt", battery, created_at AS "createdAt"
       FROM devices WHERE resident_id = $1 ORDER BY created_at, id`,
      [residentId],
    );
  }

  carePlansOf(residentId: string): Promise<ExportedCarePlan[]> {
    return this.db.query(
      `SELECT id, kind, weekdays, time_of_day AS "timeOfDay", notes, active, ended_at AS "endedAt",
              created_at AS "createdAt"
       FROM care_plans WHERE resident_id = $1 ORDER BY created_at, id`,
      [residentId],
    );
  }

  /** Newest first; one more than the limit tells the caller the list was cut. */
  alertsOf(residentId: string): Promise<ExportedAlert[]> {
    return this.db.query(
      `SELECT id, kind, severity, status, opened_at AS "openedAt", last_occurred_at AS "lastOccurredAt", occurrences,
              acknowledged_at AS "acknowledgedAt", resolved_at AS "resolvedAt", outcome, note, readings
       FROM alerts WHERE resident_id = $1 ORDER BY opened_at DESC, id LIMIT $2`,
      [residentId, EXPORT_LIMITS.alerts + 1],
    );
  }

  ordersOf(residentId: string): Promise<ExportedOrder[]> {
    return this.db.query(
      `SELECT id, kind, status, created_at AS "createdAt", scheduled_for AS "scheduledFor",
              accepted_at AS "acceptedAt", on_site_at AS "onSiteAt", completed_at AS "completedAt", notes,
              cancel_reason AS "cancelReason", outcome
       FROM service_orders WHERE resident_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [residentId, EXPORT_LIMITS.orders + 1],
    );
  }

  eventsOf(residentId: string, days: number): Promise<ExportedEvent[]> {
    return this.db.query(
      `SELECT id::text AS id, device_id AS "deviceId", type, device_ts AS "deviceTs", received_at AS "receivedAt", payload
       FROM device_events
       WHERE resident_id = $1 AND received_at >= now() - make_interval(days => $2)
       ORDER BY received_at DESC, id DESC LIMIT $3`,
      [residentId, days, EXPORT_LIMITS.events + 1],
    );
  }

  /** The alerts and orders still open, to be closed through their own services. */
  async openWorkOf(residentId: string): Promise<{ alertIds: string[]; orderIds: string[] }> {
    const [alerts, orders] = await Promise.all([
      this.db.query<{ id: string }[]>(`SELECT id FROM alerts WHERE resident_id = $1 AND status <> 'resolved'`, [
        residentId,
      ]),
      this.db.query<{ id: string }[]>(
        `SELECT id FROM service_orders WHERE resident_id = $1 AND status NOT IN ('completed', 'cancelled')`,
        [residentId],
      ),
    ]);
    return { alertIds: alerts.map((r) => r.id), orderIds: orders.map((r) => r.id) };
  }

  /**
   * Inside the erasing transaction: the archive anonymised (kept as a row, so alerts and orders keep their
   * resident and unit for statistics), its devices disabled (the row requires a resident, so they stay
   * assigned but can no longer connect or raise alerts), its care plans ended, and every free text that
   * could name the person cleared: alert and order notes, timelines, audit details, contact notifications.
   * Readings and device events (vitals, locations) are deleted. Answers the ids of the disabled devices.
   */
  async anonymise(manager: EntityManager, residentId: string): Promise<ErasureCounts & { deviceIds: string[] }> {
    await manager.query(
      `UPDATE residents SET
         name = '已注销老人 #' || left(id::text, 8), address = NULL, birth_date = NULL, phone = NULL,
         emergency_contacts = '[]', care_profile = '{}', id_card_cipher = NULL, id_card_masked = NULL,
         medications = NULL, allergies = NULL, gp = NULL, key_holder = NULL, benefit_categories = '{}',
         erased_at = coalesce(erased_at, now()), updated_at = now()
       WHERE id = $1`,
      [residentId],
    );
    // TypeORM answers an UPDATE or DELETE as [rows, count].
    const [devices] = await manager.query<[{ id: string }[], number]>(
      `UPDATE devices SET enabled = false, updated_at = now() WHERE resident_id = $1 AND enabled RETURNING id`,
      [residentId],
    );
    const allDevices = await manager.query<{ id: string }[]>(`SELECT id FROM devices WHERE resident_id = $1`, [
      residentId,
    ]);
    const deviceIds = allDevices.map((d) => d.id);
    const [, plansEnded] = await manager.query<[unknown, number]>(
      `UPDATE care_plans SET active = false, ended_at = coalesce(ended_at, now()), notes = NULL, updated_at = now()
       WHERE resident_id = $1 AND (ended_at IS NULL OR notes IS NOT NULL)`,
      [residentId],
    );
    await manager.query(`UPDATE alerts SET note = NULL, readings = NULL WHERE resident_id = $1`, [residentId]);
    await manager.query(`UPDATE service_orders SET notes = NULL, cancel_reason = NULL WHERE resident_id = $1`, [
      residentId,
    ]);
    await manager.query(
      `UPDATE order_timeline SET note = NULL
       WHERE note IS NOT NULL AND order_id IN (SELECT id FROM service_orders WHERE resident_id = $1)`,
      [residentId],
    );
    // The audit trail keeps who did what and when; the notes and reasons typed with it go.
    await manager.query(
      `UPDATE audit_log SET detail = detail - 'note' - 'reason'
       WHERE detail IS NOT NULL AND (detail ? 'note' OR detail ? 'reason') AND (
         (subject_type = 'alert' AND subject_id IN (SELECT id::text FROM alerts WHERE resident_id = $1)) OR
         (subject_type = 'order' AND subject_id IN (SELECT id::text FROM service_orders WHERE resident_id = $1)))`,
      [residentId],
    );
    // A care plan's edits are audited with the notes' old and new text.
    await manager.query(
      `UPDATE audit_log SET detail = detail #- '{changed,notes}'
       WHERE subject_type = 'care_plan' AND detail #> '{changed,notes}' IS NOT NULL
         AND subject_id IN (SELECT id::text FROM care_plans WHERE resident_id = $1)`,
      [residentId],
    );
    // Commands sent to the person's devices and their answers are free-form: they may name or locate them.
    await manager.query(`UPDATE device_commands SET params = '{}', result = NULL WHERE device_id = ANY($1::uuid[])`, [
      deviceIds,
    ]);
    // Notifications to the contacts carry their names and numbers.
    await manager.query(
      `DELETE FROM notification_outbox WHERE alert_id IN (SELECT id FROM alerts WHERE resident_id = $1)`,
      [residentId],
    );
    const events = await manager.query<[unknown, number]>(`DELETE FROM device_events WHERE resident_id = $1`, [
      residentId,
    ]);
    await manager.query(`DELETE FROM telemetry WHERE device_id = ANY($1::uuid[])`, [deviceIds]);
    await manager.query(`DELETE FROM device_latest WHERE device_id = ANY($1::uuid[])`, [deviceIds]);
    await manager.query(`DELETE FROM device_rule_state WHERE device_id = ANY($1::uuid[])`, [deviceIds]);
    await manager.query(`DELETE FROM resident_activity WHERE resident_id = $1`, [residentId]);
    return {
      deviceIds: devices.map((d) => d.id),
      devicesDisabled: devices.length,
      carePlansEnded: plansEnded,
      eventsDeleted: events[1] ?? 0,
    };
  }
}
