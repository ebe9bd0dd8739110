import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DueTimers1763901250000 implements MigrationInterface {
  name = 'DueTimers1763901250000';

  async up(q: QueryRunner): Promise<void> {
    // CONTRACT §1 v1.1: a timer (escalation, offer time-out, bed return) is a row here until its handler
    // succeeded; the BullMQ delayed job is only its wake-up, and a reconciler fires rows that fell due
    // without one (Redis lost, retries exhausted during a database outage, a crash mid-run).
    await q.query(`
      CREATE TABLE due_timers (
        job_id        text PRIMARY KEY,
        name          text NOT NULL,
        payload       jsonb NOT NULL,
        due_at        timestamptz NOT NULL,
        attempts      integer NOT NULL DEFAULT 0,
        claimed_until timestamptz,
        last_error    text,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX due_timers_due_idx ON due_timers (due_at)`);
    // The rule pass takes residents with a pending life-safety event first (alerts/pending-events.repository.ts);
    // tiny, as only those events of the backlog are in it.
    await q.query(`
      CREATE INDEX device_events_life_safety_idx ON device_events (resident_id, id)
      WHERE processed_at IS NULL AND type IN ('sos', 'fall', 'smoke', 'gas', 'water_leak')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX device_events_life_safety_idx`);
    await q.query(`DROP TABLE due_timers`);
  }
}
