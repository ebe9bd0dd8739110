import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeviceType } from '@anxin/contract';
import { DATABASE_LANES, type DatabaseLanes } from '../database/database-lanes';
import { preparedQuery, preparedQueryIn } from '../database/prepared-query';
import { columnsOf } from '../database/unnest-columns.util';
import { takeResidentTurns } from './resident-turn';

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
  /** Sent again with MQTT's DUP flag: stored only if it was not stored the first time. */
  redelivered: boolean;
}

export interface EventRow {
  deviceId: string;
  /** Not stored: the life-safety store decides the alert from it (alerts/rules/event-rules.ts). */
  deviceType: DeviceType;
  residentId: string;
  orgUnitId: string;
  seq: number;
  type: string;
  deviceTs: Date;
  receivedAt: Date;
  clockSkewed: boolean;
  payload: unknown;
}

/**
 * Hot-path SQL of ingest, kept readable in one place (STYLE: data). Everything
 * here runs on the ingest lane (issue 13: bulk work never takes the main
 * pool's connections, nor the life-safety lane's), except what says otherwise.
 */
@Injectable()
export class IngestRepository {
  private readonly ingest: DataSource;

  constructor(
    private readonly db: DataSource,
    @Inject(DATABASE_LANES) lanes: DatabaseLanes,
  ) {
    this.ingest = lanes.ingest;
  }

  /**
   * Group commit: one statement for events that arrived together, on `lane`'s
   * pool or in its transaction (ingest, or life-safety for events that must not
   * queue behind bulk work).
   * Answers each row's new id, or null when its (device, seq) was stored before
   * or earlier in the batch; the unique index decides across lanes too. The residents'
   * turns are taken first (resident-turn.ts): the locks' aggregate completes before the
   * first row, so before any id is drawn.
   */
  async insertEvents(lane: EntityManager, events: EventRow[]): Promise<(string | null)[]> {
    const keyOf = (deviceId: string, seq: number | string) => `${deviceId}/${seq}`;
    const firstOfKey = new Map<string, EventRow>();
    for (const e of events) if (!firstOfKey.has(keyOf(e.deviceId, e.seq))) firstOfKey.set(keyOf(e.deviceId, e.seq), e);
    const rows = [...firstOfKey.values()];
    const stored = await preparedQueryIn<{ id: string; device_id: string; seq: string }>(
      lane,
      'ingest_insert_events',
      `WITH turns AS MATERIALIZED (${takeResidentTurns('$2::uuid[]')})
       INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, received_at, clock_skewed, payload)
       SELECT v.* FROM turns, unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::timestamptz[],
                                     $7::timestamptz[], $8::boolean[], $9::jsonb[]) AS v
       ON CONFLICT (device_id, seq) DO NOTHING
       RETURNING id, device_id, seq`,
      columnsOf(
        rows.map((e) => ({ ...e, payload: JSON.stringify(e.payload) })),
        ['deviceId', 'residentId', 'orgUnitId', 'seq', 'type', 'deviceTs', 'receivedAt', 'clockSkewed', 'payload'],
      ),
    );
    const idByKey = new Map(stored.map((r) => [keyOf(r.device_id, r.seq), r.id]));
    // Only the first row of a key may claim its id; a repeat inside the batch is a duplicate.
    return events.map((e) =>
      firstOfKey.get(keyOf(e.deviceId, e.seq)) === e ? (idByKey.get(keyOf(e.deviceId, e.seq)) ?? null) : null,
    );
  }

