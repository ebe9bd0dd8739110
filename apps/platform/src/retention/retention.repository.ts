import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { RetentionSettings } from '@anxin/contract';

/** Rows deleted per statement, so one prune never holds a long lock on a busy table. */
const BATCH = 5_000;

const SETTINGS_COLUMNS = `device_events_days AS "deviceEventsDays", alerts_days AS "alertsDays",
  orders_days AS "ordersDays", audit_log_days AS "auditLogDays"`;

/**
 * Each table's expired rows, as one statement per batch: `$1` is the retention in days. Alerts and orders
 * only once closed (resolved; completed, cancelled or unassigned), counted from when they closed.
 */
const EXPIRED: Record<keyof RetentionSettings, string> = {
  deviceEventsDays: `DELETE FROM device_events WHERE id IN (
    SELECT id FROM device_events WHERE received_at < now() - make_interval(days => $1) LIMIT ${BATCH})`,
  alertsDays: `DELETE FROM alerts WHERE id IN (
    SELECT id FROM alerts WHERE status = 'resolved' AND resolved_at < now() - make_interval(days => $1) LIMIT ${BATCH})`,
  ordersDays: `DELETE FROM service_orders WHERE id IN (
    SELECT id FROM service_orders WHERE status IN ('completed', 'cancelled', 'unassigned')
      AND coalesce(completed_at, updated_at) < now() - make_interval(days => $1) LIMIT ${BATCH})`,
  auditLogDays: `DELETE FROM audit_log WHERE id IN (
    SELECT id FROM audit_log WHERE at < now() - make_interval(days => $1) LIMIT ${BATCH})`,
};

@Injectable()
export class RetentionRepository {
  constructor(private readonly db: DataSource) {}

  async settings(manager: EntityManager = this.db.manager): Promise<RetentionSettings> {
    const [row] = await manager.query<RetentionSettings[]>(`SELECT ${SETTINGS_COLUMNS} FROM retention_settings`);
    // The migration writes the row; should it ever be missing, nothing is pruned.
    return row ?? { deviceEventsDays: null, alertsDays: null, ordersDays: null, auditLogDays: null };
  }

  async save(settings: RetentionSettings, manager: EntityManager): Promise<RetentionSettings> {
    const rows = await manager.query<RetentionSettings[]>(
      `INSERT INTO retention_settings AS s (id, device_events_days, alerts_days, orders_days, audit_log_days)
       VALUES (true, $1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET device_events_days = $1, alerts_days = $2, orders_days = $3,
         audit_log_days = $4, updated_at = now()
       RETURNING ${SETTINGS_COLUMNS}`,
      [settings.deviceEventsDays, settings.alertsDays, settings.ordersDays, settings.auditLogDays],
    );
    return rows[0]!;
  }

  /** Deletes one kind's expired rows, batch by batch; answers how many. */
  async prune(kind: keyof RetentionSettings, days: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const [, count] = await this.db.query<[unknown, number]>(EXPIRED[kind], [days]);
      removed += count ?? 0;
      if ((count ?? 0) < BATCH) return removed;
    }
  }
}
