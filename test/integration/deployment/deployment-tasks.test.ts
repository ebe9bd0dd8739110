import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { RunningPlatform } from '../../../apps/platform/src/platform';
import { startPlatformOn, unique } from '../../support/platform-harness';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { until } from '../../support/until';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** This process's runs of a deployment task, from its own /metrics. */
async function runsOf(p: RunningPlatform, task: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${p.httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`anxin_deployment_task_runs_total{task="${task}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * Issue 14: the offline sweep (every ANXIN_OFFLINE_SWEEP_SECONDS) and the hourly telemetry prune ran
 * in every process — N processes swept N times per interval — and the prune ran only an hour after a
 * process started, so processes restarting more often than hourly never pruned. Now each runs once
 * per interval across the deployment, on a schedule kept in the database.
 */
describe('upkeep runs once per interval across the deployment', () => {
  let database: TestDatabase;
  let sql: Client;
  const running: RunningPlatform[] = [];
  const start = async () => {
    const p = await startPlatformOn(database.url, {
      REDIS_URL: 'redis://127.0.0.1:6379',
      ANXIN_QUEUE_PREFIX: unique('upkeep'),
      ANXIN_OFFLINE_SWEEP_SECONDS: '1',
      ANXIN_TELEMETRY_RETENTION_DAYS: '30',
    });
    running.push(p);
    return p;
  };
  const stop = async (p: RunningPlatform) => {
    running.splice(running.indexOf(p), 1);
    await p.stop();
  };

  beforeAll(async () => {
    database = await createTestDatabase('upkeep');
  });
  afterAll(async () => {
    for (const p of [...running]) await stop(p);
    await sql?.end();
    await database.drop();
  });

  it('prunes expired telemetry at the first start, not again at a restart within the hour', async () => {
    const first = await start();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await stop(first);
    const insertReading = (ageDays: number) =>
      sql.query(
        `INSERT INTO telemetry (device_id, received_at, device_ts, seq, payload)
         VALUES ($1, now() - make_interval(days => $2), now() - make_interval(days => $2), 1, '{}')`,
        [randomUUID(), ageDays],
      );
    // Expired readings written while the deployment was down; it has not pruned for over an hour.
    await insertReading(40);
    await insertReading(1);
    await sql.query(
      `UPDATE deployment_tasks SET next_run_at = now() - interval '2 hours' WHERE name = 'telemetry-prune'`,
    );

    const restarted = await start();
    const count = async () => Number((await sql.query(`SELECT count(*) AS n FROM telemetry`)).rows[0].n);
    await until('the expired reading pruned', async () => ((await count()) === 1 ? true : undefined), 10_000);
    expect(await runsOf(restarted, 'telemetry-prune')).toBe(1);

    // Restarting again within the hour does not prune again: the next run is an hour after the last.
    await stop(restarted);
    await insertReading(40);
    const again = await start();
    await sleep(1_500);
    expect(await runsOf(again, 'telemetry-prune')).toBe(0);
    expect(await count()).toBe(2);
    await stop(again);
  }, 60_000);

  it('two processes sweep for offline devices once per interval between them, not once each', async () => {
    const a = await start();
    const b = await start();
    const sweeps = () => Promise.all([a, b].map((p) => runsOf(p, 'device-supervision-sweep')));
    const [a0, b0] = await sweeps();
    await sleep(6_000);
    const [a1, b1] = await sweeps();
    const total = a1! - a0! + (b1! - b0!);
    // Once per second between them (no device falls due here): about 6, where each process alone sweeps 6.
    expect(total).toBeGreaterThanOrEqual(4);
    expect(total).toBeLessThanOrEqual(8);
  }, 60_000);
});
