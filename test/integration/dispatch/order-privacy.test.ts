import { watchConsole } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { sleep } from '../alerts/alert-harness';
import { addCaregiver, type Caregiver } from './caregiver-harness';

const KEY_SAFE = '钥匙盒在门口花盆下，密码 4711';
const ADDRESS = '幸福路 88 号 3 单元 502';

/**
 * Issue 12 item 12: a caregiver who lost an order (declined, timed out, taken by someone else) is told once
 * that it is no longer theirs and then hears nothing more of it: not the other caregiver's notes, not the
 * resident's address or key-safe notes. The assignee and the operators keep receiving its updates.
 */
describe("an order's updates reach only the caregiver it belongs to", () => {
  let t: TestPlatform;
  let center: string;
  let s: StationFixture;
  const sockets: Caregiver[] = [];

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: `q${Date.now().toString(36)}priv`,
      ANXIN_OFFER_TIMEOUT_SECONDS: '2',
      ANXIN_MAINTENANCE_ORDERS: 'false',
    });
    center = await createCenter(t.admin);
  });
  // A fresh station per test, so the only candidates are the test's own caregivers.
  beforeEach(async () => {
    s = await createStation(t.admin, center);
  });
  afterAll(async () => {
    sockets.forEach((c) => c.socket.close());
    await t.stop();
  });

  async function residentWithKeySafe(): Promise<string> {
    const res = await s.operator.post('/api/v1/residents', {
      name: unique('王爷爷'),
      orgUnitId: s.communityId,
      address: ADDRESS,
      careProfile: { responderNotes: KEY_SAFE },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  async function caregiver(): Promise<Caregiver> {
    const c = await addCaregiver(t, s.stationId, ['meal']);
    sockets.push(c);
    return c;
  }
  const mentions = (c: Caregiver, orderId: string) => c.updates.filter((o) => o.id === orderId);
  const leaks = (payload: unknown) => {
    const text = JSON.stringify(payload);
    return [KEY_SAFE, ADDRESS, '客厅', 'resident', 'timeline', 'notes'].filter((secret) => text.includes(secret));
  };

  it('tells a caregiver who declined only that the order is gone, and nothing of the next caregiver’s visit', async () => {
    const first = await caregiver();
    const second = await caregiver();
    const console = await watchConsole(t.api.baseUrl, s.operator.token!);
    try {
      const order = (await s.operator.post('/api/v1/orders', { kind: 'meal', residentId: await residentWithKeySafe() }))
        .body;
      expect(order.status).toBe('offered');
      // Sequential offers for a meal: whoever is asked first declines, the other one takes it.
      const [asked, other] = order.offeredTo === first.id ? [first, second] : [second, first];
      await asked.waitFor('task:offered', (o) => o.id === order.id);
      expect((await asked.api.post(`/api/v1/orders/${order.id}/decline`)).status).toBe(200);
      await other.waitFor('task:offered', (o) => o.id === order.id);
      expect((await other.api.post(`/api/v1/orders/${order.id}/accept`)).status).toBe(200);
      for (const status of ['en_route', 'on_site', 'completed'])
        expect(
          (await other.api.post(`/api/v1/orders/${order.id}/progress`, { status, note: `${status}: 客厅灯坏了` }))
            .status,
        ).toBe(200);

      // The assignee got every step with the resident's details; the operators' view is unchanged.
      const done = await other.waitFor('task:updated', (o) => o.id === order.id && o.status === 'completed');
      expect(JSON.stringify(done)).toContain(KEY_SAFE);
      const listed = (await s.operator.get(`/api/v1/orders/${order.id}`)).body;
      expect(listed.status).toBe('completed');
      expect(JSON.stringify(listed.timeline)).toContain('客厅灯坏了');

      // The caregiver who declined: exactly one bare notice, nothing after it.
      await sleep(500);
      const told = mentions(asked, order.id);
      expect(told).toEqual([
        { id: order.id, kind: 'meal', status: 'offered', withdrawn: true, updatedAt: expect.any(String) },
      ]);
      expect(leaks(told)).toEqual([]);
      expect((await asked.api.get(`/api/v1/orders/${order.id}`)).status).toBe(404);
    } finally {
      console.close();
    }
  });

  it('tells a caregiver whose offer timed out once, without details, and nothing after another accepts', async () => {
    const first = await caregiver();
    const second = await caregiver();
    const order = (await s.operator.post('/api/v1/orders', { kind: 'meal', residentId: await residentWithKeySafe() }))
      .body;
    const [slow, other] = order.offeredTo === first.id ? [first, second] : [second, first];
    // The offer time-out is 2 s: the slow one is passed over and the order goes to the other.
    await other.waitFor('task:offered', (o) => o.id === order.id, 15_000);
    expect((await other.api.post(`/api/v1/orders/${order.id}/accept`)).status).toBe(200);
    expect(
      (await other.api.post(`/api/v1/orders/${order.id}/progress`, { status: 'on_site', note: '客厅有烟味' })).status,
    ).toBe(200);
    await other.waitFor('task:updated', (o) => o.id === order.id && o.status === 'on_site');
    await sleep(500);
    const told = mentions(slow, order.id);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ id: order.id, withdrawn: true });
    expect(leaks(told)).toEqual([]);
    expect((await slow.api.post(`/api/v1/orders/${order.id}/accept`)).status).toBe(404);
  });
});
