import type { EntityManager } from 'typeorm';

/** PostgreSQL NOTIFY channel: a device's credentials or enabled flag changed. */
export const DEVICE_CHANGED_CHANNEL = 'anxin_device_changed';

/** Sent inside the changing transaction, so listeners hear of it only once it commits. */
export async function notifyDeviceChanged(manager: EntityManager, deviceId: string): Promise<void> {
  await manager.query(`SELECT pg_notify($1, $2)`, [DEVICE_CHANGED_CHANNEL, deviceId]);
}

/** PostgreSQL NOTIFY channel: a resident (and so its devices) moved to another org unit; payload `{residentId, orgUnitId}`. */
export const RESIDENT_MOVED_CHANNEL = 'anxin_resident_moved';

/** Sent inside the moving transaction: live sessions of the resident's devices take the new unit once it commits. */
export async function notifyResidentMoved(
  manager: EntityManager,
  residentId: string,
  orgUnitId: string,
): Promise<void> {
  await manager.query(`SELECT pg_notify($1, $2)`, [RESIDENT_MOVED_CHANNEL, JSON.stringify({ residentId, orgUnitId })]);
}

/** The device-change and resident-move notices, as the broker's credential cache needs them. */
export function parseDeviceNotice(
  payload: string,
  channel: string,
): { deviceId: string } | { residentId: string; orgUnitId: string } {
  if (channel === RESIDENT_MOVED_CHANNEL) return JSON.parse(payload) as { residentId: string; orgUnitId: string };
  return { deviceId: payload };
}

export const DEVICE_NOTICE_CHANNELS = [DEVICE_CHANGED_CHANNEL, RESIDENT_MOVED_CHANNEL];
