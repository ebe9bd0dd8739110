import type { MqttClient } from 'mqtt';
import type { AlertView } from '@anxin/contract';
import { SupervisionService } from '../../../apps/platform/src/alerts/supervision.service';
import { watchConsole, type ConsoleWatcher } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

/** CONTRACT §3 Supervision (v1.1), issue 11 §1: device supervision that never goes quiet. */
const SWEEP_SECONDS = 5; // the default ANXIN_OFFLINE_SWEEP_SECONDS: the bound is heartbeat + this
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('device supervision', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let console_: ConsoleWatcher;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_QUEUE_PREFIX: unique('q'), ANXIN_MAINTENANCE_ORDERS: 'false' });
    s = await createStation(t.admin, await createCenter(t.admin));
    console_ = await watchConsole(t.api.baseUrl, s.operator.token!);
  });
  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    console_.close();
    await t.stop();
  });

  async function resident(careProfile: Record<string, unknown> = {}): Promise<string> {
    const res = await s.operator.post('/api/v1/residents', {
      name: unique('王爷爷'),
      orgUnitId: s.communityId,
      careProfile,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /** A device of `residentId` connected over MQTT 5, with its own heartbeat. */
  async function device(residentId: string, type: string, heartbeatIntervalSeconds?: number) {
    const created = await s.operator.post('/api/v1/devices', { type, residentId, heartbeatIntervalSeconds });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const client: MqttClient = await connectDevice(t.mqttPort, { id, secret: created.body.secret }, 5);
    clients.push(client);
    let seq = 1;
    return {
      id,
      client,
      telemetry: (fields: Record<string, unknown>) =>
        publishQos1(client, topic(id, 'telemetry'), JSON.stringify({ ts: Date.now(), seq: seq++, ...fields })),
    };
  }

  const offlineOf = (deviceId: string, timeoutMs: number) =>
    console_.waitFor('alert:raised', (a) => a.kind === 'device_offline' && a.deviceId === deviceId, timeoutMs);

  it('raises device_offline within heartbeat + 5 s when a connection dies without DISCONNECT', async () => {
    const heartbeat = 3;
    const residentId = await resident();
    const button = await device(residentId, 'sos_button', heartbeat);
    expect(await button.telemetry({ battery: 80 })).toBe(0);
    const lastHeard = Date.now();
    (button.client as unknown as { stream: { destroy(): void } }).stream.destroy(); // power loss: no DISCONNECT
    const alert = await offlineOf(button.id, (heartbeat + SWEEP_SECONDS) * 1000);
    expect(Date.now() - lastHeard).toBeLessThanOrEqual((heartbeat + SWEEP_SECONDS) * 1000);
    expect(alert).toMatchObject({ residentId, severity: 'low', status: 'open', protectionDegraded: true });

    // CONTRACT-visible protection state: the resident and the alert say which device is down.
    const view = await s.operator.get(`/api/v1/residents/${residentId}`);
    expect(view.body.protectionDegraded).toBe(true);
    expect(view.body.degradedDevices).toEqual([
      expect.objectContaining({ deviceId: button.id, type: 'sos_button', reason: 'offline' }),
    ]);
    const listed = await s.operator.get(`/api/v1/alerts?status=open&residentId=${residentId}`);
    expect(listed.body).toEqual([expect.objectContaining({ kind: 'device_offline', protectionDegraded: true })]);
    const other = await s.operator.get(`/api/v1/residents/${s.residentId}`);
    expect(other.body.protectionDegraded).toBe(false);
  });

  it('raises device_offline for a live connection that stopped talking, and resolves it (audited) when heard again', async () => {
    const residentId = await resident();
    const button = await device(residentId, 'sos_button', 2);
    await button.telemetry({ battery: 80 });
    const alert = await offlineOf(button.id, (2 + SWEEP_SECONDS) * 1000);
    expect(button.client.connected).toBe(true); // the connection is up: only silence gave it away

    // Heard from again, and talking from now on.
    // Readings still waiting for their PUBACK are awaited before the hang-up (end(true) would reject them).
    const sending = new Set<Promise<unknown>>();
    const talking = setInterval(() => {
      const reading = button.telemetry({ battery: 79 });
      sending.add(reading);
      void reading.finally(() => sending.delete(reading));
    }, 500);
    try {
      const resolved = await console_.waitFor(
        'alert:updated',
        (a) => a.id === alert.id && a.status === 'resolved',
        SWEEP_SECONDS * 1000 + 5000,
      );
      expect(resolved.outcome).toBe('auto_resolved');
      const audit = await t.admin.get(`/api/v1/audit-log?action=alert.resolve&subjectId=${alert.id}`);
      expect(audit.body).toEqual([
        expect.objectContaining({
          action: 'alert.resolve',
          detail: expect.objectContaining({ outcome: 'auto_resolved' }),
        }),
      ]);
      expect((await s.operator.get(`/api/v1/residents/${residentId}`)).body.protectionDegraded).toBe(false);
    } finally {
      clearInterval(talking);
    }
    await Promise.all(sending);
    button.client.end(true);
  });

  it('keeps a second offline device of the same resident as its own alert', async () => {
    const residentId = await resident();
    const button = await device(residentId, 'sos_button', 2);
    const smoke = await device(residentId, 'smoke_detector', 2);
    await Promise.all([button.telemetry({ battery: 80 }), smoke.telemetry({ battery: 80 })]);
    button.client.end(true);
    smoke.client.end(true);
    const [a, b] = await Promise.all([offlineOf(button.id, 10_000), offlineOf(smoke.id, 10_000)]);
    expect(a.id).not.toBe(b.id);
    const open = await s.operator.get(`/api/v1/alerts?status=open&residentId=${residentId}&kind=device_offline`);
    expect(open.body.map((x: AlertView) => [x.deviceId, x.occurrences]).sort()).toEqual(
      [
        [button.id, 1],
        [smoke.id, 1],
      ].sort(),
    );
  });

  it("raises an alert for every device of a street's power cut, and resolves every one when power returns", async () => {
    // Twelve homes on one feeder: their devices fall silent together, then come back together.
    const homes = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const residentId = await resident();
        const created = await s.operator.post('/api/v1/devices', {
          type: 'sos_button',
          residentId,
          heartbeatIntervalSeconds: 2,
        });
        expect(created.status).toBe(201);
        return { residentId, id: created.body.id as string, secret: created.body.secret as string };
      }),
    );
    const ids = new Set(homes.map((h) => h.id));
    const connectAll = () =>
      Promise.all(homes.map((h) => connectDevice(t.mqttPort, { id: h.id, secret: h.secret }, 5)));
    let buttons = await connectAll();
    clients.push(...buttons);
    let seq = 1;
    const talk = (all: MqttClient[]) =>
      Promise.all(
        all.map((b, i) =>
          publishQos1(b, topic(homes[i]!.id, 'telemetry'), JSON.stringify({ ts: Date.now(), seq: seq++, battery: 80 })),
        ),
      );
    await talk(buttons);
    for (const b of buttons) (b as unknown as { stream: { destroy(): void } }).stream.destroy(); // the power cut

    const raised = new Map<string, AlertView>();
    const deadline = Date.now() + (2 + SWEEP_SECONDS) * 1000 + 10_000;
    while (raised.size < ids.size && Date.now() < deadline) {
      for (const a of console_.raised)
        if (a.kind === 'device_offline' && ids.has(a.deviceId!)) raised.set(a.deviceId!, a);
      await sleep(200);
    }
    expect([...raised.keys()].sort()).toEqual([...ids].sort());
    for (const h of homes) expect(raised.get(h.id)).toMatchObject({ residentId: h.residentId, status: 'open' });

    // Power returns: every device talks again, and every alert is resolved and audited.
    buttons = await connectAll();
    clients.push(...buttons);
    const talking = setInterval(() => void talk(buttons).catch(() => undefined), 500);
    try {
      const resolved = await Promise.all(
        [...raised.values()].map((alert) =>
          console_.waitFor(
            'alert:updated',
            (a) => a.id === alert.id && a.status === 'resolved',
            SWEEP_SECONDS * 1000 + 10_000,
          ),
        ),
      );
      expect(resolved.map((a) => a.outcome)).toEqual(resolved.map(() => 'auto_resolved'));
      for (const alert of raised.values()) {
        const audit = await t.admin.get(`/api/v1/audit-log?action=alert.resolve&subjectId=${alert.id}`);
        expect(audit.body).toHaveLength(1);
      }
    } finally {
      clearInterval(talking);
    }
    await sleep(600); // the last readings' PUBACKs
    for (const b of buttons) b.end(true);
  });

  it('raises each silence once even when several sweeps run at the same moment', async () => {
    const residentId = await resident();
    const door = await device(residentId, 'door_sensor', 1);
    await door.telemetry({ battery: 80 });
    door.client.end(true);
    await sleep(1500);
    const supervision = t.platform.app.get(SupervisionService);
    await Promise.all([supervision.sweep(), supervision.sweep(), supervision.sweep(), supervision.sweep()]);
    await sleep(500);
    const open = await s.operator.get(`/api/v1/alerts?status=open&residentId=${residentId}`);
    expect(open.body).toEqual([expect.objectContaining({ kind: 'device_offline', deviceId: door.id, occurrences: 1 })]);
    expect(console_.raised.filter((a) => a.deviceId === door.id)).toHaveLength(1);
  });

  it('raises reading_missing for a mattress in bed without vitals, and resolves it when they return', async () => {
    const residentId = await resident({ rules: { readingMissingSeconds: 2 } });
    const mattress = await device(residentId, 'mattress');
    const stale = { inBed: true, heartRate: null, respirationRate: null, movement: 10 };
    const raised = console_.waitFor(
      'alert:raised',
      (a) => a.kind === 'reading_missing' && a.deviceId === mattress.id,
      2000 + SWEEP_SECONDS * 1000 + 5000,
    );
    let alert: AlertView | null = null;
    void raised.then((a) => (alert = a)).catch(() => undefined);
    for (let i = 0; i < 30 && !alert; i++) {
      expect(await mattress.telemetry(stale)).toBe(0);
      await sleep(500);
    }
    const missing = await raised;
    expect(missing).toMatchObject({ residentId, status: 'open', protectionDegraded: true });
    const view = await s.operator.get(`/api/v1/residents/${residentId}`);
    expect(view.body.degradedDevices).toEqual([
      expect.objectContaining({ deviceId: mattress.id, type: 'mattress', reason: 'reading_missing' }),
    ]);

    await mattress.telemetry({ inBed: true, heartRate: 64, respirationRate: 15, movement: 10 });
    const resolved = await console_.waitFor(
      'alert:updated',
      (a) => a.id === missing.id && a.status === 'resolved',
      SWEEP_SECONDS * 1000 + 5000,
    );
    expect(resolved.outcome).toBe('auto_resolved');
    expect((await s.operator.get(`/api/v1/residents/${residentId}`)).body.protectionDegraded).toBe(false);
    mattress.client.end(true);
  });

  it('does not raise reading_missing for a mattress whose resident is out of bed', async () => {
    const residentId = await resident({ rules: { readingMissingSeconds: 1 } });
    const mattress = await device(residentId, 'mattress');
    for (let i = 0; i < 6; i++) {
      await mattress.telemetry({ inBed: false, heartRate: null, respirationRate: null, movement: 0 });
      await sleep(500);
    }
    await t.platform.app.get(SupervisionService).sweep();
    expect(console_.raised.filter((a) => a.residentId === residentId)).toEqual([]);
    mattress.client.end(true);
  });
});
