import type { EntityManager } from 'typeorm';

/** Movement or steps seen for a resident: input to the inactivity rule. */
export interface ResidentSeen {
  residentId: string;
  at: Date;
}

/**
 * One statement, rows locked in resident order: the event rule pass and the
 * telemetry rules never wait on each other in opposite orders (no deadlock).
 */
export async function recordActivity(manager: EntityManager, seen: ResidentSeen[]): Promise<void> {
  if (seen.length === 0) return;
  await manager.query(
    `INSERT INTO resident_activity (resident_id, last_activity_at)
     SELECT resident_id, max(at) FROM unnest($1::uuid[], $2::timestamptz[]) AS v(resident_id, at)
     GROUP BY resident_id ORDER BY resident_id
     ON CONFLICT (resident_id) DO UPDATE SET last_activity_at = greatest(resident_activity.last_activity_at, excluded.last_activity_at)`,
    [seen.map((a) => a.residentId), seen.map((a) => a.at)],
  );
}
