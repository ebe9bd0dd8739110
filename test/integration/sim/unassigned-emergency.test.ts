import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SimOptions } from '../../../devices-sim/src/cli/options';
import { runSimulation } from '../../../devices-sim/src/cli/run';
import { Progress } from '../../../devices-sim/src/report/progress';
import { exitCodeFor } from '../../../devices-sim/src/report/report';
import { ADMIN_PASSWORD, startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

// Issue 11 §2 / CONTRACT §3 (v1.1) in the simulator: an SOS the simulator dispatches as its operator, offered
// to a caregiver who never answers; with a 2 s offer time-out the order ends unassigned and the console must
// be told so. The matcher counts that expectation: without the "unassigned" push the incident is missed.
describe('simulator: unassigned emergency', () => {
  let t: TestPlatform;
  let dir: string;
  let caregiverId: string;
  const lines: string[] = [];
  const quiet = { write: (s: string) => lines.push(s) > 0, isTTY: false } as unknown as NodeJS.WriteStream;

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: `q${Date.now().toString(36)}simu`,
      ANXIN_OFFER_TIMEOUT_EMERGENCY_SECONDS: '2',
      ANXIN_MAINTENANCE_ORDERS: 'false',
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-sim-unassigned-'));
    // A caregiver on duty over the whole tree who never answers its offers.
    const me = await t.api.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    const created = await t.admin.post('/api/v1/users', {
      username: unique('silent'),
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: me.body.user.orgUnitId,
      skills: ['emergency'],
    });
    expect(created.status).toBe(201);
    caregiverId = created.body.id;
  });
  afterAll(async () => {
    if (process.env.SIM_DEBUG) process.stderr.write(lines.join(''));
    fs.rmSync(dir, { recursive: true, force: true });
    await t.stop();
  });

  it('dispatches the SOS, sees it come back unassigned, and counts it matched with nothing false', async () => {
    const options: SimOptions = {
      api: `http://127.0.0.1:${t.platform.httpPort}`,
      mqtt: { host: '127.0.0.1', port: t.platform.mqttPort, tls: false },
      mqttUrl: `mqtt://127.0.0.1:${t.platform.mqttPort}`,
      username: 'admin',
      password: ADMIN_PASSWORD,
      homes: 1,
      durationSeconds: 6,
      scenario: 'unassigned_emergency',
      report: path.join(dir, 'report.json'),
      seed: 21,
      credentials: path.join(dir, 'homes.json'),
      orgUnitId: null,
      rate: 1,
      mix: ['sos_button', 'door_sensor', 'motion_sensor'],
      graceSeconds: 8,
      daySeconds: 120,
      telemetryQos: 1,
      keepaliveSeconds: 30,
      timeZone: 'Asia/Shanghai',
      connectConcurrency: 10,
      provisionConcurrency: 4,
    };
    const report = await runSimulation(options, {
      progress: new Progress(quiet),
      out: (s) => lines.push(s),
      interrupted: new Promise(() => undefined),
    });
    expect(report).toMatchObject({ incidents: 1, alertsMatched: 1, missedAlerts: 0, falseAlerts: 0 });
    expect(report.details.incidents[0]).toMatchObject({ expect: 'sos', orderStatusOk: true, problems: [] });
    expect(exitCodeFor(report)).toBe(0);

    // The simulator really dispatched it, and the silent caregiver's offer really ran out.
    const alertId = report.details.incidents[0]!.alertIds[0]!;
    const alert = (await t.admin.get(`/api/v1/alerts/${alertId}`)).body;
    expect(alert).toMatchObject({ status: 'dispatched', orderStatus: 'unassigned' });
    const orders = (await t.admin.get('/api/v1/orders?status=unassigned')).body as {
      alertId: string;
      timeline: { status: string; note: string | null }[];
    }[];
    const order = orders.find((o) => o.alertId === alertId);
    expect(order?.timeline.map((e) => e.status)).toEqual(expect.arrayContaining(['offered', 'unassigned']));
    expect(caregiverId).toEqual(expect.any(String));
  });
});
