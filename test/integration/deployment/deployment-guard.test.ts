import type { RunningPlatform } from '../../../apps/platform/src/platform';
import { startPlatformOn, unique } from '../../support/platform-harness';
import { startTcpProxy } from '../../support/tcp-proxy';
import { within } from '../../support/until';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Issue 14: processes sharing one database without Redis each had their own
 * consoles and broker: an operator missed the other process's alerts and a
 * command reached only that process's devices. Now a process without REDIS_URL
 * runs only alone on its database, and none starts beside it — each refusal
 * one line naming REDIS_URL — while processes with REDIS_URL share it.
 */
describe('one database: several processes only with REDIS_URL', () => {
  let database: TestDatabase;
  const running: RunningPlatform[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const platform = await startPlatformOn(database.url, { ANXIN_QUEUE_PREFIX: unique('guard'), ...env });
    running.push(platform);
    return platform;
  };
  const stop = async (platform: RunningPlatform) => {
    running.splice(running.indexOf(platform), 1);
    await platform.stop();
  };
  const refusal = (attempt: Promise<unknown>) =>
    attempt.then(
      () => 'started',
      (error: Error) => error.message,
    );

  beforeAll(async () => {
    database = await createTestDatabase('guard');
  });
  afterAll(async () => {
    for (const p of [...running]) await stop(p);
    await database.drop();
  });

  it('refuses a second process while one runs without Redis, in one line naming REDIS_URL', async () => {
    const alone = await start();
    const second = await refusal(start());
    expect(second).toMatch(/^REDIS_URL: another platform process is using this database/);
    expect(second.split('\n')).toHaveLength(1);
    const clustered = await refusal(start({ REDIS_URL }));
    expect(clustered).toMatch(/^REDIS_URL: a platform process without REDIS_URL is using this database/);
    // The one that runs is untouched by the refused attempts.
    expect((await fetch(`http://127.0.0.1:${alone.httpPort}/api/v1/health`)).status).toBe(200);
    await stop(alone);
  });

  it('lets a process without Redis start once the other is gone, and processes with Redis run side by side', async () => {
    const restarted = await start();
    await stop(restarted);
    const a = await start({ REDIS_URL });
    const b = await start({ REDIS_URL });
    for (const p of [a, b]) expect((await fetch(`http://127.0.0.1:${p.httpPort}/api/v1/health`)).status).toBe(200);
    expect(await refusal(start())).toMatch(/^REDIS_URL: another platform process is using this database/);
    await stop(a);
    await stop(b);
  });

  it('stops a process without Redis that finds, after losing its connection, another one started meanwhile', async () => {
    // The first process reaches the database through a proxy that goes away: its lock goes with its connection.
    const proxy = await startTcpProxy(5432);
    try {
      const proxied = database.url.replace(':5432/', `:${proxy.port}/`);
      const cutOff = await startPlatformOn(proxied, { ANXIN_QUEUE_PREFIX: unique('guard') });
      running.push(cutOff);
      await proxy.refuse();
      // Meanwhile a second process without Redis starts, alone on the database as far as it can tell.
      const second = await start();
      await proxy.accept();
      // The first one, back, may not run beside it: it stops, saying why, rather than run split from it.
      const reason = await within('the cut-off process to stop', cutOff.displaced, 20_000);
      running.splice(running.indexOf(cutOff), 1);
      expect(reason).toMatch(/^REDIS_URL: another platform process is using this database/);
      await expect(fetch(`http://127.0.0.1:${cutOff.httpPort}/api/v1/health`)).rejects.toThrow();
      expect((await fetch(`http://127.0.0.1:${second.httpPort}/api/v1/health`)).status).toBe(200);
      await stop(second);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
