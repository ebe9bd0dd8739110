import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface OutboxRow {
  id: string;
  alertId: string;
  orgUnitId: string | null;
  escalationLevel: number;
  payload: Record<string, unknown>;
  attempts: number;
}

const COLUMNS = `id::text, alert_id AS "alertId", org_unit_id AS "orgUnitId", escalation_level AS "escalationLevel", payload, attempts`;

/** The durable outbox of emergency-contact notifications: one row per (alert, escalation level). */
@Injectable()
export class NotificationOutboxRepository {
  constructor(private readonly db: DataSource) {}

  /** Null when this level was queued already (a re-run escalation). */
  async insert(
    manager: EntityManager,
    row: { alertId: string; orgUnitId: string; escalationLevel: number; payload: unknown; failedBecause?: string },
  ): Promise<string | null> {
    const rows = await manager.query<{ id: string }[]>(
      `INSERT INTO notification_outbox (alert_id, org_unit_id, escalation_level, payload, status, last_error)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (alert_id, escalation_level) DO NOTHING RETURNING id::text`,
      [
        row.alertId,
        row.orgUnitId,
        row.escalationLevel,
        row.payload,
        row.failedBecause ? 'failed' : 'pending',
        row.failedBecause ?? null,
      ],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Takes one due try: counts the attempt and leases the row for `leaseSeconds`, so a process that dies
   * mid-POST leaves it to be tried again; SKIP LOCKED lets several processes sweep side by side.
   */
  async claim(id: string, leaseSeconds: number): Promise<OutboxRow | null> {
    const [rows] = await this.db.query<[OutboxRow[], number]>(
      `UPDATE notification_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
       WHERE id = (SELECT id FROM notification_outbox WHERE id = $1 AND status = 'pending'
                     AND next_attempt_at <= now() + interval '2 seconds' FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [id, leaseSeconds],
    );
    return rows[0] ?? null;
  }

  markSent(id: string): Promise<unknown> {
    return this.db.query(
      `UPDATE notification_outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1`,
      [id],
    );
  }

  markFailed(id: string, error: string): Promise<unknown> {
    return this.db.query(`UPDATE notification_outbox SET status = 'failed', last_error = $2 WHERE id = $1`, [
      id,
      error,
    ]);
  }

  retryAt(id: string, error: string, delaySeconds: number): Promise<unknown> {
    return this.db.query(
      `UPDATE notification_outbox SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1`,
      [id, error, delaySeconds],
    );
  }

  async listDue(limit: number): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id::text FROM notification_outbox WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}
