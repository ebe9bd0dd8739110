import fs from 'node:fs';
import net from 'node:net';
import { ApiClient } from '../../support/api-client';
import { makeDataDir, runToFailure, spawnPlatform } from '../../support/platform-process';
import { createTestDatabase } from '../../support/test-database';

describe('start-up and shutdown', () => {
  it.each([
    ['HTTP_PORT', 'abc'],
    ['DATABASE_URL', 'mysql://nope'],
    ['ANXIN_TIMEZONE', 'Mars/Olympus'],
    ['ANXIN_TOKEN_TTL', 'forever'],
  ])('exits non-zero with one line naming %s when it is bad', async (variable, value) => {
    const { code, output } = await runToFailure({ [variable]: value, ANXIN_DATA_DIR: '/nonexistent/never-used' });
    expect(code).not.toBe(0);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toContain(variable);
  });

  it('names HTTP_PORT when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const db = await createTestDatabase('port');
    try {
      const { code, output } = await runToFailure({
        DATABASE_URL: db.url,
        HTTP_PORT: String(port),
        ANXIN_ADMIN_PASSWORD: 'x-password-1',
      });
      expect(code).not.toBe(0);
      expect(output).toMatch(new RegExp(`HTTP_PORT: port ${port} is already in use`));
    } finally {
      blocker.close();
      await db.drop();
    }
  });

  it('serves health and OpenAPI on a PostgreSQL server and drains on SIGTERM with exit 0', async () => {
    const db = await createTestDatabase('srv');
    const dataDir = makeDataDir();
    try {
      const p = await spawnPlatform({
        DATABASE_URL: db.url,
        ANXIN_ADMIN_PASSWORD: 'server-admin-pass',
        ANXIN_DATA_DIR: dataDir,
      });
      const api = new ApiClient(`http://127.0.0.1:${p.httpPort}`);
      expect((await api.get('/api/v1/health')).status).toBe(200);
      const doc = await api.get('/api/docs-json');
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/api/v1/auth/login', '/api/v1/devices/{id}']),
      );
      expect((await api.get('/api/docs')).status).toBe(200);
      // server mode must not touch the data dir's embedded cluster
      expect(fs.existsSync(`${dataDir}/postgres`)).toBe(false);
      const started = Date.now();
      expect(await p.stop()).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
