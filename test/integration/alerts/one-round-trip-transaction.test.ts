import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../apps/platform/src/database/data-source';
import { transactionInOneRoundTrip } from '../../../apps/platform/src/database/one-round-trip-transaction';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

/**
 * Issue 13 (S3): the life-safety lane stores an SOS and raises its alert in one
 * transaction sent in one round trip. It must be all or nothing when a part
 * fails, leave the connection fit for the next press, and really not wait for
 * PostgreSQL between its parts.
 */
describe('transactionInOneRoundTrip', () => {
  let db: TestDatabase;
  let lane: DataSource;
  let sql: Client;
  let proxy: TcpProxy;
  /** What crossed the proxy, in order: 'c' client → PostgreSQL, 's' PostgreSQL → client. */
  let traffic: ('c' | 's')[] = [];

  const rows = async () =>
    (await sql.query<{ id: number; note: string }>('SELECT id, note FROM presses ORDER BY id')).rows;
  const insert = (id: number, note: string) => ({
    name: 'test-insert-press',
    text: 'INSERT INTO presses (id, note) VALUES ($1, $2) RETURNING id, note',
    values: [id, note],
  });

  beforeAll(async () => {
    db = await createTestDatabase('rt');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    await sql.query('CREATE TABLE presses (id int PRIMARY KEY, note text NOT NULL)');
    proxy = await startTcpProxy(5432, '127.0.0.1', (direction) => traffic.push(direction));
    const port = proxy.port;
    // One connection, pipelined as the life-safety lane's are.
    lane = createDataSource(`postgres://postgres@127.0.0.1:${port}/${db.name}`, 1, 'anxin-test', true);
    await lane.initialize();
    await lane.query('SELECT 1'); // the connection is open before anything is counted
  });
  afterAll(async () => {
    await lane?.destroy();
    await sql?.end();
    await proxy?.close();
    await db?.drop();
  });

  it('commits, answers the statement rows, and sends everything before PostgreSQL answers anything', async () => {
    traffic = [];
    const answered = await transactionInOneRoundTrip<{ id: number; note: string }>(
      lane,
      'SELECT pg_advisory_xact_lock(7)',
      insert(1, 'sos'),
    );
    expect(answered).toEqual([{ id: 1, note: 'sos' }]);
    expect(await rows()).toEqual([{ id: 1, note: 'sos' }]);
    // Sequential queries would show c s c s c s: each part waiting for the one before.
    expect(traffic[0]).toBe('c');
    expect(traffic.slice(traffic.indexOf('s'))).not.toContain('c');
    // The transaction held its lock and released it at commit.
    const locks = await sql.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 7`);
    expect(locks.rowCount).toBe(0);
  });

  it('keeps nothing when the statement fails, and the connection serves the next transaction', async () => {
    // The opening writes, then the statement breaks the primary key: neither may stay.
    await expect(
      transactionInOneRoundTrip(lane, `INSERT INTO presses VALUES (2, 'opening')`, insert(1, 'again')),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await rows()).toEqual([{ id: 1, note: 'sos' }]);

    const next = await transactionInOneRoundTrip(lane, 'SELECT 1', insert(3, 'next press'));
    expect(next).toEqual([{ id: 3, note: 'next press' }]);
    expect(await rows()).toEqual([
      { id: 1, note: 'sos' },
      { id: 3, note: 'next press' },
    ]);
  });

  it('keeps nothing when the opening fails: the statement does not run on its own', async () => {
    await expect(transactionInOneRoundTrip(lane, 'SELECT 1 / 0', insert(4, 'unlocked'))).rejects.toMatchObject({
      code: '22012',
    });
    expect((await rows()).map((row) => row.id)).toEqual([1, 3]);
    const inTransaction = await lane.query(`SELECT now() = statement_timestamp() AS fresh`);
    expect(inTransaction).toEqual([{ fresh: true }]); // not left inside an open transaction
  });
});
