import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IngestThroughput1763900400000 implements MigrationInterface {
  name = 'IngestThroughput1763900400000';

  async up(q: QueryRunner): Promise<void> {
    // The seq of each device's latest reading: a QoS 1 redelivery (DUP) at or below it was stored already.
    await q.query(`ALTER TABLE device_latest ADD COLUMN seq bigint`);
    // last_seen_at is rewritten for every active device every few seconds. With no index on it
    // (the offline sweep scans devices instead) and room left on each page, those are HOT updates.
    await q.query(`DROP INDEX devices_online_seen_idx`);
    await q.query(`ALTER TABLE devices SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices RESET (fillfactor)`);
    await q.query(`CREATE INDEX devices_online_seen_idx ON devices (last_seen_at) WHERE online`);
    await q.query(`ALTER TABLE device_latest DROP COLUMN seq`);
  }
}
