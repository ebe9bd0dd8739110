import { Client } from 'pg';
import type { MqttClient } from 'mqtt';
import { type ConsoleWatcher, watchConsole } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, event, nextSeq, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { RawPublisher } from '../../support/raw-publisher';
import { until, within } from '../../support/until';

/** Smaller than what one aedes read of a flooding client holds, so the buffer fills at once. */
const BUFFER_MAX = 5;
/** The smallest ingest line: ≈ 256 of these 2 KiB readings (each weighs its size + 2 KiB). */
const HOLD_MB = 1;
const HOLD_READINGS = Math.floor((HOLD_MB * 1024 * 1024) / (2048 + 2048));
/** Long enough for the MQTT 5 flooder's keep-alive (2 s, so 3 s) to run out if its own backlog counted as silence. */
const LOCKED_MS = 4_500;
const KEEPALIVE_SECONDS = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** What the platform (in this process) holds in memory, buffers included. */
const memoryInUse = () => process.memoryUsage().heapUsed + process.memoryUsage().external;
const MB = 1024 * 1024;

/** A 2 KiB mattress reading: big enough that an unread flood would show in memory at once. */
const reading = (seq: number) => {
  const body = JSON.stringify({ ts: Date.now(), seq, heartRate: 62, respirationRate: 14, inBed: true, movement: 3 });
  return body.slice(0, -1) + ' '.repeat(2048 - body.length) + '}';
};

/**
 * Issue 13: under overload the platform pushes back explicitly instead of
 * growing in-flight work: readings beyond the writer's buffer wait in a line
 * of bounded size, sockets are not read once it is full (counted), QoS 0
 * readings are shed, health still answers, nothing acknowledged is lost — and
 * an event is never stuck behind its own device's unwritten readings.
 */
