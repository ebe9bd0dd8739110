import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

/**
 * A fixed-offset zone in which it is now 02:xx local: shifts of whole hours around it then hold for the
 * whole test, whatever the hour this runs at, and the platform must read them in its zone, not UTC.
 */
function zoneWhereItIsTwoAm(now = new Date()): string {
  let offset = (((2 - now.getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  // POSIX sign: Etc/GMT-9 is UTC+9.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

function isoWeekday(at: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(at);
  return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(name) + 1;
}

// Issue 16: dispatch offers an order only to caregivers on duty and within their shift at offer time.
describe('caregivers are offered orders only within their shift hours', () => {
  const zone = zoneWhereItIsTwoAm();
  const today = isoWeekday(new Date(), zone);
  const yesterday = today === 1 ? 7 : today - 1;
  let t: TestPlatform;
  let center: string;

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: unique('q'),
      ANXIN_MAINTENANCE_ORDERS: 'false',
      ANXIN_TIMEZONE: zone,
      ANXIN_EMERGENCY_OFFER_STRATEGY: 'broadcast',
    });
    center = await createCenter(t.admin);
  });
  afterAll(async () => {
    await t.stop();
  });

  async function caregiver(
    s: StationFixture,
    shift: { shiftStart: string | null; shiftEnd: string | null; shiftWeekdays?: number[] },
    skills: string[] = [],
    displayName?: string,
  ) {
    const username = unique('cg');
    const res = await s.operator.post('/api/v1/users', {
      username,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: s.stationId,
      skills,
      ...shift,
      ...(displayName ? { displayName } : {}),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ shiftStart: shift.shiftStart, shiftEnd: shift.shiftEnd });
    return { id: res.body.id as string, api: await t.api.login(username, 'caregiver-pass') };
  }

  it('offers a meal order only to the caregiver whose day shift covers now; it goes unassigned, not to the other', async () => {
    const s = await createStation(t.admin, center);
    // Created first, so it would be ranked first (by username) were its shift not checked.
    const lateShift = await caregiver(s, { shiftStart: '08:00', shiftEnd: '17:00' }, ['meal']);
    const earlyShift = await caregiver(s, { shiftStart: '00:00', shiftEnd: '12:00' }, ['meal'], '早班王芳');
    const order = await s.operator.post('/api/v1/orders', { kind: 'meal', residentId: s.residentId });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ status: 'offered', offeredTo: earlyShift.id, offeredToAll: [earlyShift.id] });
    // Stations read the caregiver's name, not its id.
    expect(order.body.offeredToName).toBe('早班王芳');

    // Declined by the one on shift: nobody else is within shift, so the operators are told it is unassigned.
    const declined = await earlyShift.api.post(`/api/v1/orders/${order.body.id}/decline`);
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ status: 'unassigned', offeredTo: null });
    expect(declined.body.timeline).toEqual(
      expect.arrayContaining([expect.objectContaining({ note: 'declined', actorName: '早班王芳' })]),
    );
    expect((await lateShift.api.get(`/api/v1/orders/${order.body.id}`)).status).toBe(404);

    // Its shift cleared (any time), the same caregiver is offered the next order.
    const cleared = await s.operator.patch(`/api/v1/users/${lateShift.id}`, { shiftStart: null, shiftEnd: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ shiftStart: null, shiftEnd: null, shiftWeekdays: [] });
    const next = await s.operator.post('/api/v1/orders', { kind: 'meal', residentId: s.residentId });
    expect(next.body).toMatchObject({ status: 'offered', offeredTo: lateShift.id });
  });

  it('reads a shift crossing midnight as the shift of the day it started', async () => {
    const s = await createStation(t.admin, center);
    // 02:xx now: inside last night's 22:00–06:00 shift, not inside tonight's.
    const startedYesterday = await caregiver(s, { shiftStart: '22:00', shiftEnd: '06:00', shiftWeekdays: [yesterday] });
    const startsTonight = await caregiver(s, { shiftStart: '22:00', shiftEnd: '06:00', shiftWeekdays: [today] });
    const everyNight = await caregiver(s, { shiftStart: '22:00', shiftEnd: '06:00' });
    const evening = await caregiver(s, { shiftStart: '17:00', shiftEnd: '23:00' });
    const order = await s.operator.post('/api/v1/orders', { kind: 'emergency', residentId: s.residentId });
    expect(order.status).toBe(201);
    expect(order.body.status).toBe('offered');
    expect([...order.body.offeredToAll].sort()).toEqual([startedYesterday.id, everyNight.id].sort());
    for (const outside of [startsTonight, evening])
      expect((await outside.api.get(`/api/v1/orders/${order.body.id}`)).status).toBe(404);
  });

  it('leaves an emergency unassigned when every caregiver is off shift (the operators are told, nobody is bypassed)', async () => {
    const s = await createStation(t.admin, center);
    await caregiver(s, { shiftStart: '09:00', shiftEnd: '18:00' });
    const order = await s.operator.post('/api/v1/orders', { kind: 'emergency', residentId: s.residentId });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ status: 'unassigned', offeredTo: null });
  });
});
