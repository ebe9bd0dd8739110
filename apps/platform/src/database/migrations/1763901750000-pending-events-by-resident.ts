import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PendingEventsByResident1763901750000 implements MigrationInterface {
  name = 'PendingEventsByResident1763901750000';

  async up(q: QueryRunner): Promise<void> {
    // Issue 13: a life-safety event is ruled in the transaction that stores it when its resident has no
    // other pending event (alerts/pending-events.repository.ts); under overload the routine backlog holds
    // tens of thousands of pending rows, and this answers "has this resident any?" without scanning them.
    await q.query(
      `CREATE INDEX device_events_pending_by_resident_idx ON device_events (resident_id) WHERE processed_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX device_events_pending_by_resident_idx`);
  }
}
