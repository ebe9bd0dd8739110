import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { Client } from 'pg';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, event, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';

const run = promisify(execFile);

describe('broker robustness', () => {
  let t: TestPlatform;
  let s: StationFixture;
  beforeAll(async () => {
    t = await startTestPlatform();
    s = await createStation(t.admin, await createCenter(t.admin), 'wearable');
  });
  afterAll(() => t.stop());

  const rejected = async () => (await s.operator.get(`/api/v1/devices/${s.deviceId}`)).body.rejectedMessages as number;

  it('never crashes and counts every rejection for arbitrary payloads and topics (fast-check)', async () => {
    const client = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
    let expectedRejections = 0;
    const before = await rejected();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.json().map((j) => Buffer.from(j)),
          fc.object().map((o) => Buffer.from(JSON.stringify(o))),
        ),
        fc.constantFrom('events', 'telemetry', 'status', 'elsewhere'),
        async (payload, channel) => {
          const target =
            channel === 'elsewhere' ? `anxin/v1/devices/${s.deviceId}/x/${payload.length}` : topic(s.deviceId, channel);
          const code = await publishQos1(client, target, Buffer.from(payload));
          expect([0, 0x87, 0x99]).toContain(code);
          if (code !== 0) expectedRejections += 1;
        },
      ),
      { numRuns: 150, seed: 20261123 },
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(await rejected()).toBe(before + expectedRejections);
    expect(await publishQos1(client, topic(s.deviceId, 'events'), event('sos'))).toBe(0);
    client.end(true);
    expect((await t.api.get('/api/v1/health')).status).toBe(200);
  });

  it('survives garbage bytes and half packets on the MQTT port', async () => {
    for (const bytes of [
      Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      Buffer.from([0x10, 0x05, 0x00]),
    ]) {
      const socket = net.connect(t.mqttPort, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write(bytes);
      await new Promise((r) => setTimeout(r, 100));
      socket.destroy();
    }
    const client = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 4);
    expect(await publishQos1(client, topic(s.deviceId, 'events'), event('sos'))).toBe(0);
    client.end(true);
  });

  // aedes issue 193: a QoS 0 flood followed by a subscriber disconnecting crashed bare aedes.
  it('survives a QoS 0 flood while a subscribed device with a frozen socket disconnects', async () => {
    const other = await s.operator.post('/api/v1/devices', { type: 'sos_button', residentId: s.residentId });
    const subscriber = await connectDevice(t.mqttPort, { id: other.body.id, secret: other.body.secret }, 4);
    await subscriber.subscribeAsync(topic(other.body.id, 'commands'), { qos: 1 });
    // freeze the subscriber: it stops reading while commands pile up for it
    (subscriber as unknown as { stream: { pause(): void } }).stream.pause();
    for (let i = 0; i < 50; i++)
      await s.operator.post(`/api/v1/devices/${other.body.id}/commands`, {
        name: 'ping',
        params: { pad: 'x'.repeat(2000) },
      });

    const flooder = net.connect(t.mqttPort, '127.0.0.1');
    flooder.on('error', () => undefined); // the broker may reset it mid-flood; only the broker's survival matters
    subscriber.on('error', () => undefined);
    await new Promise((r) => flooder.once('connect', r));
    flooder.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 0,
        clientId: s.deviceId,
        username: s.deviceId,
        password: Buffer.from(s.deviceSecret),
      }),
    );
    const frame = mqttPacket.generate({
      cmd: 'publish',
      topic: topic(s.deviceId, 'telemetry'),
      payload: Buffer.from(JSON.stringify({ ts: Date.now(), seq: 1, battery: 50 })),
      qos: 0,
      retain: false,
      dup: false,
    });
    const burst = Buffer.concat(Array.from({ length: 5000 }, () => frame));
    for (let i = 0; i < 4; i++) flooder.write(burst);
    (subscriber as unknown as { stream: { destroy(): void } }).stream.destroy();
    await new Promise((r) => setTimeout(r, 1500));
    flooder.destroy();
    subscriber.end(true);

    expect((await t.api.get('/api/v1/health')).status).toBe(200);
    const client = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
    expect(await publishQos1(client, topic(s.deviceId, 'events'), event('sos'))).toBe(0);
    client.end(true);
  });

  it('a reconnect storm: 60 devices dialling at once are each authenticated, marked online and sent their own pending commands', async () => {
    const devices: { id: string; secret: string; commandId: string }[] = [];
    for (let i = 0; i < 60; i++) {
      const created = await s.operator.post('/api/v1/devices', { type: 'wearable', residentId: s.residentId });
      const command = await s.operator.post(`/api/v1/devices/${created.body.id}/commands`, {
        name: 'locate',
        params: { n: i },
      });
      devices.push({ id: created.body.id, secret: created.body.secret, commandId: command.body.id });
    }
    // One bad secret in the middle of the storm must be refused without failing its neighbours.
    const badSecret = await connectDevice(t.mqttPort, { id: devices[0]!.id, secret: 'wrong' }, 4).then(
      () => 'connected',
      (error: { code?: number }) => error.code,
    );
    expect(badSecret).toBe(5);
    const clients: MqttClient[] = [];
    try {
      const received = await Promise.all(
        devices.map(async (d, i) => {
          const client = await connectDevice(t.mqttPort, d, i % 2 === 0 ? 4 : 5);
          clients.push(client);
          const message = new Promise<{ topic: string; commandId: string; n: number }>((resolve) =>
            client.once('message', (topicName, payload) => {
              const body = JSON.parse(payload.toString()) as { commandId: string; params: { n: number } };
              resolve({ topic: topicName, commandId: body.commandId, n: body.params.n });
            }),
          );
          await client.subscribeAsync(topic(d.id, 'commands'), { qos: 1 });
          const got = await message;
          return { client, got };
        }),
      );
      received.forEach(({ got }, i) =>
        expect(got).toEqual({ topic: topic(devices[i]!.id, 'commands'), commandId: devices[i]!.commandId, n: i }),
      );
      await new Promise((r) => setTimeout(r, 300));
      const online = await s.operator.get(`/api/v1/devices?residentId=${s.residentId}&online=true&limit=200`);
      const onlineIds = new Set((online.body as { id: string }[]).map((d) => d.id));
      expect(devices.filter((d) => !onlineIds.has(d.id))).toEqual([]);
    } finally {
      for (const client of clients) client.end(true);
    }
  });

  /** One QoS 1 event from the stock Mosquitto client, as the device. */
  const mosquittoPub = (version: 'mqttv311' | 'mqttv5', secret: string, message: string) =>
    run('mosquitto_pub', [
      ...['-V', version, '-h', '127.0.0.1', '-p', String(t.mqttPort)],
      ...['-i', s.deviceId, '-u', s.deviceId, '-P', secret],
      ...['-q', '1', '-t', topic(s.deviceId, 'events'), '-m', message],
    ]);

  it('stores an event published by mosquitto_pub (3.1.1 and 5)', async () => {
    const db = new Client({ connectionString: t.database.url });
    await db.connect();
    try {
      for (const version of ['mqttv311', 'mqttv5'] as const) {
        const seq = Math.floor(Math.random() * 1e9);
        await mosquittoPub(version, s.deviceSecret, JSON.stringify({ type: 'sos', ts: Date.now(), seq }));
        const rows = await db.query('SELECT type FROM device_events WHERE device_id = $1 AND seq = $2', [
          s.deviceId,
          seq,
        ]);
        expect(rows.rows).toEqual([{ type: 'sos' }]);
      }
      const refused = await mosquittoPub('mqttv5', 'wrong', '{}').then(
        () => 0,
        (e: { code: number }) => e.code,
      );
      expect(refused).not.toBe(0);
    } finally {
      await db.end();
    }
  });
});
