import type { MigrationInterface, QueryRunner } from 'typeorm';

const HEALTH = `('device_offline', 'low_battery', 'tamper', 'reading_missing')`;

/**
 * Issue 11 §1, device supervision: per-device silence and missing-reading state
 * (shared by every process, so the sweeps need no memory), device-health alerts
 * kept per device, `auto_resolved`, and the once-only maintenance order marker.
 */
export class Supervision1763901000000 implements MigrationInterface {
  name = 'Supervision1763901000000';

  async up(q: QueryRunner): Promise<void> {
    // offline_since: the last sign of life of a device found silent past its heartbeat (null = heard from since).
    await q.query(`ALTER TABLE devices
      ADD COLUMN offline_since timestamptz,
      ADD COLUMN reading_missing_since timestamptz,
      ADD COLUMN reading_missing_alerted_at timestamptz`);
    await q.query(
      `CREATE INDEX devices_reading_missing_idx ON devices (reading_missing_since) WHERE reading_missing_since IS NOT NULL`,
    );
    await q.query(`CREATE INDEX devices_degraded_idx ON devices (resident_id)
      WHERE offline_since IS NOT NULL OR reading_missing_alerted_at IS NOT NULL`);
    await q.query(`ALTER TABLE alerts ADD COLUMN maintenance_ordered_at timestamptz`);
    await q.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_outcome_check, ADD CONSTRAINT alerts_outcome_check
      CHECK (outcome IN ('real_emergency', 'false_alarm', 'cancelled_by_resident', 'device_fault', 'other', 'auto_resolved'))`);
    // CONTRACT §3 Supervision: device-health alerts are one open alert per device, the rest one per resident.
    await q.query(`DROP INDEX alerts_one_open_per_kind`);
    await q.query(`CREATE UNIQUE INDEX alerts_one_open_per_kind ON alerts (resident_id, kind)
      WHERE status <> 'resolved' AND kind NOT IN ${HEALTH}`);
    await q.query(`CREATE UNIQUE INDEX alerts_one_open_per_device ON alerts (device_id, kind)
      WHERE status <> 'resolved' AND kind IN ${HEALTH}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX alerts_one_open_per_device`);
    await q.query(`DROP INDEX alerts_one_open_per_kind`);
    await q.query(
      `CREATE UNIQUE INDEX alerts_one_open_per_kind ON alerts (resident_id, kind) WHERE status <> 'resolved'`,
    );
    await q.query(`ALTER TABLE alerts DROP CONSTRAINT alerts_outcome_check, ADD CONSTRAINT alerts_outcome_check
      CHECK (outcome IN ('real_emergency', 'false_alarm', 'cancelled_by_resident', 'device_fault', 'other'))`);
    await q.query(`ALTER TABLE alerts DROP COLUMN maintenance_ordered_at`);
    await q.query(`ALTER TABLE devices
      DROP COLUMN offline_since, DROP COLUMN reading_missing_since, DROP COLUMN reading_missing_alerted_at`);
  }
}
