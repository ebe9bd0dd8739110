import fs from 'node:fs';
import path from 'node:path';
import { ApiClient } from '../../support/api-client';
import { makeDataDir, runToFailure, spawnPlatform } from '../../support/platform-process';

const ADMIN = { ANXIN_ADMIN_PASSWORD: 'embedded-admin-pass', LOG_LEVEL: 'info' };

describe('the embedded default database', () => {
  const dataDir = makeDataDir();
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts on a fresh data dir, keeps data across restarts and a kill -9, and refuses a second platform', async () => {
    const env = { ...ADMIN, ANXIN_DATA_DIR: dataDir };
    const first = await spawnPlatform(env);
    const api = new ApiClient(`http://127.0.0.1:${first.httpPort}`);
    expect((await api.get('/api/v1/health')).body).toMatchObject({ status: 'ok' });
    // never the well-known port a user's own PostgreSQL may hold
    const pgPid = fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
    expect(pgPid[3]).not.toBe('5432');
    const admin = await api.login('admin', 'embedded-admin-pass');
    const center = await admin.post('/api/v1/org-units', { name: '持久中心', kind: 'center' });
    expect(center.status).toBe(201);

    // a second platform on the same data dir says why it cannot start
    const second = await runToFailure(env);
    expect(second.code).not.toBe(0);
    expect(second.output).toMatch(/ANXIN_DATA_DIR .* is in use by another Anxin platform/);

    // graceful stop exits 0 and releases the lock
    expect(await first.stop()).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'anxin.lock'))).toBe(false);

    const restarted = await spawnPlatform(env);
    const api2 = new ApiClient(`http://127.0.0.1:${restarted.httpPort}`);
    const admin2 = await api2.login('admin', 'embedded-admin-pass');
    expect((await admin2.get(`/api/v1/org-units/${center.body.id}`)).body.name).toBe('持久中心');
    const res = await admin2.post('/api/v1/org-units', { name: '崩溃前', kind: 'center' });

    // kill -9 leaves a stale lock and an orphaned postgres; the next start must not be blocked
    await restarted.kill9();
    expect(fs.existsSync(path.join(dataDir, 'anxin.lock'))).toBe(true);
    const recovered = await spawnPlatform(env);
    const admin3 = await new ApiClient(`http://127.0.0.1:${recovered.httpPort}`).login('admin', 'embedded-admin-pass');
    expect((await admin3.get(`/api/v1/org-units/${res.body.id}`)).body.name).toBe('崩溃前');
    expect(await recovered.stop()).toBe(0);
  });
});
