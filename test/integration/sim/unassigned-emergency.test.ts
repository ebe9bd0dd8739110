import { exitCodeFor } from '../../../devices-sim/src/report/report';
import { ADMIN_PASSWORD, startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { SimHarness } from './sim-harness';

// Issue 11 §2 / CONTRACT §3 (v1.1) in the simulator: an SOS the simulator dispatches as its operator, offered
// to a caregiver who never answers; with a 2 s offer time-out the order ends unassigned and the console must
// be told so. The matcher counts that expectation: without the "unassigned" push the incident is missed.
describe('simulator: unassigned emergency', () => {
  let t: TestPlatform;
  let sim: SimHarness;
  let caregiverId: string;

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: `q${Date.now().toString(36)}simu`,
      ANXIN_OFFER_TIMEOUT_EMERGENCY_SECONDS: '2',
      ANXIN_MAINTENANCE_ORDERS: 'false',
    });
    sim = new SimHarness('unassigned');
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
    sim.dispose();
    await t.stop();
  });

  it('dispatches the SOS, sees it come back unassigned, and counts it matched with nothing false', async () => {
    const report = await sim.run(
      sim.options(t, {
        homes: 1,
        durationSeconds: 6,
        scenario: 'unassigned_emergency',
        seed: 21,
        graceSeconds: 8,
      }),
    );
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
