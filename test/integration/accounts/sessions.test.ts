import 'reflect-metadata';
import pino from 'pino';
import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../../../apps/platform/src/config/config';
import { type RunningPlatform, startPlatform } from '../../../apps/platform/src/platform';
import { ApiClient } from '../../support/api-client';
import { watchConsole, type ConsoleWatcher } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

/** Resolves when the server closes the socket (not on our own close). */
function disconnected(socket: Socket, timeoutMs = 5_000): Promise<string> {
  if (socket.disconnected) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/**
 * Issue 12 items 5 and 9: disabling a user, changing its password or logging
 * out ends its sessions at once: every token is refused over HTTP and its open
 * sockets are closed, on every platform process sharing the database.
 */
// Two processes on one database need Redis (issue 14: a second one without it is refused); sessions
// still end through PostgreSQL's change notices, which this exercises.
const MODES: [string, () => Record<string, string>][] = [
  ['Redis (socket.io fan-out adapter)', () => ({ REDIS_URL: 'redis://127.0.0.1:6379' })],
];

describe.each(MODES)('sessions end everywhere at once (%s)', (_mode, modeEnv) => {
  let a: TestPlatform;
  let b: RunningPlatform;
  let apiB: ApiClient;
  let s: StationFixture;
  const watchers: ConsoleWatcher[] = [];
  const urlA = () => `http://127.0.0.1:${a.platform.httpPort}`;
  const urlB = () => `http://127.0.0.1:${b.httpPort}`;

  beforeAll(async () => {
    const env = { ...modeEnv(), ANXIN_QUEUE_PREFIX: unique('sessions') };
    a = await startTestPlatform(env);
    // A second process on the same database (in this test process: same code path, own listeners and caches).
    b = await startPlatform(
      loadConfig({
        DATABASE_URL: a.database.url,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        MQTT_PORT: '0',
        MQTT_HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        ...env,
      }),
      pino({ level: 'silent' }),
    );
    apiB = new ApiClient(urlB());
    s = await createStation(a.admin, await createCenter(a.admin));
  });
  afterAll(async () => {
    for (const w of watchers) w.close();
    // Guarded: a failed start must not leave the other process running into the next suite.
    await b?.stop();
    await a?.stop();
  });

  async function newOperator(password = 'operator-pass'): Promise<{ id: string; username: string; token: string }> {
    const username = unique('op');
    const created = await a.admin.post('/api/v1/users', {
      username,
      password,
      role: 'operator',
      orgUnitId: s.stationId,
    });
    expect(created.status).toBe(201);
    const login = await a.api.post('/api/v1/auth/login', { username, password });
    expect(login.status).toBe(200);
    return { id: created.body.id as string, username, token: login.body.accessToken as string };
  }
  const watch = async (url: string, token: string) => {
    const w = await watchConsole(url, token);
    watchers.push(w);
    return w;
  };

  it("closes a disabled operator's consoles on both processes and refuses its token there", async () => {
    const op = await newOperator();
    const onA = await watch(urlA(), op.token);
    const onB = await watch(urlB(), op.token);
    expect((await apiB.withToken(op.token).get('/api/v1/alerts')).status).toBe(200);

    const closedA = disconnected(onA.socket);
    const closedB = disconnected(onB.socket);
    expect((await a.admin.patch(`/api/v1/users/${op.id}`, { disabled: true })).status).toBe(200);
    await expect(closedA).resolves.toBe('io server disconnect');
    await expect(closedB).resolves.toBe('io server disconnect');
    expect((await a.api.withToken(op.token).get('/api/v1/alerts')).status).toBe(401);
    expect((await apiB.withToken(op.token).get('/api/v1/alerts')).status).toBe(401);
    await expect(watchConsole(urlB(), op.token)).rejects.toThrow(/unauthorized/);
  });

  it('refuses the old token after a password change, and accepts the new password', async () => {
    const op = await newOperator('first-password');
    const onB = await watch(urlB(), op.token);
    const closedB = disconnected(onB.socket);
    expect((await a.admin.patch(`/api/v1/users/${op.id}`, { password: 'second-password' })).status).toBe(200);
    await expect(closedB).resolves.toBe('io server disconnect');
    expect((await a.api.withToken(op.token).get('/api/v1/alerts')).status).toBe(401);
    expect((await apiB.withToken(op.token).get('/api/v1/alerts')).status).toBe(401);
    const again = await apiB.login(op.username, 'second-password');
    expect((await again.get('/api/v1/alerts')).status).toBe(200);
  });

  it('logs out: every token of the caller is refused and its sockets close; a new login works', async () => {
    const op = await newOperator();
    const second = (await a.api.post('/api/v1/auth/login', { username: op.username, password: 'operator-pass' })).body
      .accessToken as string;
    const onB = await watch(urlB(), second);
    const closedB = disconnected(onB.socket);
    const out = await a.api.withToken(op.token).post('/api/v1/auth/logout');
    expect(out.status).toBe(204);
    await expect(closedB).resolves.toBe('io server disconnect');
    expect((await a.api.withToken(op.token).get('/api/v1/auth/me')).status).toBe(401);
    expect((await apiB.withToken(second).get('/api/v1/auth/me')).status).toBe(401);
    expect((await a.api.withToken(op.token).post('/api/v1/auth/logout')).status).toBe(401);
    const fresh = await apiB.login(op.username, 'operator-pass');
    expect((await fresh.get('/api/v1/auth/me')).body.username).toBe(op.username);
  });

  it("closes a disabled caregiver's /caregiver socket on the other process", async () => {
    const username = unique('cg');
    const created = await a.admin.post('/api/v1/users', {
      username,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: s.stationId,
    });
    const token = (await apiB.post('/api/v1/auth/login', { username, password: 'caregiver-pass' })).body
      .accessToken as string;
    const socket = io(`${urlB()}/caregiver`, { auth: { token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise((resolve) => socket.once('tasks:snapshot', resolve));
      const closed = disconnected(socket);
      expect((await a.admin.patch(`/api/v1/users/${created.body.id}`, { disabled: true })).status).toBe(200);
      await expect(closed).resolves.toBe('io server disconnect');
    } finally {
      socket.close();
    }
  });

  it('checks the token again on every socket action, even if the change notice never came', async () => {
    const op = await newOperator();
    const onA = await watch(urlA(), op.token);
    // Revoked behind the platform's back (no NOTIFY): only the per-action check can catch it.
    const db = new Client({ connectionString: a.database.url });
    await db.connect();
    await db.query('UPDATE users SET token_version = token_version + 1 WHERE id = $1', [op.id]);
    await db.end();
    await new Promise((r) => setTimeout(r, 5_500)); // past the per-process cache's life
    const closed = disconnected(onA.socket);
    const answer = await new Promise<unknown>((resolve) =>
      onA.socket.emit('alert:acknowledge', { id: '00000000-0000-4000-8000-000000000000' }, resolve),
    );
    expect(answer).toEqual({ error: expect.stringMatching(/session has ended/), statusCode: 401 });
    await expect(closed).resolves.toBe('io server disconnect');
  });
});
