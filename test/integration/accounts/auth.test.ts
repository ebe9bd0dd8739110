import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import { createCenter } from '../../support/fixtures';
import { ADMIN_PASSWORD, startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

describe('authentication', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_LOGIN_MAX_FAILURES: '3', ANXIN_TOKEN_TTL: '2h' });
  });
  afterAll(() => t.stop());

  it('logs the bootstrap admin in with a JWT that expires', async () => {
    const res = await t.api.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(res.body.user.orgUnitId).toEqual(expect.any(String));
    const claims = jwt.decode(res.body.accessToken) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBe(2 * 3600);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await t.api.post('/api/v1/auth/login', { username: 'admin', password: 'nope-nope' });
    const unknown = await t.api.post('/api/v1/auth/login', { username: unique('ghost'), password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('answers 429 after too many failed logins for one username, even with the right password', async () => {
    const center = await createCenter(t.admin);
    const username = unique('victim');
    await t.admin.post('/api/v1/users', { username, password: 'right-password', role: 'operator', orgUnitId: center });
    for (let i = 0; i < 3; i++) {
      expect((await t.api.post('/api/v1/auth/login', { username, password: 'wrong-password' })).status).toBe(401);
    }
    const locked = await t.api.post('/api/v1/auth/login', { username, password: 'right-password' });
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/too many failed logins/);
  });

  it('refuses requests without a token, with a forged token and with an expired token', async () => {
    expect((await t.api.get('/api/v1/residents')).status).toBe(401);
    expect((await t.api.withToken('not.a.token').get('/api/v1/residents')).status).toBe(401);
    const me = (await t.admin.get('/api/v1/auth/me')).body as { userId: string };
    const db = new Client({ connectionString: t.database.url });
    await db.connect();
    const key = Buffer.from(
      (await db.query(`SELECT value FROM platform_secrets WHERE name = 'jwt'`)).rows[0].value as string,
      'base64',
    );
    await db.end();
    const expired = jwt.sign({ sub: me.userId, role: 'admin', exp: Math.floor(Date.now() / 1000) - 10 }, key);
    const res = await t.api.withToken(expired).get('/api/v1/residents');
    expect(res.status).toBe(401);
    const forged = jwt.sign({ sub: me.userId, role: 'admin' }, 'some-other-key-of-sufficient-length!!');
    expect((await t.api.withToken(forged).get('/api/v1/residents')).status).toBe(401);
  });

  it('stops honouring the token of a user who was disabled', async () => {
    const center = await createCenter(t.admin);
    const username = unique('leaver');
    const user = await t.admin.post('/api/v1/users', {
      username,
      password: 'leaver-pass',
      role: 'operator',
      orgUnitId: center,
    });
    const leaver = await t.api.login(username, 'leaver-pass');
    expect((await leaver.get('/api/v1/residents')).status).toBe(200);
    await t.admin.patch(`/api/v1/users/${user.body.id}`, { disabled: true });
    expect((await leaver.get('/api/v1/residents')).status).toBe(401);
    expect((await t.api.post('/api/v1/auth/login', { username, password: 'leaver-pass' })).status).toBe(401);
  });

  it('stores passwords hashed, never returns them, and audits logins', async () => {
    const center = await createCenter(t.admin);
    const username = unique('hashed');
    const created = await t.admin.post('/api/v1/users', {
      username,
      password: 'plain-secret-1',
      role: 'operator',
      orgUnitId: center,
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toMatch(/plain-secret-1|password/i);
    const db = new Client({ connectionString: t.database.url });
    await db.connect();
    const row = (await db.query('SELECT password_hash FROM users WHERE username = $1', [username])).rows[0];
    await db.end();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain('plain-secret-1');
    await t.api.login(username, 'plain-secret-1');
    const audit = await t.admin.get('/api/v1/audit-log?action=auth.login&limit=500');
    expect(audit.status).toBe(200);
    expect(audit.body.some((e: { actorUsername: string }) => e.actorUsername === username)).toBe(true);
    const failures = await t.admin.get('/api/v1/audit-log?action=auth.login_failed&limit=500');
    expect(failures.body.length).toBeGreaterThan(0);
  });
});
