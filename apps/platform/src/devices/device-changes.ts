import type { EntityManager } from 'typeorm';

/** PostgreSQL NOTIFY channel: a device's credentials or enabled flag changed. */
export const DEVICE_CHANGED_CHANNEL = 'anxin_device_changed';

/** Sent inside the changing transaction, so listeners hear of it only once it commits. */
export async function notifyDeviceChanged(manager: EntityManager, deviceId: string): Promise<void> {
  await manager.query(`SELECT pg_notify($1, $2)`, [DEVICE_CHANGED_CHANNEL, deviceId]);
}
