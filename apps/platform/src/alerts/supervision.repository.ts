import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DeviceType } from '@anxin/contract';
import { columnsOf } from '../database/unnest-columns.util';

export interface SilentDevice {
  id: string;
  type: DeviceType;
  residentId: string;
  orgUnitId: string;
  lastSeenAt: Date;
  heartbeatSeconds: number;
}

/** A mattress's readings went missing (true) or came back (false) at `at`. */
export interface ReadingState {
  deviceId: string;
  missing: boolean;
  at: Date;
}

export interface StaleDevice {
  id: string;
  type: DeviceType;
  residentId: string;
  orgUnitId: string;
  since: Date;
}

export interface RecoveredAlert {
  id: string;
  kind: 'device_offline' | 'reading_missing';
  residentId: string;
}

/** A device's heartbeat: its own interval, or its type's default from `$1` (a jsonb map). */
const HEARTBEAT = `coalesce(d.heartbeat_interval_s, ($1::jsonb ->> d.type)::int)`;

/**
 * Supervision state lives on the device rows (CONTRACT §3 Supervision): every
 * process sees it, and each transition is one guarded UPDATE, so of several
 * processes sweeping at once exactly one takes a device (the row lock makes the
 * others re-check the WHERE and skip it).
 */
@Injectable()
export class SupervisionRepository {
  constructor(private readonly db: DataSource) {}

  /** Devices silent past their heartbeat, however they went silent, each taken once per silence. */
  async markSilent(manager: EntityManager, heartbeats: Record<string, number>): Promise<SilentDevice[]> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows] = await manager.query<[SilentDevice[], number]>(
      `UPDATE devices d SET online = false, offline_since = d.last_seen_at
       WHERE d.enabled AND d.offline_since IS NULL AND d.last_seen_at < now() - make_interval(secs => ${HEARTBEAT})
       RETURNING d.id, d.type, d.resident_id AS "residentId", d.org_unit_id AS "orgUnitId",
                 d.last_seen_at AS "lastSeenAt", ${HEARTBEAT} AS "heartbeatSeconds"`,
      [JSON.stringify(heartbeats)],
    );
    return rows;
  }

  /** Seconds until the next device falls silent (negative if one is overdue), or null if none is being watched. */
  async secondsToNextSilence(heartbeats: Record<string, number>): Promise<number | null> {
    const rows = await this.db.query<{ s: number | null }[]>(
      `SELECT extract(epoch FROM min(d.last_seen_at + make_interval(secs => ${HEARTBEAT})) - now())::float8 AS s
       FROM devices d WHERE d.enabled AND d.offline_since IS NULL AND d.last_seen_at IS NOT NULL`,
      [JSON.stringify(heartbeats)],
    );
    return rows[0]?.s ?? null;
  }

  /** Mattresses in bed without heart rate or respiration for longer than their resident's limit, each taken once. */
  async markStale(manager: EntityManager, defaultSeconds: number): Promise<StaleDevice[]> {
    const [rows] = await manager.query<[StaleDevice[], number]>(
      `UPDATE devices d SET reading_missing_alerted_at = now()
       FROM residents r
       WHERE r.id = d.resident_id AND d.enabled AND d.offline_since IS NULL
         AND d.reading_missing_since IS NOT NULL AND d.reading_missing_alerted_at IS NULL
         AND d.reading_missing_since < now() - make_interval(secs =>
               coalesce((r.care_profile -> 'rules' ->> 'readingMissingSeconds')::int, $1))
       RETURNING d.id, d.type, d.resident_id AS "residentId", d.org_unit_id AS "orgUnitId", d.reading_missing_since AS since`,
      [defaultSeconds],
    );
    return rows;
  }

  /** Open device_offline / reading_missing alerts whose device has been heard from / reads again. */
  findRecovered(): Promise<RecoveredAlert[]> {
    return this.db.query<RecoveredAlert[]>(
      `SELECT a.id, a.kind, a.resident_id AS "residentId" FROM alerts a JOIN devices d ON d.id = a.device_id
       WHERE a.status <> 'resolved'
         AND ((a.kind = 'device_offline' AND d.offline_since IS NULL)
           OR (a.kind = 'reading_missing' AND d.reading_missing_alerted_at IS NULL))
       ORDER BY a.opened_at LIMIT 500`,
    );
  }

  /** Active alerts of these residents (their views carry the residents' protection state). */
  async activeAlertIds(residentIds: string[]): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM alerts WHERE resident_id = ANY($1::uuid[]) AND status <> 'resolved'`,
      [residentIds],
    );
    return rows.map((r) => r.id);
  }

  /**
   * A mattress's readings went missing (in bed, no vitals) or came back, for
   * many devices in one statement: a streak starts once (its first time kept)
   * and ends with its alert mark, so the alert may resolve.
   */
  async recordReadingStates(changes: ReadingState[]): Promise<void> {
    await this.db.query(
      `UPDATE devices d SET
         reading_missing_since = CASE WHEN c.missing THEN COALESCE(d.reading_missing_since, c.at) END,
         reading_missing_alerted_at = CASE WHEN c.missing THEN d.reading_missing_alerted_at END
       FROM unnest($1::uuid[], $2::boolean[], $3::timestamptz[]) AS c(id, missing, at)
       WHERE d.id = c.id
         AND (CASE WHEN c.missing THEN d.reading_missing_since IS NULL
              ELSE d.reading_missing_since IS NOT NULL OR d.reading_missing_alerted_at IS NOT NULL END)`,
      columnsOf(changes, ['deviceId', 'missing', 'at']),
    );
  }
}
