import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Ingest1763900100000 implements MigrationInterface {
  name = 'Ingest1763900100000';

  async up(q: QueryRunner): Promise<void> {
    // CONTRACT §2: events are the durable log every alert is derived from.
    await q.query(`
      CREATE TABLE device_events (
        id bigserial PRIMARY KEY,
        device_id uuid NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        resident_id uuid NOT NULL,
        org_unit_id uuid NOT NULL,
        seq bigint NOT NULL,
        type text NOT NULL,
        device_ts timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        clock_skewed boolean NOT NULL DEFAULT false,
        payload jsonb NOT NULL,
        processed_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX device_events_device_seq_key ON device_events (device_id, seq)`);
    await q.query(`CREATE INDEX device_events_unprocessed_idx ON device_events (id) WHERE processed_at IS NULL`);
    await q.query(`CREATE INDEX device_events_resident_idx ON device_events (resident_id, received_at DESC)`);
    await q.query(`
      CREATE TABLE telemetry (
        device_id uuid NOT NULL,
        received_at timestamptz NOT NULL,
        device_ts timestamptz NOT NULL,
        seq bigint NOT NULL,
        heart_rate real,
        respiration_rate real,
        in_bed boolean,
        battery smallint,
        payload jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX telemetry_device_time_idx ON telemetry (device_id, received_at DESC)`);
    await q.query(`CREATE INDEX telemetry_time_idx ON telemetry USING brin (received_at)`);
    await q.query(`
      CREATE TABLE device_latest (
        device_id uuid PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        received_at timestamptz NOT NULL,
        payload jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE device_commands (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        device_id uuid NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        name text NOT NULL,
        params jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL DEFAULT 'pending'
          CONSTRAINT device_commands_status_check CHECK (status IN ('pending', 'acknowledged', 'expired')),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        acknowledged_at timestamptz,
        result jsonb
      )`);
    await q.query(`CREATE INDEX device_commands_device_idx ON device_commands (device_id, created_at DESC)`);
    await q.query(`CREATE INDEX device_commands_pending_idx ON device_commands (expires_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX devices_online_seen_idx ON devices (last_seen_at) WHERE online`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX devices_online_seen_idx`);
    for (const table of ['device_commands', 'device_latest', 'telemetry', 'device_events'])
      await q.query(`DROP TABLE ${table}`);
  }
}