  /**
   * One statement per batch: column arrays unnested server-side (≈ multi-row
   * insert speed, fixed SQL text). Seqs increase per device (CONTRACT §2), so a
   * redelivery at or below the device's latest stored seq was stored already:
   * dropped here, in the same statement as the insert.
   */
  async insertTelemetry(batch: TelemetryRow[]): Promise<void> {
    if (batch.length === 0) return;
    const inBatch = new Set<string>();
    const rows = batch.filter((r) => {
      const key = `${r.deviceId}/${r.seq}`;
      const repeat = r.redelivered && inBatch.has(key);
      inBatch.add(key);
      return !repeat;
    });
    await preparedQuery(
      this.ingest,
      'ingest_insert_telemetry_v2',
      `WITH batch AS (
         SELECT device_id, to_timestamp(received_ms / 1000) AS received_at, to_timestamp(device_ms / 1000) AS device_ts,
                seq, heart_rate, respiration_rate, in_bed, battery, payload, redelivered
         FROM unnest($1::uuid[], $2::float8[], $3::float8[], $4::bigint[], $5::real[], $6::real[], $7::boolean[],
                     $8::smallint[],
                     (SELECT array_agg(p.value ORDER BY p.n) FROM jsonb_array_elements($9::jsonb) WITH ORDINALITY AS p(value, n)),
                     $10::boolean[])
           AS t(device_id, received_ms, device_ms, seq, heart_rate, respiration_rate, in_bed, battery, payload, redelivered)
       ), fresh AS (
         SELECT b.* FROM batch b
         WHERE NOT b.redelivered
            OR b.seq > coalesce((SELECT l.seq FROM device_latest l WHERE l.device_id = b.device_id), -1)
       ), stored AS (
         INSERT INTO telemetry (device_id, received_at, device_ts, seq, heart_rate, respiration_rate, in_bed, battery, payload)
         SELECT device_id, received_at, device_ts, seq, heart_rate, respiration_rate, in_bed, battery, payload FROM fresh
       )
       INSERT INTO device_latest (device_id, received_at, seq, payload)
       SELECT DISTINCT ON (device_id) device_id, received_at, seq, payload FROM fresh ORDER BY device_id, received_at DESC, seq DESC
       ON CONFLICT (device_id) DO UPDATE SET received_at = excluded.received_at, seq = excluded.seq, payload = excluded.payload
         WHERE device_latest.received_at <= excluded.received_at`,
      // Times as epoch ms and the payloads (each valid JSON text already) as one JSON array: pg's driver
      // formats Dates and escapes every quote of a text[] per row, a quarter of ingest's allocation.
      [
        rows.map((r) => r.deviceId),
        rows.map((r) => r.receivedAt.getTime()),
        rows.map((r) => r.deviceTs.getTime()),
        rows.map((r) => r.seq),
        rows.map((r) => r.heartRate),
        rows.map((r) => r.respirationRate),
        rows.map((r) => r.inBed),
        rows.map((r) => r.battery),
        `[${rows.map((r) => r.payload).join(',')}]`,
        rows.map((r) => r.redelivered),
      ],
    );
  }

  /**
   * Last-seen, battery and online for many devices in one statement. A device
   * heard from is online again, even after a sweep took it offline while its
   * connection stayed up, and no longer silent (its device_offline resolves).
   * (A disconnect writes its device's pending activity first, so this never
   * revives a device that has gone.)
   */
  async recordActivity(entries: { deviceId: string; at: Date; battery: number | null }[]): Promise<void> {
    if (entries.length === 0) return;
    await preparedQuery(
      this.ingest,
      'ingest_record_activity',
      `UPDATE devices d
       SET last_seen_at = greatest(coalesce(d.last_seen_at, v.at), v.at),
           battery = coalesce(v.battery, d.battery),
           online = true,
           offline_since = NULL
       FROM unnest($1::uuid[], $2::timestamptz[], $3::smallint[]) AS v(id, at, battery)
       WHERE d.id = v.id`,
      [entries.map((e) => e.deviceId), entries.map((e) => e.at), entries.map((e) => e.battery)],
    );
  }

  /**
   * Connects and disconnects of many devices in one statement (one change per device). A change from a
   * connection older than the device's current one (it moved to another process meanwhile) is skipped.
   */
  async setOnline(changes: { deviceId: string; online: boolean; at: Date; sessionStartedAt: Date }[]): Promise<void> {
    if (changes.length === 0) return;
    await this.ingest.query(
      `UPDATE devices d SET online = v.online, last_seen_at = CASE WHEN v.online THEN v.at ELSE d.last_seen_at END,
         offline_since = CASE WHEN v.online THEN NULL ELSE d.offline_since END,
         session_started_at = v.session
       FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[], $4::timestamptz[]) AS v(id, online, at, session)
       WHERE d.id = v.id AND (d.session_started_at IS NULL OR d.session_started_at <= v.session)`,
      [
        changes.map((c) => c.deviceId),
        changes.map((c) => c.online),
        changes.map((c) => c.at),
        changes.map((c) => c.sessionStartedAt),
      ],
    );
  }

  /** Counts run concurrently on the lane: the latest refusal by time is the one shown, whichever commits last. */
  async recordRejection(deviceId: string, reason: string, at: Date): Promise<void> {
    await this.ingest.query(
      `UPDATE devices SET rejected_messages = rejected_messages + 1,
         last_rejection_reason = CASE WHEN last_rejection_at > $3 THEN last_rejection_reason ELSE $2 END,
         last_rejection_at = greatest(last_rejection_at, $3)
       WHERE id = $1`,
      [deviceId, reason.slice(0, 500), at],
    );
  }

  /** Hourly upkeep, not ingest: on the main pool. */
  async pruneTelemetry(olderThanDays: number): Promise<number> {
    const result = await this.db.query<[unknown, number]>(
      `DELETE FROM telemetry WHERE received_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return result[1] ?? 0;
  }
}
