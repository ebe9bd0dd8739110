import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CarePlanStatus1763901710000 implements MigrationInterface {
  name = 'CarePlanStatus1763901710000';

  async up(q: QueryRunner): Promise<void> {
    // Issue 16: a plan is active, paused (not active) or ended (ended_at set, never active again);
    // `active` stays the generator's one test.
    await q.query(`ALTER TABLE care_plans
      ADD COLUMN ended_at timestamptz,
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
      ADD CONSTRAINT care_plans_ended_inactive CHECK (ended_at IS NULL OR NOT active)`);
    // An order a paused or changed plan withdrew no longer holds its slot, so resuming (or changing the
    // time back) offers that slot again; an order an operator cancelled keeps it (the visit stays off).
    await q.query(`ALTER TABLE service_orders ADD COLUMN plan_withdrawn boolean NOT NULL DEFAULT false`);
    await q.query(`DROP INDEX service_orders_plan_slot_key`);
    await q.query(
      `CREATE UNIQUE INDEX service_orders_plan_slot_key ON service_orders (plan_id, scheduled_for)
       WHERE plan_id IS NOT NULL AND NOT plan_withdrawn`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX service_orders_plan_slot_key`);
    await q.query(`DELETE FROM service_orders WHERE plan_withdrawn`);
    await q.query(
      `CREATE UNIQUE INDEX service_orders_plan_slot_key ON service_orders (plan_id, scheduled_for) WHERE plan_id IS NOT NULL`,
    );
    await q.query(`ALTER TABLE service_orders DROP COLUMN plan_withdrawn`);
    await q.query(
      `ALTER TABLE care_plans DROP CONSTRAINT care_plans_ended_inactive, DROP COLUMN ended_at, DROP COLUMN updated_at`,
    );
  }
}
