import type { ServiceOrderView } from '@anxin/contract';
import { watchConsole, type ConsoleWatcher } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { createHome, sleep } from '../alerts/alert-harness';
import { DispatchService } from '../../../apps/platform/src/dispatch/dispatch.service';
import { addCaregiver as connectCaregiver, type Caregiver } from './caregiver-harness';
import { localToday, startOfLocalDay } from '@anxin/contract';

describe('dispatch to caregivers', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let other: StationFixture;
  let consoleA: ConsoleWatcher;
  let center: string;
  const caregivers: Caregiver[] = [];

  async function addCaregiver(unitId: string, skills: string[] = []): Promise<Caregiver> {
    const c = await connectCaregiver(t, unitId, skills);
    caregivers.push(c);
    return c;
  }
  const offeredTo = (c: Caregiver, orderId: string, timeoutMs = 5000) =>
    c.waitFor('task:offered', (o) => o.id === orderId, timeoutMs);
  async function sosAlert(station = s, watcher = consoleA): Promise<string> {
    const home = await createHome(station.operator, t.mqttPort, station.communityId, ['sos_button']);
    await home.event('sos_button', 'sos');
    const alert = await watcher.waitFor('alert:raised', (a) => a.residentId === home.residentId);
    home.close();
    return alert.id;
  }

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: unique('q'),
      ANXIN_OFFER_TIMEOUT_EMERGENCY_SECONDS: '2',
      // Non-emergency orders are offered one caregiver at a time; a short time-out lets the tests watch it run out.
      ANXIN_OFFER_TIMEOUT_SECONDS: '2',
      ANXIN_MAINTENANCE_ORDERS: 'false',
      ANXIN_TIMEZONE: 'Asia/Shanghai',
    });
    center = await createCenter(t.admin);
    s = await createStation(t.admin, center);
    other = await createStation(t.admin, center);
    consoleA = await watchConsole(t.api.baseUrl, s.operator.token!);
  });
  afterAll(async () => {
    caregivers.forEach((c) => c.socket.close());
    consoleA.close();
    await t.stop();
  });

  it('offers a dispatched SOS to a caregiver of the station; decline passes it on; accept and progress are followed live', async () => {
    // caregivers of other stations are never candidates
    const outsider = await addCaregiver(other.stationId);
    const first = await addCaregiver(s.stationId);
    const second = await addCaregiver(s.communityId);
    const alertId = await sosAlert();
    const candidates = (await s.operator.get(`/api/v1/alerts/${alertId}/candidates`)).body as {
      userId: string;
      load: number;
    }[];
    expect(candidates.map((c) => c.userId)).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(candidates.map((c) => c.userId)).not.toContain(outsider.id);

    const started = Date.now();
    const dispatched = await s.operator.post(`/api/v1/alerts/${alertId}/dispatch`, {
      kind: 'emergency',
      note: '请尽快上门',
      caregiverId: first.id,
    });
    expect(dispatched.status).toBe(201);
    expect(dispatched.body).toMatchObject({ kind: 'emergency', status: 'offered', alertId, offeredTo: first.id });
    const offer = await offeredTo(first, dispatched.body.id);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(offer.offerExpiresAt).toEqual(expect.any(String));
    expect((await consoleA.waitFor('alert:updated', (a) => a.id === alertId && a.status === 'dispatched')).status).toBe(
      'dispatched',
    );

    const declined = await first.socket.emitWithAck('task:decline', { id: offer.id });
    expect(declined).toMatchObject({ id: offer.id });
    const secondOffer = await offeredTo(second, offer.id);
    expect(secondOffer.offeredTo).toBe(second.id);
    // the one who declined cannot take it back
    expect(await first.socket.emitWithAck('task:accept', { id: offer.id })).toEqual({
      error: expect.any(String),
      statusCode: 404,
    });

    const accepted = await second.socket.emitWithAck('task:accept', { id: offer.id });
    expect(accepted).toMatchObject({
      status: 'accepted',
      assigneeId: second.id,
      resident: { name: expect.any(String) },
    });
    for (const status of ['en_route', 'on_site'] as const) {
      expect(await second.socket.emitWithAck('task:progress', { id: offer.id, status })).toMatchObject({ status });
    }
    const done = await second.api.post(`/api/v1/orders/${offer.id}/progress`, {
      status: 'completed',
      note: '老人安全，已送医',
      outcome: 'real_emergency',
    });
    expect(done.status).toBe(200);
    expect(done.body.timeline.map((e: { status: string }) => e.status)).toEqual([
      'pending',
      'offered',
      'pending',
      'offered',
      'accepted',
      'en_route',
      'on_site',
      'completed',
    ]);
    const resolved = await consoleA.waitFor('alert:updated', (a) => a.id === alertId && a.status === 'resolved');
    expect(resolved).toMatchObject({ outcome: 'real_emergency', note: '老人安全，已送医' });
    const board = (await s.operator.get('/api/v1/orders?status=completed')).body as { id: string }[];
    expect(board.map((o) => o.id)).toContain(offer.id);
    expect((await other.operator.get(`/api/v1/orders/${offer.id}`)).status).toBe(404);
    expect((await outsider.api.get(`/api/v1/orders/${offer.id}`)).status).toBe(404);
  });

  it('pushes the alert once per change: one alert:updated for a dispatch, one for a completion that resolves it', async () => {
    const caregiver = await addCaregiver(s.stationId);
    const alertId = await sosAlert();
    const pushes = (status: string) => consoleA.updated.filter((a) => a.id === alertId && a.status === status);
    const dispatched = await s.operator.post(`/api/v1/alerts/${alertId}/dispatch`, { caregiverId: caregiver.id });
    expect(dispatched.status).toBe(201);
    // The one push carries both the alert's new status and its order's.
    await consoleA.waitFor('alert:updated', (a) => a.id === alertId && a.status === 'dispatched');
    const orderId = dispatched.body.id as string;
    expect(await caregiver.socket.emitWithAck('task:accept', { id: orderId })).toMatchObject({ status: 'accepted' });
    const done = await caregiver.api.post(`/api/v1/orders/${orderId}/progress`, {
      status: 'completed',
      outcome: 'false_alarm',
    });
    expect(done.status).toBe(200);
    await consoleA.waitFor('alert:updated', (a) => a.id === alertId && a.status === 'resolved');
    await sleep(500); // a second push would have come by now
    expect(pushes('dispatched').map((a) => a.orderStatus)).toEqual(['offered', 'accepted']);
    expect(pushes('resolved')).toEqual([expect.objectContaining({ orderStatus: 'completed', outcome: 'false_alarm' })]);
  });

  it('re-offers on time-out and reports unassigned to the console when nobody is left', async () => {
    // The only two bathing-skilled caregivers; a non-emergency order goes to one at a time, and neither answers.
    const bathers = [await addCaregiver(s.stationId, ['bathing']), await addCaregiver(s.stationId, ['bathing'])];
    const home = await createHome(s.operator, t.mqttPort, s.communityId, []);
    const unassigned = new Promise<ServiceOrderView>((resolve) =>
      consoleA.socket.on('order:unassigned', (o) => o.id === order.body.id && resolve(o)),
    );
    const order = await s.operator.post('/api/v1/orders', {
      kind: 'bathing',
      residentId: home.residentId,
      notes: '周二助浴',
    });
    expect(order.body.status).toBe('offered');
    const first = bathers.find((c) => c.id === order.body.offeredTo);
    const second = bathers.find((c) => c !== first)!;
    expect(first).toBeDefined();
    await offeredTo(first!, order.body.id);
    // Its 2 s offer runs out: the order passes to the other, whose offer runs out in turn.
    const reOffer = await offeredTo(second, order.body.id, 10_000);
    expect(reOffer.offeredTo).toBe(second.id);
    expect((await unassigned).id).toBe(order.body.id);
    const final = (await s.operator.get(`/api/v1/orders/${order.body.id}`)).body;
    expect(final.status).toBe('unassigned');
    expect(final.timeline.filter((e: { note: string }) => e.note === 'offer timed out')).toHaveLength(2);
    expect(first!.offers.filter((o) => o.id === order.body.id)).toHaveLength(1);
  });

  it('passes an emergency offer on when it times out', async () => {
    const slow = await addCaregiver(s.stationId);
    const alertId = await sosAlert();
    const order = await s.operator.post(`/api/v1/alerts/${alertId}/dispatch`, { caregiverId: slow.id });
    expect(order.body.offeredTo).toBe(slow.id);
    await sleep(4000);
    const now = (await s.operator.get(`/api/v1/orders/${order.body.id}`)).body;
    expect(now.offeredTo).not.toBe(slow.id);
    expect(now.timeline.some((e: { note: string }) => e.note === 'offer timed out')).toBe(true);
  });

  it('still times out the next caregiver’s offer after a decline', async () => {
    const decliner = await addCaregiver(s.stationId);
    await addCaregiver(s.stationId); // a caregiver who will not answer
    const alertId = await sosAlert();
    const order = await s.operator.post(`/api/v1/alerts/${alertId}/dispatch`, { caregiverId: decliner.id });
    const passed = await decliner.api.post(`/api/v1/orders/${order.body.id}/decline`);
    expect(passed.status).toBe(200);
    const nextOffer = passed.body.offeredTo as string;
    expect(nextOffer).not.toBe(decliner.id);
    await sleep(4000);
    const now = (await s.operator.get(`/api/v1/orders/${order.body.id}`)).body;
    expect(now.offeredTo).not.toBe(nextOffer);
    expect(now.timeline.filter((e: { note: string }) => e.note === 'offer timed out').length).toBeGreaterThanOrEqual(1);
  });

  it('lets exactly one of many parallel accepts win', async () => {
    const racer = await addCaregiver(s.stationId);
    const alertId = await sosAlert();
    const order = await s.operator.post(`/api/v1/alerts/${alertId}/dispatch`, { caregiverId: racer.id });
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => racer.api.post(`/api/v1/orders/${order.body.id}/accept`)),
      ...caregivers.filter((c) => c !== racer).map((c) => c.api.post(`/api/v1/orders/${order.body.id}/accept`)),
    ]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).every((r) => r.status === 409 || r.status === 404)).toBe(true);
  });

  it('generates each occurrence of a recurring plan once, however often the generator runs', async () => {
    const home = await createHome(s.operator, t.mqttPort, s.communityId, []);
    const plan = await s.operator.post('/api/v1/care-plans', {
      residentId: home.residentId,
      kind: 'meal',
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      timeOfDay: '11:30',
      notes: '助餐',
    });
    expect(plan.status).toBe(201);
    expect(
      (
        await s.operator.post('/api/v1/care-plans', {
          residentId: home.residentId,
          kind: 'meal',
          weekdays: [8],
          timeOfDay: '25:00',
        })
      ).status,
    ).toBe(400);
    const dispatch = t.platform.app.get(DispatchService);
    // Tomorrow in the platform's zone: at 09:00 the 11:30 slot is beyond the 2 h lead time, at 10:00 within it.
    const tomorrow = new Date(startOfLocalDay(localToday('Asia/Shanghai'), 'Asia/Shanghai').getTime() + 86_400_000);
    const at = (hours: number) => new Date(tomorrow.getTime() + hours * 3600_000);
    await dispatch.generateRecurringOrders(at(9));
    // Tomorrow's 11:30 order only: the platform's own generator may meanwhile make today's, in real time.
    const mineNow = async () =>
      (
        (await s.operator.get('/api/v1/orders?kind=meal&limit=500')).body as {
          residentId: string;
          scheduledFor: string | null;
          status: string;
        }[]
      ).filter((o) => o.residentId === home.residentId && o.scheduledFor === at(11.5).toISOString());
    expect(await mineNow()).toHaveLength(0); // 2.5 h before its slot: not yet
    expect(await dispatch.generateRecurringOrders(at(10))).toBeGreaterThanOrEqual(1);
    expect(await dispatch.generateRecurringOrders(at(10))).toBe(0);
    const mine = await mineNow();
    expect(mine).toHaveLength(1);
    expect(['offered', 'unassigned']).toContain(mine[0]!.status);
  });

  it('ranks caregivers by current load', async () => {
    // A station of its own, so no other test's caregivers or orders count.
    const station = await createStation(t.admin, center);
    const watcher = await watchConsole(t.api.baseUrl, station.operator.token!);
    const [busy, idle, busiest] = [
      await addCaregiver(station.stationId),
      await addCaregiver(station.stationId),
      await addCaregiver(station.stationId),
    ];
    // Each accepted order is one unit of load: busy holds 1, busiest 2, idle none.
    for (const c of [busy, busiest, busiest]) {
      const alertId = await sosAlert(station, watcher);
      const order = await station.operator.post(`/api/v1/alerts/${alertId}/dispatch`, { caregiverId: c.id });
      expect(order.body.offeredTo).toBe(c.id);
      expect((await c.api.post(`/api/v1/orders/${order.body.id}/accept`)).status).toBe(200);
    }
    const alertId = await sosAlert(station, watcher);
    watcher.close();
    const ranked = (await station.operator.get(`/api/v1/alerts/${alertId}/candidates`)).body as {
      userId: string;
      load: number;
    }[];
    expect(ranked.map((c) => [c.userId, c.load])).toEqual([
      [idle.id, 0],
      [busy.id, 1],
      [busiest.id, 2],
    ]);
  });
});
