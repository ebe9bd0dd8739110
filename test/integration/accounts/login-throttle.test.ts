import { Client } from 'pg';
import type { ApiResponse } from '../../support/api-client';
import { createCenter } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

/** A login sent as if from `client` through the proxy at 127.0.0.1 (X-Forwarded-For). */
async function loginVia(baseUrl: string, client: string, username: string, password: string): Promise<ApiResponse> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function loginAddresses(t: TestPlatform, username: string): Promise<string[]> {
  const db = new Client({ connectionString: t.database.url });
  await db.connect();
  const rows = await db.query(
    `SELECT address FROM audit_log WHERE action = 'auth.login' AND actor_username = $1 ORDER BY at`,
    [username],
  );
  await db.end();
  return rows.rows.map((r: { address: string }) => r.address);
}

/**
 * Issue 12 items 6 and 8: failed logins are counted atomically per (username,
 * address) and per address; past the limit each try waits a doubling delay,
 * never a lockout of the user for everyone; X-Forwarded-For names the client
 * only when it comes from a configured proxy.
 */
describe('login throttling', () => {
  let proxied: TestPlatform;
  let direct: TestPlatform;
  let centerP: string;
  let centerD: string;

  beforeAll(async () => {
    // A long first delay: the burst below must not outlast it on a busy machine.
    proxied = await startTestPlatform({ ANXIN_TRUSTED_PROXIES: '127.0.0.1', ANXIN_LOGIN_DELAY: '10m' });
    direct = await startTestPlatform({ ANXIN_LOGIN_DELAY: '1' });
    centerP = await createCenter(proxied.admin);
    centerD = await createCenter(direct.admin);
  });
  afterAll(async () => {
    await direct.stop();
    await proxied.stop();
  });

  const newUser = async (t: TestPlatform, center: string, password: string) => {
    const username = unique('u');
    const res = await t.admin.post('/api/v1/users', { username, password, role: 'operator', orgUnitId: center });
    expect(res.status).toBe(201);
    return username;
  };

  it('lets at most the limit of a burst of 200 wrong passwords be tried, then refuses the right one', async () => {
    const username = await newUser(proxied, centerP, 'right-password');
    const burst = await Promise.all(
      Array.from({ length: 200 }, () => proxied.api.post('/api/v1/auth/login', { username, password: 'wrong-pass' })),
    );
    const tried = burst.filter((r) => r.status === 401).length;
    const refused = burst.filter((r) => r.status === 429);
    expect(tried).toBeGreaterThan(0);
    expect(tried).toBeLessThanOrEqual(5); // ANXIN_LOGIN_MAX_FAILURES default
    expect(tried + refused.length).toBe(200);
    expect(refused[0]!.body.message).toMatch(/too many failed logins .* try again in \d+ seconds/);
    const right = await proxied.api.post('/api/v1/auth/login', { username, password: 'right-password' });
    expect(right.status).toBe(429);
    const failures = await proxied.admin.get('/api/v1/audit-log?action=auth.login_failed&limit=500');
    expect(failures.body.filter((e: { actorUsername: string }) => e.actorUsername === username).length).toBe(tried);
  });

  it('delays further tries progressively, then lets the right password in again', async () => {
    const username = await newUser(direct, centerD, 'right-password');
    for (let i = 0; i < 5; i++) {
      expect((await direct.api.post('/api/v1/auth/login', { username, password: 'wrong-pass' })).status).toBe(401);
    }
    const waiting = await direct.api.post('/api/v1/auth/login', { username, password: 'right-password' });
    expect(waiting.status).toBe(429);
    expect(waiting.body.message).toMatch(/try again in 1 seconds/);
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await direct.api.post('/api/v1/auth/login', { username, password: 'wrong-pass' })).status).toBe(401);
    const longer = await direct.api.post('/api/v1/auth/login', { username, password: 'right-password' });
    expect(longer.status).toBe(429);
    expect(longer.body.message).toMatch(/try again in 2 seconds/);
    await new Promise((r) => setTimeout(r, 2_200));
    expect((await direct.api.post('/api/v1/auth/login', { username, password: 'right-password' })).status).toBe(200);
  });

  it('keeps a victim able to log in from its own address while an attacker hammers its name', async () => {
    const base = proxied.api.baseUrl;
    const username = await newUser(proxied, centerP, 'victim-password');
    const attack = await Promise.all(
      Array.from({ length: 40 }, () => loginVia(base, '203.0.113.7', username, 'guess-guess')),
    );
    expect(attack.filter((r) => r.status === 401).length).toBeLessThanOrEqual(5);
    expect((await loginVia(base, '203.0.113.7', username, 'victim-password')).status).toBe(429);
    const victim = await loginVia(base, '198.51.100.9', username, 'victim-password');
    expect(victim.status).toBe(200);
    expect(await loginAddresses(proxied, username)).toEqual(['198.51.100.9']);
  });

  it('believes X-Forwarded-For only from a configured proxy', async () => {
    const base = direct.api.baseUrl;
    const username = await newUser(direct, centerD, 'victim-password');
    for (let i = 0; i < 5; i++) expect((await loginVia(base, '203.0.113.8', username, 'guess')).status).toBe(401);
    // Without ANXIN_TRUSTED_PROXIES both "clients" are the one real peer, 127.0.0.1.
    expect((await loginVia(base, '198.51.100.10', username, 'victim-password')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await loginVia(base, '198.51.100.10', username, 'victim-password')).status).toBe(200);
    expect(await loginAddresses(direct, username)).toEqual(['127.0.0.1']);
  });
});