describe('overload: explicit pushback while telemetry cannot be written', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let locker: Client;
  const publishers: RawPublisher[] = [];
  let qos0Device: MqttClient | null = null;
  let wearable: MqttClient | null = null;
  let center: string;

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_TELEMETRY_BUFFER_MAX: String(BUFFER_MAX),
      ANXIN_TELEMETRY_FLUSH_MS: '1',
      ANXIN_INGEST_HOLD_MB: String(HOLD_MB),
    });
    center = await createCenter(t.admin);
    s = await createStation(t.admin, center, 'mattress');
    locker = new Client({ connectionString: t.database.url });
    await locker.connect();
  });
  afterAll(async () => {
    for (const p of publishers) p.close();
    qos0Device?.end(true);
    wearable?.end(true);
    await locker.end().catch(() => undefined); // a failed test must not leave the table locked
    await t.stop();
  });

  const scrape = async () => (await fetch(`http://127.0.0.1:${t.platform.httpPort}/metrics`)).text();
  const sample = (metrics: string, series: string) => {
    const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };
  const newMattress = async () => {
    const res = await s.operator.post('/api/v1/devices', { type: 'mattress', residentId: s.residentId });
    return { id: res.body.id as string, secret: res.body.secret as string };
  };

  it('exports event-loop delay and the pushback counters on /metrics', async () => {
    const metrics = await scrape();
    for (const stat of ['p50', 'p99', 'max'])
      expect(metrics).toMatch(new RegExp(`^anxin_event_loop_delay_seconds\\{stat="${stat}"\\} [0-9.e-]+$`, 'm'));
    expect(metrics).toMatch(/^# TYPE anxin_ingest_backpressure_waits_total counter$/m);
    expect(metrics).toMatch(/^anxin_telemetry_shed_total 0$/m);
    expect(metrics).toMatch(/^anxin_telemetry_buffer_depth 0$/m);
    expect(metrics).toMatch(/^anxin_ingest_held_readings 0$/m);
    expect(metrics).toMatch(/^# TYPE anxin_mqtt_read_pauses_total counter$/m);
  });

  it("stores an MQTT 5 connection's readings together, not one flush each, and acknowledges them in order", async () => {
    const device = await newMattress();
    const client = await connectDevice(t.mqttPort, device, 5);
    const flushesBefore = sample(await scrape(), 'anxin_telemetry_flush_rows_count');
    const acks: number[] = [];
    const codes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        publishQos1(client, topic(device.id, 'telemetry'), reading(i + 1)).then((code) => {
          acks.push(i + 1);
          return code;
        }),
      ),
    );
    client.end(true);
    expect(new Set(codes)).toEqual(new Set([0]));
    expect(acks).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // Handled one at a time, each reading would wait for a flush of its own.
    expect(sample(await scrape(), 'anxin_telemetry_flush_rows_count') - flushesBefore).toBeLessThan(25);
  });

  it('holds 3.1.1 and MQTT 5 floods at a bounded depth, sheds QoS 0, answers health, and loses nothing acknowledged', async () => {
    const devices = { v4: await newMattress(), v4b: await newMattress(), v5: await newMattress() };
    const v4 = await RawPublisher.connect(t.mqttPort, devices.v4, 4);
    const v4b = await RawPublisher.connect(t.mqttPort, devices.v4b, 4);
    const v5 = await RawPublisher.connect(t.mqttPort, devices.v5, 5, KEEPALIVE_SECONDS);
    publishers.push(v4, v4b, v5);
    qos0Device = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);

    await locker.query('BEGIN');
    await locker.query('LOCK TABLE telemetry IN ACCESS EXCLUSIVE MODE');
    const memoryBefore = memoryInUse();
    const floods = [
      v4.flood(topic(devices.v4.id, 'telemetry'), reading),
      v4b.flood(topic(devices.v4b.id, 'telemetry'), reading),
      v5.flood(topic(devices.v5.id, 'telemetry'), reading),
    ];
    await sleep(1_000);

    // Two 3.1.1 floods (up to 256 unanswered each) overfill the line: their sockets stop being read.
    const duringLock = await scrape();
    const paused =
      sample(duringLock, 'anxin_mqtt_read_pauses_total{reason="hold_full"}') +
      sample(duringLock, 'anxin_mqtt_read_pauses_total{reason="connection"}');
    expect(paused).toBeGreaterThan(0);
    expect(sample(duringLock, 'anxin_telemetry_buffer_depth')).toBeLessThanOrEqual(BUFFER_MAX);
    // The line's bound, plus at most one socket read (64 KiB) per 3.1.1 flooder and the MQTT 5 window (64).
    const heldBound = HOLD_READINGS + 2 * 32 + 64;
    expect(sample(duringLock, 'anxin_ingest_held_readings')).toBeGreaterThan(0);
    expect(sample(duringLock, 'anxin_ingest_held_readings')).toBeLessThanOrEqual(heldBound);

    // The health check does not queue behind the stuck ingest: it answers, and says the database is up.
    const asked = performance.now();
    const health = await t.api.get('/api/v1/health');
    expect({ status: health.status, database: health.body.database }).toEqual({ status: 200, database: 'ok' });
    expect(performance.now() - asked).toBeLessThan(1_000);

    // QoS 0 readings are dropped and counted, not queued, and nothing is held against the device.
    for (let i = 0; i < 10; i++) qos0Device.publish(topic(s.deviceId, 'telemetry'), reading(i + 1), { qos: 0 });
    await until('QoS 0 readings shed', async () =>
      sample(await scrape(), 'anxin_telemetry_shed_total') >= 10 ? true : undefined,
    );

    await sleep(LOCKED_MS - 1_000);
    // A flood the broker kept reading would be in memory by now (tens of MB a second); TCP holds it instead.
    expect((memoryInUse() - memoryBefore) / MB).toBeLessThan(48);
    const late = await scrape();
    expect(sample(late, 'anxin_telemetry_buffer_depth')).toBeLessThanOrEqual(BUFFER_MAX);
    expect(sample(late, 'anxin_ingest_held_readings')).toBeLessThanOrEqual(heldBound);
    for (const p of publishers) p.stop();
    await Promise.all(floods);
    await locker.query('COMMIT');

    await until('every reading sent to be acknowledged (or a connection lost)', async () =>
      publishers.every((p) => p.acked.size === p.sent) || publishers.some((p) => p.closedBy) ? true : undefined,
    );
    // The MQTT 5 session was not ended for "silence" while its own backlog kept the device's packets unread.
    expect([v4.closedBy, v4b.closedBy, v5.closedBy, v5.refused]).toEqual([null, null, null, []]);
    for (const [device, publisher] of [
      [devices.v4, v4],
      [devices.v4b, v4b],
      [devices.v5, v5],
    ] as const) {
      const stored = await locker.query<{ n: number }>(
        'SELECT count(DISTINCT seq)::int AS n FROM telemetry WHERE device_id = $1 AND seq = ANY($2::bigint[])',
        [device.id, [...publisher.acked]],
      );
      expect(stored.rows[0]!.n).toBe(publisher.acked.size);
    }
    const device = await s.operator.get(`/api/v1/devices/${s.deviceId}`);
    expect(device.body.rejectedMessages).toBe(0);

    // An operator can tell a wait in line from a slow commit (issue 13): the batches queued behind the
    // locked one committed quickly, yet stored their readings seconds after receipt.
    const metrics = await scrape();
    const overOneSecond = (histogram: string) =>
      sample(metrics, `${histogram}_count`) - sample(metrics, `${histogram}_bucket{le="1"}`);
    expect(overOneSecond('anxin_telemetry_commit_seconds')).toBeGreaterThanOrEqual(1);
    expect(overOneSecond('anxin_telemetry_stored_seconds')).toBeGreaterThan(
      overOneSecond('anxin_telemetry_commit_seconds'),
    );
  });

  it('stops reading MQTT 5 floods too once the line is full, and loses nothing acknowledged', async () => {
    const devices = await Promise.all(Array.from({ length: 8 }, () => newMattress()));
    const floods: RawPublisher[] = [];
    for (const d of devices) floods.push(await RawPublisher.connect(t.mqttPort, d, 5, KEEPALIVE_SECONDS));
    publishers.push(...floods);
    const pausedBefore = sample(await scrape(), 'anxin_mqtt_read_pauses_total{reason="hold_full"}');
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE telemetry IN ACCESS EXCLUSIVE MODE');
    const running = floods.map((p, i) => p.flood(topic(devices[i]!.id, 'telemetry'), reading));
    await sleep(1_500);
    const duringLock = await scrape();
    // 8 sessions × 64 unanswered would overfill the line; they stop being read instead (counted).
    expect(sample(duringLock, 'anxin_mqtt_read_pauses_total{reason="hold_full"}')).toBeGreaterThan(pausedBefore);
    expect(sample(duringLock, 'anxin_ingest_held_readings')).toBeLessThanOrEqual(HOLD_READINGS + 8 * 32);
    for (const p of floods) p.stop();
    await Promise.all(running);
    await locker.query('COMMIT');
    await until('every reading sent to be acknowledged', async () =>
      floods.every((p) => p.acked.size === p.sent) ? true : undefined,
    );
    // Paused for room is not silence: no session was ended by its keep-alive meanwhile.
    expect(floods.map((p) => p.closedBy)).toEqual(floods.map(() => null));
  });

  it.each([4, 5] as const)(
    "MQTT %i: stores and raises a fall at once though its own device's earlier readings are still unwritten",
    async (protocolVersion) => {
      const worn = await createStation(t.admin, center, 'wearable');
      // A short keep-alive: the device must keep hearing from us while its readings wait.
      wearable = await connectDevice(t.mqttPort, { id: worn.deviceId, secret: worn.deviceSecret }, protocolVersion, {
        keepalive: KEEPALIVE_SECONDS,
      });
      const device = wearable;
      const watcher: ConsoleWatcher = await watchConsole(t.api.baseUrl, t.admin.token!);
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE telemetry IN ACCESS EXCLUSIVE MODE');
      try {
        // Readings in separate TCP reads: before, each read waited for the previous one's commit.
        const readings: { seq: number; acked: boolean; puback: Promise<number> }[] = [];
        for (let i = 0; i < 10; i++) {
          const seq = nextSeq();
          const body = JSON.stringify({ ts: Date.now(), seq, heartRate: 70, steps: 10, battery: 80 });
          const entry = { seq, acked: false, puback: publishQos1(device, topic(worn.deviceId, 'telemetry'), body) };
          void entry.puback.then(() => (entry.acked = true)).catch(() => undefined);
          readings.push(entry);
          await sleep(30);
        }
        const fall = publishQos1(device, topic(worn.deviceId, 'events'), event('fall'));
        const raised = await watcher.waitFor('alert:raised', (a) => a.residentId === worn.residentId, 10_000);
        expect(raised).toMatchObject({ kind: 'fall', status: 'open' });
        // 3.1.1 acknowledges the stored fall at once; MQTT 5 answers in PUBLISH order, after the readings.
        if (protocolVersion === 4) expect(await within('the fall PUBACK', fall, 5_000)).toBe(0);
        // Longer than 1.5 keep-alives: the link stays up while the readings wait.
        await sleep(KEEPALIVE_SECONDS * 1500 + 500);
        expect(device.connected).toBe(true);
        // The lock really held the readings back all along.
        expect(readings.filter((r) => r.acked).map((r) => r.seq)).toEqual([]);
        await locker.query('COMMIT');
        expect(await fall).toBe(0);
        expect(new Set(await Promise.all(readings.map((r) => r.puback)))).toEqual(new Set([0]));
        const stored = await locker.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM telemetry WHERE device_id = $1 AND seq = ANY($2::bigint[])',
          [worn.deviceId, readings.map((r) => r.seq)],
        );
        expect(stored.rows[0]!.n).toBe(readings.length);
      } finally {
        await locker.query('COMMIT').catch(() => undefined);
        watcher.close();
        device.end(true);
      }
    },
  );

  it.each([4, 5] as const)(
    'MQTT %i: an SOS button is read on while the line is full: its cancel resolves the alert before the line clears',
    async (protocolVersion) => {
      const floodDevices = [await newMattress(), await newMattress()];
      const floods = await Promise.all(floodDevices.map((d) => RawPublisher.connect(t.mqttPort, d, 4)));
      publishers.push(...floods);
      const button = await createStation(t.admin, center, 'sos_button');
      const device = await connectDevice(
        t.mqttPort,
        { id: button.deviceId, secret: button.deviceSecret },
        protocolVersion,
      );
      const watcher: ConsoleWatcher = await watchConsole(t.api.baseUrl, t.admin.token!);
      const pausedBefore = sample(await scrape(), 'anxin_mqtt_read_pauses_total{reason="hold_full"}');
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE telemetry IN ACCESS EXCLUSIVE MODE');
      const running = floods.map((p, i) => p.flood(topic(floodDevices[i]!.id, 'telemetry'), reading));
      try {
        await until('the line to be full (readers paused)', async () =>
          sample(await scrape(), 'anxin_mqtt_read_pauses_total{reason="hold_full"}') > pausedBefore ? true : undefined,
        );
        await publishQos1(device, topic(button.deviceId, 'events'), event('sos'));
        const raised = await watcher.waitFor('alert:raised', (a) => a.residentId === button.residentId, 10_000);
        // Before, the press paused the button's connection like a reading: its cancel sat in TCP until the line cleared.
        await within(
          'the cancel PUBACK',
          publishQos1(device, topic(button.deviceId, 'events'), event('sos_cancel')),
          5_000,
        );
        const resolved = await watcher.waitFor(
          'alert:updated',
          (a) => a.id === raised.id && a.status === 'resolved',
          5_000,
        );
        expect(resolved.outcome).toBe('cancelled_by_resident');
        // The line was full throughout: the flood's readings are still unwritten.
        expect(sample(await scrape(), 'anxin_ingest_held_readings')).toBeGreaterThan(0);
      } finally {
        for (const p of floods) p.stop();
        await locker.query('COMMIT').catch(() => undefined);
        await Promise.all(running);
        watcher.close();
        device.end(true);
      }
      await until('the flood to be acknowledged', async () =>
        floods.every((p) => p.acked.size === p.sent) ? true : undefined,
      );
    },
  );
});
