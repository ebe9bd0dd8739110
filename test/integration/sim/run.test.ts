import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SimOptions } from '../../../devices-sim/src/cli/options';
import { runSimulation } from '../../../devices-sim/src/cli/run';
import { loadCredentials } from '../../../devices-sim/src/provisioning/credentials';
import { Progress } from '../../../devices-sim/src/report/progress';
import { exitCodeFor } from '../../../devices-sim/src/report/report';
import { ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from '../../support/platform-harness';

// The simulator end to end against the real platform: HTTP provisioning, MQTT
// devices on raw sockets, incidents, and alerts matched on /console. Limited to
// event-driven scenarios and their look-alike, which are short and exact.
describe('simulator run against the platform', () => {
  let t: TestPlatform;
  let dir: string;
  const lines: string[] = [];
  const quiet = { write: (s: string) => lines.push(s) > 0, isTTY: false } as unknown as NodeJS.WriteStream;

  beforeAll(async () => {
    t = await startTestPlatform();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-sim-run-'));
  });
  afterAll(async () => {
    if (process.env.SIM_DEBUG) process.stderr.write(lines.join(''));
    fs.rmSync(dir, { recursive: true, force: true });
    await t.stop();
  });

  const options = (over: Partial<SimOptions>): SimOptions => ({
    api: `http://127.0.0.1:${t.platform.httpPort}`,
    mqtt: { host: '127.0.0.1', port: t.platform.mqttPort, tls: false },
    mqttUrl: `mqtt://127.0.0.1:${t.platform.mqttPort}`,
    username: 'admin',
    password: ADMIN_PASSWORD,
    homes: 2,
    durationSeconds: 8,
    scenario: 'sos',
    report: path.join(dir, 'report.json'),
    seed: 11,
    credentials: path.join(dir, 'homes.json'),
    orgUnitId: null,
    rate: 1,
    mix: ['sos_button', 'door_sensor', 'motion_sensor'],
    graceSeconds: 4,
    daySeconds: 120,
    telemetryQos: 1,
    keepaliveSeconds: 30,
    timeZone: 'Asia/Shanghai',
    connectConcurrency: 10,
    provisionConcurrency: 4,
    ...over,
  });

  const run = (opts: SimOptions) =>
    runSimulation(opts, {
      progress: new Progress(quiet),
      out: (s) => lines.push(s),
      interrupted: new Promise(() => undefined),
    });

  it('raises an SOS alert for every SOS press, and nothing else', async () => {
    const report = await run(options({}));
    expect(report).toMatchObject({ homes: 2, incidents: 2, alertsMatched: 2, missedAlerts: 0, falseAlerts: 0 });
    expect(report.latencyMs.max).toEqual(expect.any(Number));
    expect(report.transport).toMatchObject({ devicesConnected: 6, lost: 0 });
    expect(report.messagesSent).toBeGreaterThan(6 * 8);
    expect(exitCodeFor(report)).toBe(0);
    expect(JSON.parse(fs.readFileSync(options({}).report!, 'utf8'))).toMatchObject({ alertsMatched: 2 });
  });

  it('reuses the saved homes, closes their stale alerts first, and sees a daytime door opening raise nothing', async () => {
    const before = await loadCredentials(options({}).credentials!);
    const report = await run(options({ scenario: 'daytime_door', seed: 12, durationSeconds: 12 }));
    const after = await loadCredentials(options({}).credentials!);
    expect(after?.residents).toEqual(before?.residents);
    expect(after?.armed).toEqual([]);
    expect(lines.join('\n')).toContain('resolved 2 alerts left open');
    expect(report).toMatchObject({ incidents: 0, lookalikes: 2, falseAlerts: 0 });
    const profile = await t.admin.get(`/api/v1/residents/${after?.residents[0]?.id}`);
    expect(profile.body.careProfile).toEqual({ conditions: ['lives_alone'] });
  });
});
