import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

const pending = new WeakMap<QueryRunner, (() => void)[]>();
const installed = new WeakSet<DataSource>();

/** Lets `runAfterCommit` hear when the outermost transaction of a query runner commits or rolls back. */
export function installAfterCommitHooks(db: DataSource): void {
  if (installed.has(db)) return;
  installed.add(db);
  const settle = (queryRunner: QueryRunner, committed: boolean) => {
    if (queryRunner.isTransactionActive) return; // a savepoint: the outer transaction decides
    const callbacks = pending.get(queryRunner);
    pending.delete(queryRunner);
    if (committed) for (const callback of callbacks ?? []) callback();
  };
  const subscriber: EntitySubscriberInterface = {
    afterTransactionCommit: ({ queryRunner }) => settle(queryRunner, true),
    afterTransactionRollback: ({ queryRunner }) => settle(queryRunner, false),
  };
  db.subscribers.push(subscriber);
}

/**
 * Runs `callback` once `manager`'s transaction has committed (never if it
 * rolls back), or at once when `manager` is not in a transaction.
 */
export function runAfterCommit(manager: EntityManager, callback: () => void): void {
  const queryRunner = manager.queryRunner;
  if (!queryRunner?.isTransactionActive || !installed.has(manager.dataSource)) return callback();
  const callbacks = pending.get(queryRunner) ?? [];
  callbacks.push(callback);
  pending.set(queryRunner, callbacks);
}
