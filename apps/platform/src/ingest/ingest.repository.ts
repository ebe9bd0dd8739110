import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface TelemetryRow {
  deviceId: string;
  receivedAt: Date;
  deviceTs: Date;
  seq: number;
  heartRate: number | null;
  respirationRate: number | null;
  inBed: boolean | null;
  battery: number | null;
  payload: string;
}

export interface EventRow {
  deviceId: string;
  residentId: string;
  orgUnitId: string;
  seq: number;
  type: string;
  deviceTs: Date;
  receivedAt: Date;
  clockSkewed: boolean;
  payload: unknown;
}

export interface SilentDevice {
  id: string;
  type: string;
  residentId: string;
  orgUnitId: string;
  lastSeenAt: Date;
}

/** Hot-path SQL of ingest, kept readable in one place (STYLE: data). */
@Injectable()
export class IngestRepository {
  constructor(private readonly db: DataSource) {}

  /** Returns the new row id, or null when (device, seq) was stored before. */
  async insertEvent(e: EventRow): Promise<string | null> {
    const rows = await this.db.query<{ id: string }[]>(
      `INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, received_at, clock_skewed, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (device_id, seq) DO NOTHING
       RETURNING id`,
      [e.deviceId, e.residentId, e.orgUnitId, e.seq, e.type, e.deviceTs, e.receivedAt, e.clockSkewed, e.payload],
    );
    return rows[0]?.id ?? null;
  }

  /** One statement per batch: column arrays unnested server-side (≈ multi-row insert speed, fixed SQL text). */
  async insertTelemetry(rows: TelemetryRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `WITH batch AS (
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::bigint[], $5::real[], $6::real[],
                              $7::boolean[], $8::smallint[], $9::jsonb[])
           AS t(device_id, received_at, device_ts, seq, heart_rate, respiration_rate, in_bed, battery, payload)
       ), stored AS (
         INSERT INTO telemetry (device_id, received_at, device_ts, seq, heart_rate, respiration_rate, in_bed, battery, payload)
         SELECT * FROM batch
       )
       INSERT INTO device_latest (device_id, received_at, payload)
       SELECT DISTINCT ON (device_id) device_id, received_at, payload FROM batch ORDER BY device_id, received_at DESC
       ON CONFLICT (device_id) DO UPDATE SET received_at = excluded.received_at, payload = excluded.payload
         WHERE device_latest.received_at <= excluded.received_at`,
      [
        rows.map((r) => r.deviceId),
        rows.map((r) => r.receivedAt),
        rows.map((r) => r.deviceTs),
        rows.map((r) => r.seq),
        rows.map((r) => r.heartRate),
        rows.map((r) => r.respirationRate),
        rows.map((r) => r.inBed),
        rows.map((r) => r.battery),
        rows.map((r) => r.payload),
      ],
    );
  }

  /** Last-seen, battery and online for many devices in one statement. */
  async recordActivity(entries: { deviceId: string; at: Date; battery: number | null }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.db.query(
      `UPDATE devices d
       SET last_seen_at = greatest(coalesce(d.last_seen_at, v.at), v.at),
           battery = coalesce(v.battery, d.battery)
       FROM unnest($1::uuid[], $2::timestamptz[], $3::smallint[]) AS v(id, at, battery)
       WHERE d.id = v.id`,
      [entries.map((e) => e.deviceId), entries.map((e) => e.at), entries.map((e) => e.battery)],
    );
  }

  async setOnline(deviceId: string, online: boolean, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE devices SET online = $2, last_seen_at = CASE WHEN $2 THEN $3 ELSE last_seen_at END WHERE id = $1`,
      [deviceId, online, at],
    );
  }

  async recordRejection(deviceId: string, reason: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE devices SET rejected_messages = rejected_messages + 1, last_rejection_reason = $2, last_rejection_at = $3
       WHERE id = $1`,
      [deviceId, reason.slice(0, 500), at],
    );
  }

  /** Devices silent past their heartbeat interval go offline; returns them for the alert rules. */
  async markSilentDevicesOffline(defaults: Record<string, number>): Promise<SilentDevice[]> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows] = await this.db.query<[SilentDevice[], number]>(
      `UPDATE devices d SET online = false
       WHERE d.online AND d.enabled
         AND d.last_seen_at < now() - make_interval(secs => coalesce(d.heartbeat_interval_s, ($1::jsonb ->> d.type)::int))
       RETURNING d.id, d.type, d.resident_id AS "residentId", d.org_unit_id AS "orgUnitId", d.last_seen_at AS "lastSeenAt"`,
      [JSON.stringify(defaults)],
    );
    return rows;
  }

  async pruneTelemetry(olderThanDays: number): Promise<number> {
    const result = await this.db.query<[unknown, number]>(
      `DELETE FROM telemetry WHERE received_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return result[1] ?? 0;
  }
}
