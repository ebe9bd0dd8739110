import type { Writable } from 'node:stream';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { PreparedStatement } from './prepared-query';

/**
 * A transaction of one statement, sent in a single round trip: START
 * TRANSACTION with `opening` (simple query protocol: no parameters), then
 * `statement` (named, so each connection plans it once), then COMMIT, all
 * written at once on a connection of `db`, which must be opened in
 * node-postgres' pipeline mode (`pipeline: true`). PostgreSQL runs them in
 * order; if one fails, the statements after it fail too and COMMIT answers
 * ROLLBACK, so nothing of the transaction is kept. On the life-safety path
 * each round trip had waited for a turn of a busy event loop (issue 13).
 * TypeORM does not see this transaction: no after-commit hooks run, and the
 * caller does what follows the commit itself.
 */
export async function transactionInOneRoundTrip<T>(
  db: DataSource,
  opening: string,
  statement: PreparedStatement,
): Promise<T[]> {
  const runner = db.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    // Corked, the three go out in one write: a system call costs tens of µs here (issue 13, S7).
    const socket = (client as unknown as { connection: { stream: Writable } }).connection.stream;
    socket.cork();
    const sent = [
      client.query(`START TRANSACTION; ${opening}`),
      client.query(statement),
      client.query('COMMIT'),
    ] as const;
    socket.uncork();
    const [begun, stored, committed] = await Promise.allSettled(sent);
    if (begun.status === 'rejected') throw begun.reason;
    if (stored.status === 'rejected') throw stored.reason;
    if (committed.status === 'rejected') {
      // The connection may still be in the transaction (a COMMIT that never reached the server).
      await client.query('ROLLBACK').catch(() => undefined);
      throw committed.reason;
    }
    if (committed.value.command !== 'COMMIT')
      throw new Error(`the transaction ended in ${committed.value.command}, not COMMIT`);
    return stored.value.rows as T[];
  } finally {
    await runner.release();
  }
}
