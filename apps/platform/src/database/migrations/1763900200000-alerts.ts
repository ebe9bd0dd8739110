import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Alerts1763900200000 implements MigrationInterface {
  name = 'Alerts1763900200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        resident_id uuid NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
        org_unit_id uuid NOT NULL,
        device_id uuid REFERENCES devices(id) ON DELETE SET NULL,
        event_id bigint,
        kind text NOT NULL,
        severity text NOT NULL CONSTRAINT alerts_severity_check CHECK (severity IN ('critical', 'high', 'medium', 'low')),
        status text NOT NULL DEFAULT 'open'
          CONSTRAINT alerts_status_check CHECK (status IN ('open', 'acknowledged', 'dispatched', 'resolved')),
        opened_at timestamptz NOT NULL DEFAULT now(),
        last_occurred_at timestamptz NOT NULL DEFAULT now(),
        occurrences integer NOT NULL DEFAULT 1,
        escalation_level integer NOT NULL DEFAULT 0,
        acknowledged_at timestamptz,
        acknowledged_by uuid,
        dispatched_at timestamptz,
        resolved_at timestamptz,
        resolved_by uuid,
        outcome text CONSTRAINT alerts_outcome_check
          CHECK (outcome IN ('real_emergency', 'false_alarm', 'cancelled_by_resident', 'device_fault', 'other')),
        note text,
        readings jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One open alert per (resident, kind): further triggers become occurrences, even when processes race.
    await q.query(
      `CREATE UNIQUE INDEX alerts_one_open_per_kind ON alerts (resident_id, kind) WHERE status <> 'resolved'`,
    );
    await q.query(`CREATE INDEX alerts_unit_status_idx ON alerts (org_unit_id, status, opened_at DESC)`);
    await q.query(`CREATE INDEX alerts_open_idx ON alerts (opened_at DESC) WHERE status <> 'resolved'`);
    // Last sign of life per resident, for the inactivity rule.
    await q.query(`
      CREATE TABLE resident_activity (
        resident_id uuid PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
        last_activity_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE resident_activity`);
    await q.query(`DROP TABLE alerts`);
  }
}
