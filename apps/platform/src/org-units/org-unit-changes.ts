import type { EntityManager } from 'typeorm';
import { USER_CHANGED_CHANNEL } from '../users/user-changes';

/** PostgreSQL NOTIFY channel: a unit moved, so the ancestry cached by the realtime fan-out is stale. */
export const ORG_UNIT_MOVED_CHANNEL = 'anxin_org_unit_moved';

/**
 * Sent inside the moving transaction, so every process hears of it once it commits: each forgets the
 * unit rooms it cached, and the users whose scope changed have their sessions cache entry dropped and
 * their open sockets closed (USER_CHANGED_CHANNEL, token version untouched: the token stays valid),
 * so their consoles reconnect with the new scope and a fresh snapshot.
 */
export async function notifyOrgUnitMoved(
  manager: EntityManager,
  unitId: string,
  affectedUserIds: readonly string[],
): Promise<void> {
  await manager.query(`SELECT pg_notify($1, $2)`, [ORG_UNIT_MOVED_CHANNEL, unitId]);
  for (const userId of affectedUserIds) {
    await manager.query(`SELECT pg_notify($1, $2)`, [USER_CHANGED_CHANNEL, userId]);
  }
}
