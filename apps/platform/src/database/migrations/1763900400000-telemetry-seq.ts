import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The seq of each device's latest reading: a QoS 1 redelivery (DUP) at or below it was stored already. */
export class TelemetrySeq1763900400000 implements MigrationInterface {
  name = 'TelemetrySeq1763900400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE device_latest ADD COLUMN seq bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE device_latest DROP COLUMN seq`);
  }
}
