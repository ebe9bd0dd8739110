import type { AlertView } from '@anxin/contract';
import { watchConsole, type ConsoleWatcher } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { createHome, sleep } from '../alerts/alert-harness';
import { addCaregiver, type Caregiver } from './caregiver-harness';

/** Issue 11 §2: an emergency order never dead-ends without the operator and the caregivers being told. */
describe('dispatch that never dead-ends silently', () => {
  let t: TestPlatform;
  let center: string;
  const sockets: Caregiver[] = [];
  const consoles: ConsoleWatcher[] = [];

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: `q${Date.now().toString(36)}dead`,
      ANXIN_OFFER_TIMEOUT_EMERGENCY_SECONDS: '2',
      ANXIN_ARRIVAL_SLA_SECONDS: '2',
      ANXIN_MAINTENANCE_ORDERS: 'false',
      // the default strategy (broadcast) is what these tests exercise
    });
    center = await createCenter(t.admin);
  });
  afterAll(async () => {
    sockets.forEach((c) => c.socket.close());
    consoles.forEach((c) => c.close());
    await t.stop();
  });

  /** A fresh station (so candidates are only this test's caregivers) with a console watching it. */
  async function station(): Promise<{ s: StationFixture; console: ConsoleWatcher }> {
    const s = await createStation(t.admin, center);
    const console = await watchConsole(t.api.baseUrl, s.operator.token!);
    consoles.push(console);
    return { s, console };
  }
  async function caregiver(s: StationFixture, skills: string[]): Promise<Caregiver> {
    const c = await addCaregiver(t, s.stationId, skills);
    sockets.push(c);
    return c;
  }
  async function raise(s: StationFixture, console: ConsoleWatcher, device = 'sos_button', event = 'sos') {
    const home = await createHome(s.operator, t.mqttPort, s.communityId, [device]);
    await home.event(device, event);
    const alert = await console.waitFor('alert:raised', (a) => a.residentId === home.residentId);
    home.close();
    return alert;
  }

  it('pushes the alert again as unassigned when nobody accepts, keeps it open, and tells the caregiver its offer timed out', async () => {
    const { s, console } = await station();
    const only = await caregiver(s, ['emergency']);
    const alert = await raise(s, console);
    const order = (await s.operator.post(`/api/v1/alerts/${alert.id}/dispatch`, {})).body;
    expect(order).toMatchObject({ kind: 'emergency', status: 'offered', offeredToAll: [only.id] });
    await only.waitFor('task:offered', (o) => o.id === order.id);

    // CONTRACT §3 (v1.1): the alert comes back carrying orderStatus "unassigned", not resolved.
    const pushed = await console.waitFor(
      'alert:updated',
      (a) => a.id === alert.id && a.orderStatus === 'unassigned',
      10_000,
    );
    expect(pushed.status).toBe('dispatched');
    expect(pushed.resolvedAt).toBeNull();
    // The caregiver whose offer ran out is told, with only that it is no longer theirs (issue 12 item 12).
    const told = await only.waitFor('task:updated', (o) => o.id === order.id);
    expect(told).toEqual({
      id: order.id,
      kind: 'emergency',
      status: 'unassigned',
      withdrawn: true,
      updatedAt: expect.any(String),
    });
    expect((await s.operator.get(`/api/v1/alerts/${alert.id}`)).body).toMatchObject({
      status: 'dispatched',
      orderStatus: 'unassigned',
    });

    // The operator can act again: a new dispatch offers a new order.
    const again = await s.operator.post(`/api/v1/alerts/${alert.id}/dispatch`, {});
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ status: 'offered', offeredToAll: [only.id] });
    await console.waitFor('alert:updated', (a) => a.id === alert.id && a.orderStatus === 'offered');
  });

  it('offers an emergency to every eligible caregiver at once; the first accept wins and the others are withdrawn', async () => {
    const { s, console } = await station();
    const responders = [
      await caregiver(s, ['emergency']),
      await caregiver(s, ['medical']),
      await caregiver(s, ['emergency', 'meal']),
    ];
    const cook = await caregiver(s, ['meal']);
    const alert = await raise(s, console);
    const order = (await s.operator.post(`/api/v1/alerts/${alert.id}/dispatch`, {})).body;
    expect([...order.offeredToAll].sort()).toEqual(responders.map((c) => c.id).sort());
    // Everyone eligible hears of it at once; the cook is not asked.
    await Promise.all(responders.map((c) => c.waitFor('task:offered', (o) => o.id === order.id, 5000)));
    expect(cook.offers.some((o) => o.id === order.id)).toBe(false);

    const results = await Promise.all(responders.map((c) => c.api.post(`/api/v1/orders/${order.id}/accept`)));
    const winners = results.flatMap((r, i) => (r.status === 200 ? [responders[i]!] : []));
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(2);
    const winner = winners[0]!;
    for (const loser of responders.filter((c) => c !== winner)) {
      const told = await loser.waitFor('task:updated', (o) => o.id === order.id);
      expect(told).toEqual({
        id: order.id,
        kind: 'emergency',
        status: 'accepted',
        withdrawn: true,
        updatedAt: expect.any(String),
      });
      expect((await loser.api.get(`/api/v1/orders/${order.id}`)).status).toBe(404);
    }
    expect(winner.updates.some((o) => o.id === order.id && o.status !== 'accepted')).toBe(false);
    await console.waitFor('alert:updated', (a) => a.id === alert.id && a.orderStatus === 'accepted');
  });

  it('refuses free-text skills and never offers a water leak to a medical-only caregiver', async () => {
    const { s, console } = await station();
    const refused = await t.admin.post('/api/v1/users', {
      username: `gp${Date.now().toString(36)}`,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: s.stationId,
      skills: ['助浴'],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^skills/);
    const gp = await caregiver(s, ['medical']);
    const fixer = await caregiver(s, ['maintenance']);
    const patched = await t.admin.patch(`/api/v1/users/${gp.id}`, { skills: ['medical', 'first aid'] });
    expect(patched.status).toBe(400);
    expect(patched.body.message).toMatch(/^skills/);

    const leak = await raise(s, console, 'water_leak_sensor', 'water_leak');
    const candidates = (await s.operator.get(`/api/v1/alerts/${leak.id}/candidates`)).body as { userId: string }[];
    expect(candidates.map((c) => c.userId)).toEqual([fixer.id]);
    const order = (await s.operator.post(`/api/v1/alerts/${leak.id}/dispatch`, {})).body;
    expect(order.offeredToAll).toEqual([fixer.id]);
    await fixer.waitFor('task:offered', (o) => o.id === order.id);
    await sleep(500);
    expect(gp.offers.some((o) => o.id === order.id)).toBe(false);
    // An SOS is the GP's to serve.
    const sos = await raise(s, console);
    const sosOrder = (await s.operator.post(`/api/v1/alerts/${sos.id}/dispatch`, {})).body;
    expect(sosOrder.offeredToAll).toEqual([gp.id]);
  });

  it("records the caregiver's outcome at completion; without one the alert stays for the operator", async () => {
    const { s, console } = await station();
    const cg = await caregiver(s, ['emergency']);
    const complete = async (alert: AlertView, body: Record<string, unknown>) => {
      const order = (await s.operator.post(`/api/v1/alerts/${alert.id}/dispatch`, {})).body;
      expect(await cg.socket.emitWithAck('task:accept', { id: order.id })).toMatchObject({ status: 'accepted' });
      // an outcome only comes with completion; an unknown one is refused naming the field
      const early = await cg.api.post(`/api/v1/orders/${order.id}/progress`, {
        status: 'on_site',
        outcome: 'false_alarm',
      });
      expect(early.status).toBe(400);
      expect(early.body.message).toMatch(/^outcome/);
      expect(
        await cg.socket.emitWithAck('task:progress', {
          id: order.id,
          status: 'completed',
          outcome: 'nothing' as never,
        }),
      ).toEqual({ error: expect.stringMatching(/^outcome/), statusCode: 400 });
      return cg.api.post(`/api/v1/orders/${order.id}/progress`, { status: 'completed', ...body });
    };

    const smoke = await raise(s, console);
    expect((await complete(smoke, { outcome: 'false_alarm', note: '厨房油烟' })).status).toBe(200);
    const resolved = await console.waitFor('alert:updated', (a) => a.id === smoke.id && a.status === 'resolved');
    expect(resolved).toMatchObject({ outcome: 'false_alarm', note: '厨房油烟' });

    const other = await raise(s, console);
    expect((await complete(other, { note: '已到场处理' })).status).toBe(200);
    const pushed = await console.waitFor('alert:updated', (a) => a.id === other.id && a.orderStatus === 'completed');
    expect(pushed.status).toBe('dispatched');
    await sleep(500);
    const now = (await s.operator.get(`/api/v1/alerts/${other.id}`)).body;
    expect(now).toMatchObject({ status: 'dispatched', outcome: null, orderStatus: 'completed' });
    // the operator resolves it
    const byOperator = await s.operator.post(`/api/v1/alerts/${other.id}/resolve`, { outcome: 'device_fault' });
    expect(byOperator.body).toMatchObject({ status: 'resolved', outcome: 'device_fault' });
  });

  it('flags an accepted emergency that is not on site within the arrival SLA, once', async () => {
    const { s, console } = await station();
    const late = await caregiver(s, ['emergency']);
    const alert = await raise(s, console);
    const order = (await s.operator.post(`/api/v1/alerts/${alert.id}/dispatch`, {})).body;
    await late.api.post(`/api/v1/orders/${order.id}/accept`);
    await late.api.post(`/api/v1/orders/${order.id}/progress`, { status: 'en_route' });
    const flagged = await console.waitFor('alert:updated', (a) => a.id === alert.id && a.arrivalOverdue === true);
    expect(flagged.status).toBe('dispatched');
    await sleep(3000);
    const detail = (await s.operator.get(`/api/v1/alerts/${alert.id}`)).body;
    expect(detail.arrivalOverdue).toBe(true);
    expect(detail.audit.filter((e: { action: string }) => e.action === 'order.arrival_overdue')).toHaveLength(1);
    // once there, the badge goes
    await late.api.post(`/api/v1/orders/${order.id}/progress`, { status: 'on_site' });
    await console.waitFor(
      'alert:updated',
      (a) => a.id === alert.id && a.orderStatus === 'on_site' && !a.arrivalOverdue,
    );

    // one who arrives in time is never flagged
    const quick = await raise(s, console);
    const quickOrder = (await s.operator.post(`/api/v1/alerts/${quick.id}/dispatch`, {})).body;
    await late.api.post(`/api/v1/orders/${quickOrder.id}/accept`);
    await late.api.post(`/api/v1/orders/${quickOrder.id}/progress`, { status: 'on_site' });
    await sleep(3000);
    const quickDetail = (await s.operator.get(`/api/v1/alerts/${quick.id}`)).body;
    expect(quickDetail.arrivalOverdue).toBe(false);
    expect(quickDetail.audit.some((e: { action: string }) => e.action === 'order.arrival_overdue')).toBe(false);
  });
});
