import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Deployment1763901500000 implements MigrationInterface {
  name = 'Deployment1763901500000';

  async up(q: QueryRunner): Promise<void> {
    // Issue 14: when the device's current connection began, on whichever process holds it. An online change
    // from an older connection (its end, its will) is ignored, so a device that moved stays online.
    await q.query(`ALTER TABLE devices ADD COLUMN session_started_at timestamptz`);
    // Issue 14: sweeps and pruning run once per interval across all processes, on a schedule kept here.
    await q.query(`CREATE TABLE deployment_tasks (name text PRIMARY KEY, next_run_at timestamptz NOT NULL)`);
    // Issue 14: open sustained-vitals windows per mattress, so a device that moves (or a restart) keeps them.
    await q.query(`
      CREATE TABLE device_rule_state (
        device_id uuid PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        vitals jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE device_rule_state`);
    await q.query(`DROP TABLE deployment_tasks`);
    await q.query(`ALTER TABLE devices DROP COLUMN session_started_at`);
  }
}
