import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Dispatch1763900300000 implements MigrationInterface {
  name = 'Dispatch1763900300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_orgs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CONSTRAINT service_orgs_kind_check
          CHECK (kind IN ('volunteer', 'health_station', 'property', 'housekeeping', 'medical', 'other')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE service_org_units (
        service_org_id uuid NOT NULL REFERENCES service_orgs(id) ON DELETE CASCADE,
        org_unit_id uuid NOT NULL REFERENCES org_units(id) ON DELETE CASCADE,
        PRIMARY KEY (service_org_id, org_unit_id)
      )`);
    await q.query(`ALTER TABLE users
      ADD COLUMN service_org_id uuid REFERENCES service_orgs(id) ON DELETE SET NULL,
      ADD COLUMN last_lat double precision,
      ADD COLUMN last_lon double precision,
      ADD COLUMN last_assigned_at timestamptz`);
    await q.query(`
      CREATE TABLE care_plans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        resident_id uuid NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
        kind text NOT NULL,
        weekdays smallint[] NOT NULL,
        time_of_day text NOT NULL,
        notes text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE service_orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CONSTRAINT service_orders_kind_check
          CHECK (kind IN ('emergency', 'meal', 'cleaning', 'bathing', 'mobility', 'medical', 'maintenance')),
        status text NOT NULL DEFAULT 'pending' CONSTRAINT service_orders_status_check
          CHECK (status IN ('pending', 'offered', 'accepted', 'en_route', 'on_site', 'completed', 'cancelled', 'unassigned')),
        resident_id uuid NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
        org_unit_id uuid NOT NULL,
        alert_id uuid REFERENCES alerts(id) ON DELETE SET NULL,
        plan_id uuid REFERENCES care_plans(id) ON DELETE SET NULL,
        scheduled_for timestamptz,
        assignee_id uuid REFERENCES users(id),
        offered_to uuid REFERENCES users(id),
        offer_expires_at timestamptz,
        offer_attempt integer NOT NULL DEFAULT 0,
        passed_by uuid[] NOT NULL DEFAULT '{}',
        notes text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        accepted_at timestamptz,
        on_site_at timestamptz,
        completed_at timestamptz,
        cancel_reason text
      )`);
    await q.query(`CREATE INDEX service_orders_unit_idx ON service_orders (org_unit_id, status, created_at DESC)`);
    await q.query(`CREATE INDEX service_orders_assignee_idx ON service_orders (assignee_id, status)`);
    await q.query(`CREATE INDEX service_orders_offered_idx ON service_orders (offered_to) WHERE status = 'offered'`);
    // A plan generates each occurrence once, however often the generator runs.
    await q.query(
      `CREATE UNIQUE INDEX service_orders_plan_slot_key ON service_orders (plan_id, scheduled_for) WHERE plan_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE order_timeline (
        id bigserial PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES service_orders(id) ON DELETE CASCADE,
        status text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid,
        note text
      )`);
    await q.query(`CREATE INDEX order_timeline_order_idx ON order_timeline (order_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['order_timeline', 'service_orders', 'care_plans', 'service_org_units'])
      await q.query(`DROP TABLE ${table}`);
    await q.query(
      `ALTER TABLE users DROP COLUMN service_org_id, DROP COLUMN last_lat, DROP COLUMN last_lon, DROP COLUMN last_assigned_at`,
    );
    await q.query(`DROP TABLE service_orgs`);
  }
}
