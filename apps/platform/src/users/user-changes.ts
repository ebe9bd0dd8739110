import type { EntityManager } from 'typeorm';

/** PostgreSQL NOTIFY channel: a user's tokens were revoked (logout, password, role or disabled changed). */
export const USER_CHANGED_CHANNEL = 'anxin_user_changed';

/**
 * Bumps the user's token version, refusing every token issued before, and tells
 * every process (its sessions cache and open sockets). Inside the changing
 * transaction: listeners hear of it only once it commits.
 */
export async function revokeUserTokens(manager: EntityManager, userId: string): Promise<void> {
  await manager.query(`UPDATE users SET token_version = token_version + 1 WHERE id = $1`, [userId]);
  await manager.query(`SELECT pg_notify($1, $2)`, [USER_CHANGED_CHANNEL, userId]);
}
