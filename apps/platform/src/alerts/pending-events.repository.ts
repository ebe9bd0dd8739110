import type { EntityManager } from 'typeorm';
import type { CareProfile, DeviceType } from '@anxin/contract';
import { preparedQueryIn } from '../database/prepared-query';
import { LIFE_SAFETY_EVENT_TYPES } from '../ingest/life-safety.util';

/** A stored device event waiting for the rule pass. */
export interface StoredEvent {
  id: string;
  deviceId: string;
  deviceType: DeviceType;
  residentId: string;
  orgUnitId: string;
  type: string;
  receivedAt: Date;
  payload: { type: string; battery?: number };
  careProfile: CareProfile;
}

const LIFE_SAFETY_SQL = LIFE_SAFETY_EVENT_TYPES.map((t) => `'${t}'`).join(', ');

/**
 * SQL: the resident `residentId` has no pending (unprocessed) event apart from those `except` admits
 * (an SQL condition on `p`), so an event of theirs may be ruled now without running ahead of an earlier
 * one (issue 13: a life-safety event ruled in its storing transaction).
 */
export const nothingElsePending = (residentId: string, except = 'true'): string =>
  `NOT EXISTS (SELECT 1 FROM device_events p WHERE p.resident_id = ${residentId} AND p.processed_at IS NULL AND ${except})`;

/**
 * Marks the events `lockIds` selects (and locks) processed, and answers them with
 * what the rules need, in id order. Taking and marking are one statement, so a
 * pass costs one round trip less (issue 13: under load each round trip waits a
 * loop turn); a pass that fails rolls the marks back with the rest. ARRAY():
 * the locking query runs once on its own, planned as when it stood alone.
 */
const takeEvents = (lockIds: string) => `WITH taken AS (
    UPDATE device_events SET processed_at = now() WHERE id = ANY(ARRAY(${lockIds}))
    RETURNING id, device_id, resident_id, type, received_at, payload)
  SELECT e.id::text, e.device_id AS "deviceId", d.type AS "deviceType", e.resident_id AS "residentId",
         r.org_unit_id AS "orgUnitId", e.type, e.received_at AS "receivedAt", e.payload, r.care_profile AS "careProfile"
    FROM taken e JOIN devices d ON d.id = e.device_id JOIN residents r ON r.id = e.resident_id
   ORDER BY e.id`;

/*
 * Two rule passes share the log (issue 13): the life-safety pass, on its own
 * connections, takes the residents with a pending life-safety event; the
 * routine pass takes everyone else. A resident's events are applied in id
 * (storage) order, so a `sos_cancel` stored after an `sos` is never applied
 * before it, nor one stored before a new `sos` after it:
 * - the routine pass leaves alone every resident with a pending life-safety
 *   event (the partial index `device_events_life_safety_idx` answers that), so
 *   it never runs ahead of that event;
 * - the life-safety pass takes a resident's events up to and including its
 *   latest life-safety event and WAITS (no SKIP LOCKED) for an earlier one that
 *   a routine pass locked before the life-safety event was stored: once that
 *   pass commits, the row is re-checked, found processed, and left out. The
 *   wait is one routine transaction at most; it holds only event row locks
 *   (taking them is its first statement), so it cannot deadlock with the
 *   routine pass, which never waits for rows (SKIP LOCKED).
 * Both passes see only committed rows and lock in id order; the alert goes to
 * the resident's unit now (`r.org_unit_id`), not the one stamped on the event:
 * an event stored just before the resident moved is raised where the resident
 * now belongs (issue 12 item 3).
 */

/** Takes up to `limit` events of residents with a pending life-safety event, up to their latest one, in order. */
export async function takeLifeSafetyEvents(manager: EntityManager, limit: number): Promise<StoredEvent[]> {
  return manager.query<StoredEvent[]>(
    takeEvents(`SELECT e.id FROM device_events e
     JOIN (SELECT resident_id, max(id) AS until_id FROM device_events
           WHERE processed_at IS NULL AND type IN (${LIFE_SAFETY_SQL}) GROUP BY resident_id) u
       ON u.resident_id = e.resident_id AND e.id <= u.until_id
     WHERE e.processed_at IS NULL
     ORDER BY e.id LIMIT $1 FOR UPDATE OF e`),
    [limit],
  );
}

/**
 * Takes up to `limit` unprocessed events of residents without a pending
 * life-safety event, in arrival order (SKIP LOCKED: other processes take the rest).
 */
export async function takeRoutineEvents(manager: EntityManager, limit: number): Promise<StoredEvent[]> {
  return manager.query<StoredEvent[]>(
    takeEvents(`SELECT e.id FROM device_events e
     WHERE e.processed_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM device_events l WHERE l.resident_id = e.resident_id
                       AND l.processed_at IS NULL AND l.type IN (${LIFE_SAFETY_SQL}))
     ORDER BY e.id LIMIT $1 FOR UPDATE OF e SKIP LOCKED`),
    [limit],
  );
}

/**
 * Takes the events of `ids`, just inserted by the caller's transaction, whose
 * residents have no other pending event: ruling them now, before commit, cannot
 * run ahead of an earlier event (issue 13: an SOS is stored and ruled in one
 * transaction). The caller holds those residents' turns (resident-turn.ts), so
 * every earlier event of theirs has committed and this statement sees it; one
 * a rule pass has locked but not yet marked reads as pending here, and its
 * resident is left to the passes. Nobody else sees the rows yet: nothing to lock.
 */
export async function takeJustStoredEvents(manager: EntityManager, ids: string[]): Promise<StoredEvent[]> {
  if (ids.length === 0) return [];
  return preparedQueryIn<StoredEvent>(
    manager,
    'alerts-take-just-stored',
    takeEvents(`SELECT e.id FROM device_events e
     WHERE e.id = ANY($1::bigint[])
       AND ${nothingElsePending('e.resident_id', 'p.id <> ALL($1::bigint[])')}`),
    [ids],
  );
}
