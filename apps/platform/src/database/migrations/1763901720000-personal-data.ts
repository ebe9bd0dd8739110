import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PersonalData1763901720000 implements MigrationInterface {
  name = 'PersonalData1763901720000';

  async up(q: QueryRunner): Promise<void> {
    // Issue 16 (PIPL): an erased resident keeps its row (its alerts and orders stay for statistics),
    // anonymised; this says when, and that it was.
    await q.query(`ALTER TABLE residents ADD COLUMN erased_at timestamptz`);
    // Issue 16: how long history is kept, one row for the deployment; null = kept forever.
    await q.query(`
      CREATE TABLE retention_settings (
        id boolean PRIMARY KEY DEFAULT true CONSTRAINT retention_settings_one_row CHECK (id),
        device_events_days integer CONSTRAINT retention_settings_events_check CHECK (device_events_days > 0),
        alerts_days integer CONSTRAINT retention_settings_alerts_check CHECK (alerts_days > 0),
        orders_days integer CONSTRAINT retention_settings_orders_check CHECK (orders_days > 0),
        audit_log_days integer CONSTRAINT retention_settings_audit_check CHECK (audit_log_days > 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO retention_settings (device_events_days, alerts_days, orders_days, audit_log_days)
      VALUES (180, 1095, 1095, 1095)`);
    // The prune finds expired rows by time: closed alerts and orders, old events, old audit rows.
    await q.query(`CREATE INDEX device_events_received_idx ON device_events USING brin (received_at)`);
    await q.query(`CREATE INDEX alerts_resolved_at_idx ON alerts (resolved_at) WHERE status = 'resolved'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alerts_resolved_at_idx`);
    await q.query(`DROP INDEX device_events_received_idx`);
    await q.query(`DROP TABLE retention_settings`);
    await q.query(`ALTER TABLE residents DROP COLUMN erased_at`);
  }
}
