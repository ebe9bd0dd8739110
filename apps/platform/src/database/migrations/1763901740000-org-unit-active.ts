import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OrgUnitActive1763901740000 implements MigrationInterface {
  name = 'OrgUnitActive1763901740000';

  async up(q: QueryRunner): Promise<void> {
    // Issue 16: a closed station or community is deactivated, not deleted: its history stays reportable.
    await q.query(`ALTER TABLE org_units ADD COLUMN active boolean NOT NULL DEFAULT true`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE org_units DROP COLUMN active`);
  }
}
