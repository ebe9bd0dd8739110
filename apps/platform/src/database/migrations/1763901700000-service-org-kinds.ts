import type { MigrationInterface, QueryRunner } from 'typeorm';

/** 五社联动 (issue 16): social work agencies and charities serve residents beside volunteers and firms. */
export class ServiceOrgKinds1763901700000 implements MigrationInterface {
  name = 'ServiceOrgKinds1763901700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE service_orgs DROP CONSTRAINT service_orgs_kind_check,
      ADD CONSTRAINT service_orgs_kind_check CHECK (kind IN
        ('volunteer', 'health_station', 'property', 'housekeeping', 'medical', 'social_work', 'charity', 'other'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE service_orgs SET kind = 'other' WHERE kind IN ('social_work', 'charity')`);
    await q.query(`ALTER TABLE service_orgs DROP CONSTRAINT service_orgs_kind_check,
      ADD CONSTRAINT service_orgs_kind_check CHECK (kind IN
        ('volunteer', 'health_station', 'property', 'housekeeping', 'medical', 'other'))`);
  }
}
