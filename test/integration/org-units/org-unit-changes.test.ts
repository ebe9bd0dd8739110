import type { MqttClient } from 'mqtt';
import { Client } from 'pg';
import type { Socket } from 'socket.io-client';
import type { AlertView } from '@anxin/contract';
import type { ApiClient } from '../../support/api-client';
import { watchConsole, type ConsoleWatcher } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, event, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { until } from '../../support/until';

/** Resolves with the reason when the server closes the socket. */
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

const ids = (list: { id: string }[]) => list.map((x) => x.id);

/** Resolves once `request` has settled or the platform is waiting on a lock held by the test. */
async function waitingOrDone(databaseUrl: string, requests: Promise<unknown>[]): Promise<void> {
  let settled = 0;
  for (const r of requests) void r.finally(() => (settled += 1));
  const watcher = new Client({ connectionString: databaseUrl });
  await watcher.connect();
  try {
    await until('the requests to wait on the lock or finish', async () => {
      const [row] = (
        await watcher.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )
      ).rows;
      return row!.n + settled >= requests.length ? true : undefined;
    });
  } finally {
    await watcher.end();
  }
}

/** A transaction of the test's own, on its own connection, held open until `commit`. */
async function openTransaction(databaseUrl: string) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  return {
    query: (sql: string, params: unknown[] = []) => client.query(sql, params),
    commit: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/**
 * Issue 16: org units are renamed, moved (scoping follows at once, also for tokens issued and
 * sockets opened before the move) and deactivated (no new residents or users; refused while occupied).
 */
describe('org unit move, rename and deactivation', () => {
  let t: TestPlatform;
  let center: string;
  let a: StationFixture;
  let b: StationFixture;
  const devices: MqttClient[] = [];
  const watchers: ConsoleWatcher[] = [];
  const url = () => `http://127.0.0.1:${t.platform.httpPort}`;
  const watch = async (client: ApiClient) => {
    const w = await watchConsole(url(), client.token!);
    watchers.push(w);
    return w;
  };

  async function pressSos(deviceId: string, secret: string): Promise<void> {
    const device = await connectDevice(t.mqttPort, { id: deviceId, secret });
    devices.push(device);
    expect(await publishQos1(device, topic(deviceId, 'events'), event('sos'))).toBe(0);
  }

  async function newUser(role: 'operator' | 'caregiver', orgUnitId: string) {
    const username = unique(role === 'operator' ? 'op' : 'cg');
    const res = await t.admin.post('/api/v1/users', { username, password: 'user-pass-1', role, orgUnitId });
    return { res, login: () => t.api.login(username, 'user-pass-1') };
  }

  beforeAll(async () => {
    t = await startTestPlatform();
    center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
  });
  afterAll(async () => {
    for (const w of watchers) w.close();
    for (const d of devices) d.end(true);
    await t?.stop();
  });

  it("moves a community's residents and alerts from the old station's operator to the new one's at once", async () => {
    // Everyone signed in and connected before the move.
    const communityOperator = await newUser('operator', a.communityId);
    expect(communityOperator.res.status).toBe(201);
    const insider = await communityOperator.login();
    await pressSos(a.deviceId, a.deviceSecret);
    const first = await until('the first alert', async () => {
      const list = await a.operator.get<AlertView[]>(`/api/v1/alerts?residentId=${a.residentId}`);
      return list.body.find((x) => x.kind === 'sos');
    });
    const oldStationLive = await watch(a.operator);
    const newStationLive = await watch(b.operator);
    const insiderLive = await watch(insider);
    expect(ids(oldStationLive.snapshot)).toContain(first.id);
    expect(ids(newStationLive.snapshot)).not.toContain(first.id);
    // Whose view changes has its sockets closed by the server, so its console reconnects (and gets a new snapshot).
    const closedByServer = [oldStationLive, newStationLive, insiderLive].map((w) => disconnected(w.socket));

    const moved = await t.admin.patch(`/api/v1/org-units/${a.communityId}`, { parentId: b.stationId });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: a.communityId, parentId: b.stationId, active: true });
    const newStation = await t.admin.get(`/api/v1/org-units/${b.stationId}`);
    expect(moved.body.path).toBe(`${newStation.body.path}${a.communityId}/`);

    // HTTP, with the tokens from before the move.
    expect((await a.operator.get(`/api/v1/residents/${a.residentId}`)).status).toBe(404);
    expect((await a.operator.get(`/api/v1/alerts/${first.id}`)).status).toBe(404);
    expect(ids((await a.operator.get('/api/v1/alerts')).body)).not.toContain(first.id);
    expect((await b.operator.get(`/api/v1/residents/${a.residentId}`)).status).toBe(200);
    expect(ids((await b.operator.get('/api/v1/alerts')).body)).toContain(first.id);
    expect((await insider.get(`/api/v1/alerts/${first.id}`)).status).toBe(200);
    expect((await a.operator.post(`/api/v1/alerts/${first.id}/acknowledge`, {})).status).toBe(404);

    expect(await Promise.all(closedByServer)).toEqual(Array(3).fill('io server disconnect'));
    // Reconnected, still with the old tokens: the snapshots follow the move.
    const oldStationAgain = await watch(a.operator);
    const newStationAgain = await watch(b.operator);
    expect(ids(oldStationAgain.snapshot)).not.toContain(first.id);
    expect(ids(newStationAgain.snapshot)).toContain(first.id);
    expect(ids((await watch(insider)).snapshot)).toContain(first.id);

    // Live fan-out follows the move (the unit's cached rooms are forgotten): a new alert in the moved
    // community reaches the new station only.
    const resident = await t.admin.post('/api/v1/residents', { name: unique('李爷爷'), orgUnitId: a.communityId });
    expect(resident.status).toBe(201);
    const button = await t.admin.post('/api/v1/devices', { type: 'sos_button', residentId: resident.body.id });
    expect(button.status).toBe(201);
    await pressSos(button.body.id, button.body.secret);
    const second = await newStationAgain.waitFor('alert:raised', (x) => x.residentId === resident.body.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(ids(oldStationAgain.raised)).not.toContain(second.id);
    expect(ids(oldStationLive.raised)).not.toContain(second.id);

    const audit = await t.admin.get(`/api/v1/audit-log?action=org_unit.move&subjectId=${a.communityId}`);
    expect(audit.body[0]).toMatchObject({
      action: 'org_unit.move',
      detail: { fromParentId: a.stationId, toParentId: b.stationId },
    });
  });

  it('refuses moves that would break the tree, naming the field, and changes nothing', async () => {
    const station = (await t.admin.post('/api/v1/org-units', { name: unique('站'), kind: 'station', parentId: center }))
      .body;
    const community = (
      await t.admin.post('/api/v1/org-units', { name: unique('社区'), kind: 'community', parentId: station.id })
    ).body;
    const other = (
      await t.admin.post('/api/v1/org-units', { name: unique('社区'), kind: 'community', parentId: station.id })
    ).body;
    const refusals: [unknown, number, RegExp][] = [
      [{ parentId: station.id }, 400, /^parentId: .*under itself/],
      [{ parentId: community.id }, 400, /^parentId: .*under itself or a unit below it/],
      [{ parentId: null }, 400, /^parentId: only a centre/],
      [{ parentId: '00000000-0000-4000-8000-000000000000' }, 404, /^parentId: /],
      [{ parentId: 'not-a-uuid' }, 400, /^parentId/],
      [{}, 400, /at least one of name, parentId, active/],
      [{ active: 'no' }, 400, /^active/],
    ];
    for (const [body, status, message] of refusals) {
      const res = await t.admin.patch(`/api/v1/org-units/${station.id}`, body);
      expect({ body, status: res.status, message: res.body.message }).toEqual({
        body,
        status,
        message: expect.stringMatching(message),
      });
    }
    // A community cannot hold another community; a station cannot go under a station.
    const underPeer = await t.admin.patch(`/api/v1/org-units/${other.id}`, { parentId: community.id });
    expect(underPeer.status).toBe(400);
    expect(underPeer.body.message).toMatch(/^parentId: a community cannot be placed under a community/);
    expect((await t.admin.patch(`/api/v1/org-units/${station.id}`, { parentId: b.stationId })).status).toBe(400);
    // Admins only.
    expect((await b.operator.patch(`/api/v1/org-units/${b.communityId}`, { parentId: center })).status).toBe(403);

    const after = await t.admin.get(`/api/v1/org-units/${community.id}`);
    expect(after.body).toMatchObject({ parentId: station.id, path: `${station.path}${community.id}/` });
  });

  it('renames without moving', async () => {
    const name = unique('改名站');
    const res = await t.admin.patch(`/api/v1/org-units/${b.stationId}`, { name });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name, parentId: center, active: true });
  });

  it('deactivates only an empty unit, with what is under it, and takes nothing new into it until reactivated', async () => {
    const station = (await t.admin.post('/api/v1/org-units', { name: unique('站'), kind: 'station', parentId: center }))
      .body;
    const community = (
      await t.admin.post('/api/v1/org-units', { name: unique('社区'), kind: 'community', parentId: station.id })
    ).body;
    const resident = await t.admin.post('/api/v1/residents', { name: unique('王奶奶'), orgUnitId: community.id });
    const operator = await newUser('operator', station.id);
    expect([resident.status, operator.res.status]).toEqual([201, 201]);

    // Occupied: refused, naming what is still there.
    const occupied = await t.admin.patch(`/api/v1/org-units/${station.id}`, { active: false });
    expect(occupied.status).toBe(409);
    expect(occupied.body.message).toMatch(/^active: .*1 residents and 1 enabled users/);

    // Residents moved away and the operator disabled: it closes, with its community.
    expect((await t.admin.patch(`/api/v1/residents/${resident.body.id}`, { orgUnitId: b.communityId })).status).toBe(
      200,
    );
    expect((await t.admin.patch(`/api/v1/users/${operator.res.body.id}`, { disabled: true })).status).toBe(200);
    const closed = await t.admin.patch(`/api/v1/org-units/${station.id}`, { active: false });
    expect(closed.status).toBe(200);
    expect(closed.body.active).toBe(false);
    const units = (await t.admin.get('/api/v1/org-units')).body as { id: string; active: boolean }[];
    expect(units.filter((u) => [station.id, community.id].includes(u.id)).map((u) => u.active)).toEqual([false, false]);

    // Nothing new goes in.
    const intoClosed: [Promise<{ status: number; body: any }>, string][] = [
      [t.admin.post('/api/v1/residents', { name: unique('赵爷爷'), orgUnitId: community.id }), 'orgUnitId'],
      [t.admin.patch(`/api/v1/residents/${resident.body.id}`, { orgUnitId: community.id }), 'orgUnitId'],
      [newUser('caregiver', station.id).then((u) => u.res), 'orgUnitId'],
      [t.admin.patch(`/api/v1/users/${b.operatorId}`, { orgUnitId: station.id }), 'orgUnitId'],
      [t.admin.patch(`/api/v1/users/${operator.res.body.id}`, { disabled: false }), 'disabled'],
      [
        t.admin.post('/api/v1/org-units', { name: unique('社区'), kind: 'community', parentId: station.id }),
        'parentId',
      ],
      [t.admin.patch(`/api/v1/org-units/${b.communityId}`, { parentId: station.id }), 'parentId'],
      [t.admin.patch(`/api/v1/org-units/${community.id}`, { active: true }), 'active'],
    ];
    for (const [request, field] of intoClosed) {
      const res = await request;
      expect({ status: res.status, message: res.body.message }).toEqual({
        status: 409,
        message: expect.stringMatching(new RegExp(`^${field}: .*deactivated`)),
      });
    }

    // Reactivated top-down, it takes residents again.
    expect((await t.admin.patch(`/api/v1/org-units/${station.id}`, { active: true })).status).toBe(200);
    expect((await t.admin.patch(`/api/v1/org-units/${community.id}`, { active: true })).status).toBe(200);
    expect((await t.admin.post('/api/v1/residents', { name: unique('赵爷爷'), orgUnitId: community.id })).status).toBe(
      201,
    );
    const audit = await t.admin.get(`/api/v1/audit-log?subjectId=${station.id}`);
    expect(audit.body.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['org_unit.deactivate', 'org_unit.reactivate']),
    );
  });

  it('moves and deactivates in one request: what is deactivated is the unit in its new place', async () => {
    const station = (await t.admin.post('/api/v1/org-units', { name: unique('站'), kind: 'station', parentId: center }))
      .body;
    const community = (
      await t.admin.post('/api/v1/org-units', { name: unique('社区'), kind: 'community', parentId: station.id })
    ).body;
    const resident = await t.admin.post('/api/v1/residents', { name: unique('孙奶奶'), orgUnitId: community.id });
    expect(resident.status).toBe(201);

    // Occupied: refused as a deactivation alone is, and the move with it.
    const occupied = await t.admin.patch(`/api/v1/org-units/${community.id}`, { parentId: b.stationId, active: false });
    expect({ status: occupied.status, message: occupied.body.message }).toEqual({
      status: 409,
      message: expect.stringMatching(/^active: .*1 residents/),
    });
    expect((await t.admin.get(`/api/v1/org-units/${community.id}`)).body).toMatchObject({
      parentId: station.id,
      active: true,
    });

    // Empty: moved and closed.
    expect((await t.admin.patch(`/api/v1/residents/${resident.body.id}`, { orgUnitId: b.communityId })).status).toBe(
      200,
    );
    const closed = await t.admin.patch(`/api/v1/org-units/${community.id}`, { parentId: b.stationId, active: false });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ parentId: b.stationId, active: false });
    const again = await t.admin.post('/api/v1/residents', { name: unique('孙奶奶'), orgUnitId: community.id });
    expect({ status: again.status, message: again.body.message }).toEqual({
      status: 409,
      message: expect.stringMatching(/^orgUnitId: .*deactivated/),
    });
  });

  it('a resident or user added while their unit is being deactivated waits for it and is refused', async () => {
    const station = (await t.admin.post('/api/v1/org-units', { name: unique('站'), kind: 'station', parentId: center }))
      .body;
    const community = (
      await t.admin.post('/api/v1/org-units', { name: unique('社区'), kind: 'community', parentId: station.id })
    ).body;
    // What a deactivation does (OrgUnitsRepository.lockSubtree, then setActive), held open.
    const closing = await openTransaction(t.database.url);
    await closing.query(`SELECT id FROM org_units WHERE path LIKE $1 || '%' FOR UPDATE`, [station.path]);
    await closing.query(`UPDATE org_units SET active = false WHERE path LIKE $1 || '%'`, [station.path]);

    const requests = [
      t.admin.post('/api/v1/residents', { name: unique('钱爷爷'), orgUnitId: community.id }),
      newUser('caregiver', community.id).then((u) => u.res),
    ];
    await waitingOrDone(t.database.url, requests);
    await closing.commit();
    for (const res of await Promise.all(requests)) {
      expect({ status: res.status, message: res.body.message }).toEqual({
        status: 409,
        message: expect.stringMatching(/^orgUnitId: .*deactivated/),
      });
    }
  });

  it("a unit created under a parent being moved takes the parent's new place", async () => {
    const otherCenter = await createCenter(t.admin);
    const newParent = (await t.admin.get(`/api/v1/org-units/${otherCenter}`)).body;
    const station = (await t.admin.post('/api/v1/org-units', { name: unique('站'), kind: 'station', parentId: center }))
      .body;
    const newPath = `${newParent.path}${station.id}/`;
    // What a move does (the tree lock, then OrgUnitsRepository.move), held open.
    const moving = await openTransaction(t.database.url);
    await moving.query(`SELECT pg_advisory_xact_lock(hashtext('anxin_org_unit_tree'))`);
    await moving.query(`UPDATE org_units SET path = $2 || substr(path, length($1) + 1) WHERE path LIKE $1 || '%'`, [
      station.path,
      newPath,
    ]);
    await moving.query(`UPDATE org_units SET parent_id = $2 WHERE id = $1`, [station.id, otherCenter]);

    const created = t.admin.post('/api/v1/org-units', {
      name: unique('社区'),
      kind: 'community',
      parentId: station.id,
    });
    await waitingOrDone(t.database.url, [created]);
    await moving.commit();
    const community = (await created).body;
    expect(community.path).toBe(`${newPath}${community.id}/`);
  });
});
