import type { DataSource, EntityManager } from 'typeorm';
import type { VitalsState } from './rules/vitals-tracker';

/**
 * The sustained-vitals windows of mattresses, kept where every process sees them (issue 14): a
 * device that moves to another process, or a restart, picks up its open windows instead of
 * starting them again. Written only when a window opens, closes or is reported — not per reading.
 */
export async function loadVitalsStates(db: DataSource, deviceIds: string[]): Promise<Map<string, VitalsState>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await db.query<{ device_id: string; vitals: VitalsState }[]>(
    `SELECT device_id, vitals FROM device_rule_state WHERE device_id = ANY($1::uuid[])`,
    [deviceIds],
  );
  return new Map(rows.map((r) => [r.device_id, r.vitals]));
}

/** A device deleted meanwhile is skipped (the join), never an error that would hold back the batch's alerts. */
export async function saveVitalsStates(manager: EntityManager, states: Map<string, VitalsState>): Promise<void> {
  if (states.size === 0) return;
  await manager.query(
    `INSERT INTO device_rule_state (device_id, vitals)
     SELECT v.id, v.vitals FROM unnest($1::uuid[], $2::jsonb[]) AS v(id, vitals) JOIN devices d ON d.id = v.id
     ON CONFLICT (device_id) DO UPDATE SET vitals = EXCLUDED.vitals, updated_at = now()`,
    [[...states.keys()], [...states.values()].map((s) => JSON.stringify(s))],
  );
}
