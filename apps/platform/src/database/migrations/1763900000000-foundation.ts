import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1763900000000 implements MigrationInterface {
  name = 'Foundation1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE platform_secrets (
        name text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE org_units (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind text NOT NULL CONSTRAINT org_units_kind_check CHECK (kind IN ('center', 'station', 'community')),
        parent_id uuid REFERENCES org_units(id) ON DELETE RESTRICT,
        path text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX org_units_path_idx ON org_units (path text_pattern_ops)`);
    await q.query(`CREATE INDEX org_units_parent_idx ON org_units (parent_id)`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CONSTRAINT users_role_check CHECK (role IN ('admin', 'operator', 'caregiver')),
        org_unit_id uuid NOT NULL REFERENCES org_units(id) ON DELETE RESTRICT,
        display_name text,
        skills text[] NOT NULL DEFAULT '{}',
        on_duty boolean NOT NULL DEFAULT true,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`);
    await q.query(`CREATE INDEX users_org_unit_idx ON users (org_unit_id)`);
    await q.query(`
      CREATE TABLE residents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        org_unit_id uuid NOT NULL REFERENCES org_units(id) ON DELETE RESTRICT,
        address text,
        birth_date date,
        phone text,
        emergency_contacts jsonb NOT NULL DEFAULT '[]',
        care_profile jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX residents_org_unit_idx ON residents (org_unit_id)`);
    await q.query(`
      CREATE TABLE devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL CONSTRAINT devices_type_check CHECK (type IN ('mattress', 'wearable', 'sos_button',
          'smoke_detector', 'gas_detector', 'water_leak_sensor', 'door_sensor', 'motion_sensor')),
        resident_id uuid NOT NULL REFERENCES residents(id) ON DELETE RESTRICT,
        org_unit_id uuid NOT NULL REFERENCES org_units(id) ON DELETE RESTRICT,
        serial text,
        enabled boolean NOT NULL DEFAULT true,
        secret_hash text NOT NULL,
        online boolean NOT NULL DEFAULT false,
        last_seen_at timestamptz,
        battery smallint,
        rejected_messages integer NOT NULL DEFAULT 0,
        last_rejection_reason text,
        last_rejection_at timestamptz,
        heartbeat_interval_s integer CONSTRAINT devices_heartbeat_check CHECK (heartbeat_interval_s > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX devices_resident_idx ON devices (resident_id)`);
    await q.query(`CREATE INDEX devices_org_unit_idx ON devices (org_unit_id)`);
    await q.query(`CREATE UNIQUE INDEX devices_type_serial_key ON devices (type, serial) WHERE serial IS NOT NULL`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid,
        actor_username text,
        action text NOT NULL,
        subject_type text,
        subject_id text,
        org_unit_id uuid,
        address text,
        detail jsonb
      )`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC)`);
    // Login throttling counts recent failures by username and by address.
    await q.query(`CREATE INDEX audit_log_login_user_idx ON audit_log (action, lower(actor_username), at)`);
    await q.query(`CREATE INDEX audit_log_login_address_idx ON audit_log (action, address, at)`);
    await q.query(`CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_log', 'devices', 'residents', 'users', 'org_units', 'platform_secrets']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
