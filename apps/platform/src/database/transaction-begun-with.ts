import type { DataSource, EntityManager } from 'typeorm';

/**
 * A transaction on one of `db`'s connections whose first statement, `opening`,
 * goes with its START TRANSACTION in one round trip (the simple query protocol
 * takes several statements; `opening` has no parameters). On the life-safety
 * path every round trip waits for a turn of a busy event loop (issue 13).
 * TypeORM does not see this transaction: its after-commit hooks do not run, so
 * `work` must leave nothing for them (jobs/after-commit.util.ts); the caller
 * does what follows the commit itself.
 */
export async function transactionBegunWith<T>(
  db: DataSource,
  opening: string,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = db.createQueryRunner();
  try {
    let result: T;
    try {
      await runner.query(`START TRANSACTION; ${opening}`);
      result = await work(runner.manager);
      await runner.query('COMMIT');
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return result;
  } finally {
    await runner.release();
  }
}
