import { type CarePlanOccurrence, type CarePlanView, localToday, startOfLocalDay } from '@anxin/contract';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { DispatchService } from '../../../apps/platform/src/dispatch/dispatch.service';
import { addCaregiver, type Caregiver } from './caregiver-harness';

const ZONE = 'Asia/Shanghai';

interface PlanOrder {
  id: string;
  status: string;
  scheduledFor: string | null;
  offeredTo: string | null;
  cancelReason: string | null;
}

describe('care plans', () => {
  let t: TestPlatform;
  let center: string;
  let s: StationFixture;
  let other: StationFixture;
  const caregivers: Caregiver[] = [];
  // Tomorrow in the platform's zone: its 11:30 is never within the lead time of the real clock, so only
  // the generator runs this test makes (at chosen instants) create orders.
  const tomorrow = new Date(startOfLocalDay(localToday(ZONE), ZONE).getTime() + 86_400_000);
  const at = (hours: number) => new Date(tomorrow.getTime() + hours * 3600_000);
  const tomorrowWeekday =
    ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(
      new Intl.DateTimeFormat('en-US', { timeZone: ZONE, weekday: 'short' }).format(at(12)),
    ) + 1;
  const generate = (hours: number) => t.platform.app.get(DispatchService).generateRecurringOrders(at(hours));

  const ordersOf = async (station: StationFixture, residentId: string): Promise<PlanOrder[]> =>
    (await station.operator.get(`/api/v1/orders?residentId=${residentId}&limit=500`)).body as PlanOrder[];

  async function newResident(station: StationFixture): Promise<string> {
    const res = await station.operator.post('/api/v1/residents', {
      name: unique('王爷爷'),
      orgUnitId: station.communityId,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: unique('q'),
      // Offers must still be open when the plan is paused.
      ANXIN_OFFER_TIMEOUT_SECONDS: '600',
      ANXIN_MAINTENANCE_ORDERS: 'false',
      ANXIN_TIMEZONE: ZONE,
    });
    center = await createCenter(t.admin);
    s = await createStation(t.admin, center);
    other = await createStation(t.admin, center);
  });
  afterAll(async () => {
    caregivers.forEach((c) => c.socket.close());
    await t.stop();
  });

  it('lists, reads, edits and ends a plan within the station only; bad input names the field', async () => {
    const residentId = await newResident(s);
    const created = await s.operator.post('/api/v1/care-plans', {
      residentId,
      kind: 'meal',
      weekdays: [5, 1, 3, 3],
      timeOfDay: '11:30',
      notes: '少盐',
    });
    expect(created.status).toBe(201);
    const plan = created.body as CarePlanView;
    expect(plan).toMatchObject({ residentId, kind: 'meal', weekdays: [1, 3, 5], timeOfDay: '11:30', notes: '少盐' });
    expect(plan.status).toBe('active');

    for (const [body, field] of [
      [{ residentId, kind: 'meal', weekdays: [8], timeOfDay: '11:30' }, 'weekdays.0'],
      [{ residentId, kind: 'emergency', weekdays: [1], timeOfDay: '11:30' }, 'kind'],
      [{ residentId, kind: 'meal', weekdays: [1], timeOfDay: '25:00' }, 'timeOfDay'],
    ] as const) {
      const res = await s.operator.post('/api/v1/care-plans', body);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`^${field}`));
    }
    for (const [body, field] of [
      [{ status: 'ended' }, 'status'],
      [{ weekdays: [] }, 'weekdays'],
      [{ colour: 'red' }, 'colour'],
    ] as const) {
      const res = await s.operator.patch(`/api/v1/care-plans/${plan.id}`, body);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`^${field}`));
    }

    const listed = (await s.operator.get(`/api/v1/care-plans?residentId=${residentId}`)).body as CarePlanView[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: plan.id, residentName: expect.stringContaining('王爷爷'), status: 'active' });
    expect(new Date(listed[0]!.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await s.operator.get(`/api/v1/care-plans?orgUnitId=${s.stationId}`)).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: plan.id })]),
    );

    // Another station's operator sees no such plan, and cannot change it.
    expect((await other.operator.get(`/api/v1/care-plans/${plan.id}`)).status).toBe(404);
    expect((await other.operator.patch(`/api/v1/care-plans/${plan.id}`, { status: 'paused' })).status).toBe(404);
    expect((await other.operator.post(`/api/v1/care-plans/${plan.id}/end`)).status).toBe(404);
    expect(((await other.operator.get('/api/v1/care-plans')).body as CarePlanView[]).map((p) => p.id)).not.toContain(
      plan.id,
    );
    expect(
      (
        await other.operator.post('/api/v1/care-plans', {
          residentId,
          kind: 'meal',
          weekdays: [1],
          timeOfDay: '08:00',
        })
      ).status,
    ).toBe(404);

    const edited = await s.operator.patch(`/api/v1/care-plans/${plan.id}`, {
      kind: 'cleaning',
      weekdays: [2],
      timeOfDay: '09:15',
      notes: null,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ kind: 'cleaning', weekdays: [2], timeOfDay: '09:15', notes: null });
    expect((await s.operator.get(`/api/v1/care-plans/${plan.id}`)).body).toMatchObject({ timeOfDay: '09:15' });

    const ended = await s.operator.post(`/api/v1/care-plans/${plan.id}/end`);
    expect(ended.status).toBe(200);
    expect(ended.body.status).toBe('ended');
    expect(ended.body.endedAt).toEqual(expect.any(String));
    expect((await s.operator.patch(`/api/v1/care-plans/${plan.id}`, { status: 'active' })).status).toBe(409);
    expect((await s.operator.post(`/api/v1/care-plans/${plan.id}/end`)).status).toBe(409);

    const audit = await t.admin.get(`/api/v1/audit-log?subjectId=${plan.id}&limit=50`);
    const actions = (audit.body as { action: string }[]).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['care_plan.create', 'care_plan.update', 'care_plan.end']));
  });

  it('pausing withdraws the offered order of a coming slot and makes none; resuming and moving the time make them again', async () => {
    const station = await createStation(t.admin, center);
    const caregiver = await addCaregiver(t, station.stationId, ['bathing']);
    caregivers.push(caregiver);
    const residentId = await newResident(station);
    const plan = (
      await station.operator.post('/api/v1/care-plans', {
        residentId,
        kind: 'bathing',
        weekdays: [tomorrowWeekday],
        timeOfDay: '11:30',
      })
    ).body as CarePlanView;
    const slot = at(11.5).toISOString();

    expect(await generate(10)).toBeGreaterThanOrEqual(1);
    const [first] = await ordersOf(station, residentId);
    expect(first).toMatchObject({ status: 'offered', offeredTo: caregiver.id, scheduledFor: slot });
    await caregiver.waitFor('task:offered', (o) => o.id === first!.id);

    const paused = await station.operator.patch(`/api/v1/care-plans/${plan.id}`, { status: 'paused' });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    // The caregiver it was offered to is told it is cancelled, and it is no longer among their tasks.
    const notice = await caregiver.waitFor('task:updated', (o) => o.id === first!.id);
    expect(notice.status).toBe('cancelled');
    expect(((await caregiver.api.get('/api/v1/tasks/mine')).body as PlanOrder[]).map((o) => o.id)).not.toContain(
      first!.id,
    );
    expect([404, 409]).toContain((await caregiver.api.post(`/api/v1/orders/${first!.id}/accept`)).status);
    expect(await ordersOf(station, residentId)).toEqual([
      expect.objectContaining({ id: first!.id, status: 'cancelled', cancelReason: expect.any(String) }),
    ]);

    // Paused: the generator makes nothing for it.
    await generate(10);
    await generate(11);
    expect(await ordersOf(station, residentId)).toHaveLength(1);

    // Resumed: the withdrawn slot is offered again.
    expect((await station.operator.patch(`/api/v1/care-plans/${plan.id}`, { status: 'active' })).body.status).toBe(
      'active',
    );
    await generate(10);
    const again = (await ordersOf(station, residentId)).filter((o) => o.status !== 'cancelled');
    expect(again).toEqual([expect.objectContaining({ status: 'offered', scheduledFor: slot })]);
    await caregiver.waitFor('task:offered', (o) => o.id === again[0]!.id);

    // A new time withdraws the old slot's offer; the new slot's order is made when its lead time comes.
    expect((await station.operator.patch(`/api/v1/care-plans/${plan.id}`, { timeOfDay: '11:00' })).status).toBe(200);
    expect((await caregiver.waitFor('task:updated', (o) => o.id === again[0]!.id)).status).toBe('cancelled');
    await generate(9.5);
    const moved = (await ordersOf(station, residentId)).filter((o) => o.status !== 'cancelled');
    expect(moved).toEqual([expect.objectContaining({ status: 'offered', scheduledFor: at(11).toISOString() })]);

    // An accepted visit stays when the plan ends; the week's schedule shows it with its order's status.
    expect((await caregiver.api.post(`/api/v1/orders/${moved[0]!.id}/accept`)).status).toBe(200);
    expect((await station.operator.post(`/api/v1/care-plans/${plan.id}/end`)).status).toBe(200);
    const kept = await ordersOf(station, residentId);
    expect(kept.find((o) => o.id === moved[0]!.id)?.status).toBe('accepted');
    await generate(10.5);
    expect(await ordersOf(station, residentId)).toHaveLength(kept.length);

    const from = startOfLocalDay(localToday(ZONE), ZONE).toISOString();
    const to = at(48).toISOString();
    const schedule = await station.operator.get(`/api/v1/care-plans/schedule?from=${from}&to=${to}`);
    expect(schedule.status).toBe(200);
    expect(schedule.body as CarePlanOccurrence[]).toEqual([
      expect.objectContaining({
        planId: plan.id,
        residentId,
        kind: 'bathing',
        at: at(11).toISOString(),
        planStatus: 'ended',
        orderId: moved[0]!.id,
        orderStatus: 'accepted',
      }),
    ]);
    expect(
      ((await other.operator.get(`/api/v1/care-plans/schedule?from=${from}&to=${to}`)).body as CarePlanOccurrence[])
        .length,
    ).toBe(0);
  });

  it("shows a week's occurrences of active and paused plans in the platform's zone", async () => {
    const residentId = await newResident(s);
    const daily = (
      await s.operator.post('/api/v1/care-plans', {
        residentId,
        kind: 'meal',
        weekdays: [1, 2, 3, 4, 5, 6, 7],
        timeOfDay: '23:45',
      })
    ).body as CarePlanView;
    const paused = (
      await s.operator.post('/api/v1/care-plans', {
        residentId,
        kind: 'cleaning',
        weekdays: [tomorrowWeekday],
        timeOfDay: '08:00',
      })
    ).body as CarePlanView;
    await s.operator.patch(`/api/v1/care-plans/${paused.id}`, { status: 'paused' });
    const from = tomorrow.toISOString();
    const to = at(7 * 24).toISOString();
    const res = await s.operator.get(`/api/v1/care-plans/schedule?from=${from}&to=${to}&orgUnitId=${s.communityId}`);
    expect(res.status).toBe(200);
    const mine = (res.body as CarePlanOccurrence[]).filter((o) => o.residentId === residentId);
    expect(mine.filter((o) => o.planId === daily.id).map((o) => o.at)).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((d) => at(d * 24 + 23.75).toISOString()),
    );
    expect(mine.find((o) => o.planId === paused.id)).toMatchObject({ at: at(8).toISOString(), planStatus: 'paused' });
    expect(mine[0]).toMatchObject({ planId: paused.id }); // sorted by time

    expect((await s.operator.get(`/api/v1/care-plans/schedule?from=${to}&to=${from}`)).status).toBe(400);
    const tooLong = await s.operator.get(`/api/v1/care-plans/schedule?from=${from}&to=${at(40 * 24).toISOString()}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toMatch(/^to/);
    expect((await s.operator.get(`/api/v1/care-plans/schedule?to=${to}`)).body.message).toMatch(/^from/);
  });
});
