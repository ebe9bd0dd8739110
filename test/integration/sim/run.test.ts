import fs from 'node:fs';
import type { SimOptions } from '../../../devices-sim/src/cli/options';
import { loadCredentials } from '../../../devices-sim/src/provisioning/credentials';
import { exitCodeFor } from '../../../devices-sim/src/report/report';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { SimHarness } from './sim-harness';

// The simulator end to end against the real platform: HTTP provisioning, MQTT
// devices on raw sockets, incidents, and alerts matched on /console. Limited to
// event-driven scenarios and their look-alike, which are short and exact.
describe('simulator run against the platform', () => {
  let t: TestPlatform;
  let sim: SimHarness;
  beforeAll(async () => {
    t = await startTestPlatform();
    sim = new SimHarness('run');
  });
  afterAll(async () => {
    sim.dispose();
    await t.stop();
  });

  const options = (over: Partial<SimOptions>): SimOptions => sim.options(t, over);
  const run = (opts: SimOptions) => sim.run(opts);

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
    expect(sim.lines.join('\n')).toContain('resolved 2 alerts left open');
    expect(report).toMatchObject({ incidents: 0, lookalikes: 2, falseAlerts: 0 });
    const profile = await t.admin.get(`/api/v1/residents/${after?.residents[0]?.id}`);
    expect(profile.body.careProfile).toEqual({ conditions: ['lives_alone'] });
  });
});
