import { io } from 'socket.io-client';
import { Client } from 'pg';
import { watchConsole, type ConsoleWatcher } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { inspectJobs, type JobInspector } from '../../support/job-inspector';
import { createHome, sleep } from './alert-harness';

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** The same behaviour on both backends; each backend runs in its own test file (own process). */
export function describeAlertLifecycle(label: string, env: Record<string, string>): void {
  describe(`alerts and the live console (${label})`, () => {
    let t: TestPlatform;
    let a: StationFixture;
    let b: StationFixture;
    let consoleA: ConsoleWatcher;
    let consoleB: ConsoleWatcher;
    let adminConsole: ConsoleWatcher;
    let jobs: JobInspector;
    const queuePrefix = unique('q');
    // Long enough that an acknowledgement sent on seeing level 1 lands before level 2 is due.
    const ESCALATE_SECONDS = 2;
    const MAX_LEVEL = 4;

    beforeAll(async () => {
      t = await startTestPlatform({
        ...env,
        ANXIN_QUEUE_PREFIX: queuePrefix,
        ANXIN_ESCALATE_CRITICAL_SECONDS: String(ESCALATE_SECONDS),
        ANXIN_ESCALATE_MAX_LEVEL: String(MAX_LEVEL),
      });
      jobs = inspectJobs({ redisUrl: env.REDIS_URL, databaseUrl: t.database.url }, queuePrefix);
      const center = await createCenter(t.admin);
      a = await createStation(t.admin, center);
      b = await createStation(t.admin, center);
      consoleA = await watchConsole(t.api.baseUrl, a.operator.token!);
      consoleB = await watchConsole(t.api.baseUrl, b.operator.token!);
      adminConsole = await watchConsole(t.api.baseUrl, t.admin.token!);
    });
    afterAll(async () => {
      [consoleA, consoleB, adminConsole].forEach((c) => c.close());
      await jobs.close();
      await t.stop();
    });

    it('pushes an SOS to the station console as alert:raised, and not to another station', async () => {
      const home = await createHome(a.operator, t.mqttPort, a.communityId, ['sos_button']);
      expect(await home.event('sos_button', 'sos')).toBe(0);
      const alert = await consoleA.waitFor('alert:raised', (x) => x.residentId === home.residentId);
      expect(alert).toMatchObject({
        kind: 'sos',
        severity: 'critical',
        status: 'open',
        occurrences: 1,
        deviceId: home.devices.sos_button!.id,
      });
      await adminConsole.waitFor('alert:raised', (x) => x.id === alert.id);
      await sleep(300);
      expect(consoleB.raised.concat(consoleB.updated).some((x) => x.id === alert.id)).toBe(false);
      expect((await b.operator.get(`/api/v1/alerts/${alert.id}`)).status).toBe(404);
      expect(
        (await b.operator.get('/api/v1/alerts?status=open')).body.some((x: { id: string }) => x.id === alert.id),
      ).toBe(false);
      expect(
        (await a.operator.get('/api/v1/alerts?status=open')).body.some((x: { id: string }) => x.id === alert.id),
      ).toBe(true);
      home.close();
    });

    it('keeps one open alert when SOS is pressed repeatedly, counting occurrences', async () => {
      const home = await createHome(a.operator, t.mqttPort, a.communityId, ['sos_button', 'wearable']);
      await Promise.all([
        ...Array.from({ length: 5 }, () => home.event('sos_button', 'sos')),
        ...Array.from({ length: 5 }, () => home.event('wearable', 'sos')),
      ]);
      await sleep(500);
      const open = (await a.operator.get(`/api/v1/alerts?status=open&residentId=${home.residentId}`)).body;
      expect(open).toHaveLength(1);
      expect(open[0].occurrences).toBe(10);
      expect(consoleA.raised.filter((x) => x.residentId === home.residentId)).toHaveLength(1);
      await consoleA.waitFor('alert:updated', (x) => x.residentId === home.residentId && x.occurrences === 10);
      home.close();
    });

    it('resolves an SOS cancelled on the device within 60 s as cancelled by the resident', async () => {
      const home = await createHome(a.operator, t.mqttPort, a.communityId, ['wearable']);
      await home.event('wearable', 'sos');
      const raised = await consoleA.waitFor('alert:raised', (x) => x.residentId === home.residentId);
      await home.event('wearable', 'sos_cancel');
      const resolved = await consoleA.waitFor('alert:updated', (x) => x.id === raised.id && x.status === 'resolved');
      expect(resolved.outcome).toBe('cancelled_by_resident');
      expect((await a.operator.get(`/api/v1/alerts?status=resolved&residentId=${home.residentId}`)).body).toHaveLength(
        1,
      );
      home.close();
    });

    it('escalates an unacknowledged critical alert, and acknowledgement stops the chain', async () => {
      const home = await createHome(a.operator, t.mqttPort, a.communityId, ['smoke_detector']);
      await home.event('smoke_detector', 'smoke');
      const raised = await consoleA.waitFor('alert:raised', (x) => x.residentId === home.residentId);
      const level1 = await consoleA.waitFor(
        'alert:updated',
        (x) => x.id === raised.id && x.escalationLevel === 1,
        15_000,
      );
      expect(level1.status).toBe('open');
      // The next level is a delayed job: it must exist before the acknowledgement and be gone after it.
      const levelJob = (level: number) => `escalate:${raised.id}:${level}`;
      await until(async () => (await jobs.state(levelJob(2))) !== null);
      const acked = await a.operator.post(`/api/v1/alerts/${raised.id}/acknowledge`, { note: '已电话联系' });
      expect(acked.status).toBe(200);
      expect(acked.body).toMatchObject({ status: 'acknowledged', note: '已电话联系' });
      const levelAtAck = acked.body.escalationLevel as number;
      expect(levelAtAck).toBeLessThan(MAX_LEVEL);
      // The delayed wake-up may be removed just after the answer (its durable timer goes with the acknowledgement).
      await until(async () => (await jobs.state(levelJob(levelAtAck + 1))) === null, 5_000);
      // Well past the time the next level was due: it never ran (not even as a no-op) and nothing escalated.
      await sleep(ESCALATE_SECONDS * 2000 + 1000);
      expect(await jobs.state(levelJob(levelAtAck + 1))).toBeNull();
      const after = (await a.operator.get(`/api/v1/alerts/${raised.id}`)).body;
      expect(after.escalationLevel).toBe(levelAtAck);
      expect(after.status).toBe('acknowledged');
      expect(consoleA.updated.filter((x) => x.id === raised.id && x.escalationLevel > levelAtAck)).toEqual([]);
      home.close();
    });

    it('acknowledges and resolves over the socket with acknowledgement callbacks, recorded in the audit trail', async () => {
      const home = await createHome(a.operator, t.mqttPort, a.communityId, ['water_leak_sensor']);
      await home.event('water_leak_sensor', 'water_leak');
      const raised = await consoleA.waitFor('alert:raised', (x) => x.residentId === home.residentId);
      expect(raised.severity).toBe('high');
      const acked = await consoleA.socket.emitWithAck('alert:acknowledge', { id: raised.id });
      expect(acked).toMatchObject({ id: raised.id, status: 'acknowledged' });
      const bad = await consoleA.socket.emitWithAck('alert:resolve', { id: raised.id, outcome: 'whatever' as never });
      expect(bad).toEqual({ error: expect.stringMatching(/outcome/), statusCode: 400 });
      const resolved = await consoleA.socket.emitWithAck('alert:resolve', {
        id: raised.id,
        outcome: 'real_emergency',
        note: '已关阀',
      });
      expect(resolved).toMatchObject({ status: 'resolved', outcome: 'real_emergency', note: '已关阀' });
      const fromB = await consoleB.socket.emitWithAck('alert:acknowledge', { id: raised.id });
      expect(fromB).toEqual({ error: expect.stringMatching(/not found/), statusCode: 404 });
      const detail = (await a.operator.get(`/api/v1/alerts/${raised.id}`)).body;
      expect(detail.resident.id).toBe(home.residentId);
      expect(detail.devices).toHaveLength(1);
      expect(detail.events[0].type).toBe('water_leak');
      expect(detail.audit.map((e: { action: string }) => e.action)).toEqual(
        expect.arrayContaining(['alert.acknowledge', 'alert.resolve']),
      );
      home.close();
    });

    it('sends the snapshot again on reconnect, and refuses caregivers and bad tokens', async () => {
      const home = await createHome(a.operator, t.mqttPort, a.communityId, ['gas_detector']);
      await home.event('gas_detector', 'gas');
      const raised = await consoleA.waitFor('alert:raised', (x) => x.residentId === home.residentId);
      const again = await watchConsole(t.api.baseUrl, a.operator.token!);
      expect(again.snapshot.some((x) => x.id === raised.id)).toBe(true);
      again.close();
      await expect(watchConsole(t.api.baseUrl, 'bad-token')).rejects.toThrow(/unauthorized/);
      const username = unique('cg');
      await a.operator.post('/api/v1/users', {
        username,
        password: 'caregiver-pass',
        role: 'caregiver',
        orgUnitId: a.stationId,
      });
      const caregiver = await t.api.login(username, 'caregiver-pass');
      await expect(watchConsole(t.api.baseUrl, caregiver.token!)).rejects.toThrow(/forbidden/);
      const anonymous = io(`${t.api.baseUrl}/console`, { transports: ['websocket'], reconnection: false });
      await expect(new Promise((_, reject) => anonymous.once('connect_error', reject))).rejects.toThrow(
        /missing token/,
      );
      anonymous.close();
      home.close();
    });

    it('catches up on an event that was stored but never processed (crash between commit and rule)', async () => {
      const home = await createHome(a.operator, t.mqttPort, a.communityId, ['sos_button']);
      const db = new Client({ connectionString: t.database.url });
      await db.connect();
      // what the log holds when a process died right after committing the event
      await db.query(
        `INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, payload)
       VALUES ($1, $2, $3, 999, 'sos', now(), '{"type":"sos","ts":1,"seq":999}')`,
        [home.devices.sos_button!.id, home.residentId, a.communityId],
      );
      await db.end();
      const alert = await consoleA.waitFor('alert:raised', (x) => x.residentId === home.residentId, 10_000);
      expect(alert.kind).toBe('sos');
      home.close();
    });
  });
}
