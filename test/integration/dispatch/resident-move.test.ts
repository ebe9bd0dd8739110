import type { MqttClient } from 'mqtt';
import { type ConsoleWatcher, watchConsole } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { sleep } from '../alerts/alert-harness';

const ZONE = { lat: 40.8414, lon: 111.7519, radiusM: 300 };

/**
 * Issue 12 item 3: a resident moved to another org unit takes its open alerts and orders along, and its
 * connected devices raise alerts in the new unit at once, without reconnecting.
 */
describe('a resident moved to another station', () => {
  let t: TestPlatform;
  let a: StationFixture;
  let b: StationFixture;
  let consoleA: ConsoleWatcher;
  let consoleB: ConsoleWatcher;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: `q${Date.now().toString(36)}move`,
      ANXIN_MAINTENANCE_ORDERS: 'false',
    });
    const center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
    consoleA = await watchConsole(t.api.baseUrl, a.operator.token!);
    consoleB = await watchConsole(t.api.baseUrl, b.operator.token!);
  });
  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    consoleA.close();
    consoleB.close();
    await t.stop();
  });

  async function device(residentId: string, type: string, protocolVersion: 4 | 5) {
    const created = await a.operator.post('/api/v1/devices', { type, residentId });
    expect(created.status).toBe(201);
    const client = await connectDevice(
      t.mqttPort,
      { id: created.body.id, secret: created.body.secret },
      protocolVersion,
    );
    clients.push(client);
    let closed = 0;
    client.on('close', () => (closed += 1));
    let seq = 1;
    return {
      closedTimes: () => closed,
      send: (channel: 'events' | 'telemetry', fields: Record<string, unknown>) =>
        publishQos1(client, topic(created.body.id, channel), JSON.stringify({ ts: Date.now(), seq: seq++, ...fields })),
    };
  }

  it('moves open alerts and orders to the new station, and live devices raise there at once', async () => {
    const resident = await a.operator.post('/api/v1/residents', {
      name: unique('搬家奶奶'),
      orgUnitId: a.communityId,
      careProfile: { safeZone: ZONE },
    });
    expect(resident.status).toBe(201);
    const residentId = resident.body.id as string;
    const button = await device(residentId, 'sos_button', 5); // our MQTT 5 front-end
    const wearable = await device(residentId, 'wearable', 4); // aedes, MQTT 3.1.1

    // Before the move: an SOS in station A, dispatched there (nobody can take it: the order is unassigned).
    expect(await button.send('events', { type: 'sos' })).toBe(0);
    const before = await consoleA.waitFor('alert:raised', (x) => x.residentId === residentId && x.kind === 'sos');
    const order = await a.operator.post(`/api/v1/alerts/${before.id}/dispatch`, {});
    expect(order.status).toBe(201);

    const moved = await t.admin.patch(`/api/v1/residents/${residentId}`, { orgUnitId: b.communityId });
    expect(moved.status).toBe(200);

    // The open alert went with the resident: station B's console is told, B lists and acts on it, A no longer can.
    const pushed = await consoleB.waitFor('alert:updated', (x) => x.id === before.id);
    expect(pushed.orgUnitId).toBe(b.communityId);
    const openIds = async (s: StationFixture) =>
      ((await s.operator.get('/api/v1/alerts?status=open,acknowledged,dispatched')).body as { id: string }[]).map(
        (x) => x.id,
      );
    expect(await openIds(b)).toContain(before.id);
    expect(await openIds(a)).not.toContain(before.id);
    expect((await a.operator.get(`/api/v1/alerts/${before.id}`)).status).toBe(404);
    expect((await b.operator.get(`/api/v1/alerts/${before.id}`)).body.orgUnitId).toBe(b.communityId);
    // ... and so did its order.
    const orderIds = async (s: StationFixture) =>
      ((await s.operator.get(`/api/v1/orders`)).body as { id: string }[]).map((o) => o.id);
    expect(await orderIds(b)).toContain(order.body.id);
    expect(await orderIds(a)).not.toContain(order.body.id);
    expect((await a.operator.post(`/api/v1/orders/${order.body.id}/cancel`, { reason: '旧站' })).status).toBe(404);
    expect((await b.operator.post(`/api/v1/orders/${order.body.id}/cancel`, { reason: '新站接手' })).status).toBe(200);
    expect((await a.operator.post(`/api/v1/alerts/${before.id}/resolve`, { outcome: 'false_alarm' })).status).toBe(404);
    expect((await b.operator.post(`/api/v1/alerts/${before.id}/resolve`, { outcome: 'false_alarm' })).status).toBe(200);

    // The devices stayed connected and now raise in station B: an SOS (events) and a position (telemetry).
    expect(await button.send('events', { type: 'sos' })).toBe(0);
    const sos = await consoleB.waitFor(
      'alert:raised',
      (x) => x.residentId === residentId && x.kind === 'sos' && x.id !== before.id,
    );
    expect(sos.orgUnitId).toBe(b.communityId);
    expect(await wearable.send('telemetry', { lat: 40.86, lon: 111.752, battery: 80 })).toBe(0);
    const away = await consoleB.waitFor(
      'alert:raised',
      (x) => x.residentId === residentId && x.kind === 'left_safe_zone',
    );
    expect(away.orgUnitId).toBe(b.communityId);
    await sleep(500);
    expect(consoleA.raised.filter((x) => x.residentId === residentId).map((x) => x.id)).toEqual([before.id]);
    expect(button.closedTimes() + wearable.closedTimes()).toBe(0);
  });
});
