import type { EntityManager } from 'typeorm';
import type { CareProfile, DeviceType } from '@anxin/contract';

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

/**
 * Event types whose alert must not wait behind a backlog (issue 11 §3). The
 * list is spelled out in SQL so the partial index `device_events_life_safety_idx`
 * (same predicate) can serve it.
 */
export const LIFE_SAFETY_EVENT_TYPES = ['sos', 'fall', 'smoke', 'gas', 'water_leak'] as const;
const LIFE_SAFETY_SQL = LIFE_SAFETY_EVENT_TYPES.map((t) => `'${t}'`).join(', ');

const SELECT_EVENTS = `SELECT e.id::text, e.device_id AS "deviceId", d.type AS "deviceType", e.resident_id AS "residentId",
       r.org_unit_id AS "orgUnitId", e.type, e.received_at AS "receivedAt", e.payload, r.care_profile AS "careProfile"
  FROM device_events e JOIN devices d ON d.id = e.device_id JOIN residents r ON r.id = e.resident_id`;

/**
 * The alert goes to the resident's unit now (`r.org_unit_id`), not the one stamped on the event: an event
 * stored just before the resident moved is raised where the resident now belongs (issue 12 item 3).
 *
 * Locks up to `limit` unprocessed events for this rule pass (SKIP LOCKED: other
 * processes take the rest). First the events of residents with a pending
 * life-safety event, up to and including their latest one, so an SOS is not
 * queued behind thousands of bulk events, while each resident's events stay in
 * order (a `sos_cancel` sent before a new `sos` is still applied before it);
 * then everything else in arrival order.
 */
export async function takePendingEvents(manager: EntityManager, limit: number): Promise<StoredEvent[]> {
  const urgent = await manager.query<StoredEvent[]>(
    `${SELECT_EVENTS}
     JOIN (SELECT resident_id, max(id) AS until_id FROM device_events
           WHERE processed_at IS NULL AND type IN (${LIFE_SAFETY_SQL}) GROUP BY resident_id) u
       ON u.resident_id = e.resident_id AND e.id <= u.until_id
     WHERE e.processed_at IS NULL
     ORDER BY e.id LIMIT $1 FOR UPDATE OF e SKIP LOCKED`,
    [limit],
  );
  if (urgent.length >= limit) return urgent;
  // Rows this transaction already locked are not skipped by SKIP LOCKED: exclude them by id.
  const rest = await manager.query<StoredEvent[]>(
    `${SELECT_EVENTS}
     WHERE e.processed_at IS NULL AND NOT (e.id = ANY($2::bigint[]))
     ORDER BY e.id LIMIT $1 FOR UPDATE OF e SKIP LOCKED`,
    [limit - urgent.length, urgent.map((e) => e.id)],
  );
  return [...urgent, ...rest];
}
