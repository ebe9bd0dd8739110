import { Client } from 'pg';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { closed, connectDevice, event, nextSeq, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import type { MqttClient } from 'mqtt';

describe('device messages: validation and durable storage', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let mattress: { id: string; secret: string };
  let db: Client;
  let client: MqttClient;

  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_TELEMETRY_FLUSH_MS: '100', ANXIN_OFFLINE_SWEEP_SECONDS: '1' });
    s = await createStation(t.admin, await createCenter(t.admin), 'wearable');
    const created = await s.operator.post('/api/v1/devices', { type: 'mattress', residentId: s.residentId });
    mattress = { id: created.body.id, secret: created.body.secret };
    db = new Client({ connectionString: t.database.url });
    await db.connect();
    client = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
  });
  afterAll(async () => {
    client.end(true);
    await db.end();
    await t.stop();
  });

  const eventsTopic = () => topic(s.deviceId, 'events');
  const device = async () => (await s.operator.get(`/api/v1/devices/${s.deviceId}`)).body;

  it('commits an event before its PUBACK', async () => {
    const seq = nextSeq();
    expect(await publishQos1(client, eventsTopic(), JSON.stringify({ type: 'fall', ts: Date.now(), seq }))).toBe(0);
    // no waiting: the row must already be there when the PUBACK arrived
    const rows = await db.query('SELECT type, clock_skewed FROM device_events WHERE device_id = $1 AND seq = $2', [
      s.deviceId,
      seq,
    ]);
    expect(rows.rows).toEqual([{ type: 'fall', clock_skewed: false }]);
  });

  it('stores an event repeated with the same seq once', async () => {
    const payload = event('sos');
    for (let i = 0; i < 3; i++) expect(await publishQos1(client, eventsTopic(), payload)).toBe(0);
    const seq = (JSON.parse(payload) as { seq: number }).seq;
    const rows = await db.query('SELECT count(*)::int AS n FROM device_events WHERE device_id = $1 AND seq = $2', [
      s.deviceId,
      seq,
    ]);
    expect(rows.rows[0].n).toBe(1);
  });

  it.each([4, 5] as const)(
    'stores a telemetry reading redelivered with DUP once (MQTT %s), and keeps new readings after a seq reset',
    async (version) => {
      const bed = await connectDevice(t.mqttPort, mattress, version);
      const since = new Date();
      try {
        const telemetry = topic(mattress.id, 'telemetry');
        const reading = (seq: number, heartRate: number) =>
          JSON.stringify({ ts: Date.now(), seq, heartRate, respirationRate: 14, inBed: true, movement: 5 });
        const seq = nextSeq();
        expect(await publishQos1(bed, telemetry, reading(seq, 71))).toBe(0);
        // The PUBACK was lost: the device sends the same reading again, flagged DUP, and then a new one.
        expect(await publishQos1(bed, telemetry, reading(seq, 71), { dup: true })).toBe(0);
        expect(await publishQos1(bed, telemetry, reading(seq + 1, 72))).toBe(0);
        // Original and retry in one batch: still one row.
        await Promise.all([
          publishQos1(bed, telemetry, reading(seq + 2, 73)),
          publishQos1(bed, telemetry, reading(seq + 2, 73), { dup: true }),
        ]);
        // A rebooted device starts its seq again: not flagged DUP, so stored.
        expect(await publishQos1(bed, telemetry, reading(1, 74))).toBe(0);
        const rows = await db.query(
          `SELECT seq::int, heart_rate::int FROM telemetry WHERE device_id = $1 AND received_at >= $2 ORDER BY received_at`,
          [mattress.id, since],
        );
        expect(rows.rows).toEqual([
          { seq, heart_rate: 71 },
          { seq: seq + 1, heart_rate: 72 },
          { seq: seq + 2, heart_rate: 73 },
          { seq: 1, heart_rate: 74 },
        ]);
      } finally {
        bed.end(true);
      }
    },
  );

  it('records a device clock off by more than a day, keeping the server receive time', async () => {
    const seq = nextSeq();
    const twoDaysAgo = Date.now() - 2 * 86400_000;
    expect(await publishQos1(client, eventsTopic(), JSON.stringify({ type: 'sos', ts: twoDaysAgo, seq }))).toBe(0);
    const row = (
      await db.query('SELECT clock_skewed, received_at FROM device_events WHERE device_id = $1 AND seq = $2', [
        s.deviceId,
        seq,
      ])
    ).rows[0];
    expect(row.clock_skewed).toBe(true);
    expect(Math.abs(new Date(row.received_at).getTime() - Date.now())).toBeLessThan(60_000);
  });

  const breaches: [string, string | Buffer, RegExp][] = [
    ['not JSON', 'not json', /^invalid_json/],
    ['a JSON array', '[1,2]', /^not_an_object/],
    ['a wrong field type', JSON.stringify({ type: 'sos', ts: 'now', seq: 1 }), /^schema_violation: ts/],
    ['a missing seq', JSON.stringify({ type: 'sos', ts: Date.now() }), /^schema_violation: seq/],
    [
      'an unknown field',
      JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1, colour: 'red' }),
      /^schema_violation: colour/,
    ],
    [
      'an event the device type does not send',
      JSON.stringify({ type: 'smoke', ts: Date.now(), seq: 1 }),
      /^event_not_allowed_for_device/,
    ],
    ['an unknown event type', JSON.stringify({ type: 'explode', ts: Date.now(), seq: 1 }), /^schema_violation/],
    [
      'a payload over 16 KiB',
      JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1, pad: 'x'.repeat(16 * 1024) }),
      /^payload_too_large/,
    ],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /^invalid_json/],
  ];

  it.each(breaches)('rejects %s with PUBACK 0x99, counts it and keeps the reason', async (_name, payload, reason) => {
    const before = (await device()).rejectedMessages as number;
    const storedBefore = (
      await db.query('SELECT count(*)::int AS n FROM device_events WHERE device_id = $1', [s.deviceId])
    ).rows[0].n;
    expect(await publishQos1(client, eventsTopic(), payload)).toBe(0x99);
    await new Promise((r) => setTimeout(r, 50));
    const after = await device();
    expect(after.rejectedMessages).toBe(before + 1);
    expect(after.lastRejection.reason).toMatch(reason);
    expect(new Date(after.lastRejection.at).getTime()).toBeGreaterThan(Date.now() - 10_000);
    const storedAfter = (
      await db.query('SELECT count(*)::int AS n FROM device_events WHERE device_id = $1', [s.deviceId])
    ).rows[0].n;
    expect(storedAfter).toBe(storedBefore);
  });

  it('keeps the connection usable after a rejection', async () => {
    expect(await publishQos1(client, eventsTopic(), 'garbage')).toBe(0x99);
    expect(await publishQos1(client, eventsTopic(), event('sos'))).toBe(0);
  });

  it('batches telemetry into rows and keeps the latest reading and battery', async () => {
    const wearable = topic(s.deviceId, 'telemetry');
    for (let i = 0; i < 20; i++) {
      expect(
        await publishQos1(
          client,
          wearable,
          JSON.stringify({ ts: Date.now(), seq: nextSeq(), heartRate: 60 + i, battery: 77 }),
        ),
      ).toBe(0);
    }
    const rows = await db.query(
      'SELECT count(*)::int AS n, max(heart_rate) AS hr FROM telemetry WHERE device_id = $1',
      [s.deviceId],
    );
    expect(rows.rows[0]).toEqual({ n: 20, hr: 79 });
    const latest = await db.query('SELECT payload FROM device_latest WHERE device_id = $1', [s.deviceId]);
    expect(latest.rows[0].payload.heartRate).toBe(79);
    await new Promise((r) => setTimeout(r, 1200)); // activity is written once a second
    expect((await device()).battery).toBe(77);
  });

  it('stores QoS 0 mattress telemetry from an MQTT 3.1.1 client', async () => {
    const m = await connectDevice(t.mqttPort, mattress, 4);
    const since = new Date();
    for (let i = 0; i < 5; i++) {
      m.publish(
        topic(mattress.id, 'telemetry'),
        JSON.stringify({ ts: Date.now(), seq: i + 1, heartRate: 55, respirationRate: 14, inBed: true, movement: 3 }),
        { qos: 0 },
      );
    }
    await new Promise((r) => setTimeout(r, 500));
    const rows = await db.query(
      'SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1 AND in_bed AND received_at >= $2',
      [mattress.id, since],
    );
    expect(rows.rows[0].n).toBe(5);
    m.end();
    await closed(m);
  });

  it('marks a device offline from its will when the connection drops, and online from its retained status', async () => {
    const m = await connectDevice(t.mqttPort, mattress, 4, {
      will: { topic: topic(mattress.id, 'status'), payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
    });
    m.publish(topic(mattress.id, 'status'), '{"online":true}', { qos: 1, retain: true });
    await new Promise((r) => setTimeout(r, 300));
    expect((await s.operator.get(`/api/v1/devices/${mattress.id}`)).body.online).toBe(true);
    (m as unknown as { stream: { destroy(): void } }).stream.destroy(); // abrupt: no DISCONNECT
    await new Promise((r) => setTimeout(r, 500));
    expect((await s.operator.get(`/api/v1/devices/${mattress.id}`)).body.online).toBe(false);
  });

  it('delivers a command at QoS 1 with a commandId and tracks it to acknowledged', async () => {
    const received = new Promise<{ commandId: string; name: string; params: unknown }>((resolve) =>
      client.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
    );
    await client.subscribeAsync(topic(s.deviceId, 'commands'), { qos: 1 });
    const sent = await s.operator.post(`/api/v1/devices/${s.deviceId}/commands`, {
      name: 'locate',
      params: { beep: true },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.status).toBe('pending');
    const command = await received;
    expect(command).toMatchObject({ commandId: sent.body.id, name: 'locate', params: { beep: true } });
    expect(
      await publishQos1(client, eventsTopic(), event('command_ack', { commandId: command.commandId, ok: true })),
    ).toBe(0);
    const list = await s.operator.get(`/api/v1/devices/${s.deviceId}/commands`);
    expect(list.body.find((c: { id: string }) => c.id === sent.body.id).status).toBe('acknowledged');
  });

  /** A door sensor with its own heartbeat, connected over MQTT 5, and what the API says of it. */
  async function doorSensor(heartbeatIntervalSeconds: number) {
    const created = await s.operator.post('/api/v1/devices', {
      type: 'door_sensor',
      residentId: s.residentId,
      heartbeatIntervalSeconds,
    });
    const id = created.body.id as string;
    const client = await connectDevice(t.mqttPort, { id, secret: created.body.secret }, 5);
    return {
      client,
      report: (seq: number) =>
        publishQos1(client, topic(id, 'telemetry'), JSON.stringify({ ts: Date.now(), seq, battery: 90 })),
      online: async () => (await s.operator.get(`/api/v1/devices/${id}`)).body.online as boolean,
      /** Polls until the device's online flag is `wanted` (or 10 s pass) and returns it. */
      waitForOnline: async function (wanted: boolean): Promise<boolean> {
        const deadline = Date.now() + 10_000;
        while ((await this.online()) !== wanted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
        return this.online();
      },
    };
  }

  it('keeps a device that keeps talking online across offline sweeps, even with a short heartbeat', async () => {
    // Last-seen is written to the database only every few seconds per device; it must stay well inside the heartbeat.
    const door = await doorSensor(4);
    try {
      const until = Date.now() + 12_000; // a dozen sweeps (every second here)
      const states: boolean[] = [];
      for (let seq = 1; Date.now() < until; seq++) {
        await door.report(seq);
        if (seq % 4 === 0) states.push(await door.online());
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(states.length).toBeGreaterThan(5);
      expect(states.every((online) => online)).toBe(true);
      const alerts = await s.operator.get('/api/v1/alerts?status=open');
      const offline = (alerts.body as { kind: string; residentId: string }[]).filter(
        (a) => a.kind === 'device_offline' && a.residentId === s.residentId,
      );
      expect(offline).toEqual([]);
    } finally {
      door.client.end(true);
    }
  });

  it('brings a device the sweep took offline back online when it talks again on the same connection', async () => {
    const door = await doorSensor(1);
    try {
      await door.report(1);
      expect(await door.waitForOnline(false)).toBe(false); // silent past 1 s: swept offline, connection still up
      await door.report(2);
      expect(await door.waitForOnline(true)).toBe(true);
    } finally {
      door.client.end(true);
    }
  });

  it('marks a device offline when it stays silent past its heartbeat interval', async () => {
    const door = await doorSensor(2);
    try {
      await door.report(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(await door.online()).toBe(true);
      // connected but silent: the sweep (every second in this file) takes it offline
      expect(await door.waitForOnline(false)).toBe(false);
    } finally {
      door.client.end(true);
    }
  });
});
