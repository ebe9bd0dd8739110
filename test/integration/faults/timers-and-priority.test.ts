import { Client } from 'pg';
import type { AlertView } from '@anxin/contract';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { type PrivateRedis, startPrivateRedis } from '../../support/private-redis';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { until } from '../../support/until';

/** Production mode: Redis (our own, to pause it) and PostgreSQL behind a proxy the test can make refuse connections. */
describe('timers and alerts under faults', () => {
  let proxy: TcpProxy;
  let redis: PrivateRedis;
  let database: TestDatabase;
  let t: TestPlatform;

  beforeAll(async () => {
    proxy = await startTcpProxy(5432);
    redis = await startPrivateRedis();
    database = await createTestDatabase('timers');
    t = await startTestPlatform({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/${database.name}`,
      REDIS_URL: redis.url,
      ANXIN_QUEUE_PREFIX: unique('timers'),
      ANXIN_ESCALATE_CRITICAL_SECONDS: '3',
    });
  });
  afterAll(async () => {
    await proxy.accept();
    // A pause still running would stall the platform's last Redis commands until redis.stop() cuts them.
    await redis.cli('client', 'unpause').catch(() => undefined);
    await t.stop();
    await proxy.close();
    await redis.stop();
    await database.drop();
  });

  async function station(deviceType?: string): Promise<StationFixture> {
    return createStation(t.admin, await createCenter(t.admin), deviceType);
  }

  async function openAlert(s: StationFixture, kind: string): Promise<AlertView | undefined> {
    const res = await s.operator.get('/api/v1/alerts?status=open');
    return (res.body as AlertView[]).find((a) => a.kind === kind && a.residentId === s.residentId);
  }

  async function pressSos(s: StationFixture): Promise<void> {
    const device = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 4);
    device.on('error', () => undefined);
    const seq = Date.now();
    expect(await publishQos1(device, topic(s.deviceId, 'events'), JSON.stringify({ type: 'sos', ts: seq, seq }))).toBe(
      0,
    );
    device.end(true);
  }

  // Before: the wake-up ran during the outage, its 3 retries gave up after ~3 s, and the SOS never escalated.
  it('escalates an SOS whose escalation fell due during a 15 s database refusal, after recovery', async () => {
    const s = await station();
    await pressSos(s);
    const raised = await until('the SOS alert', () => openAlert(s, 'sos'));
    expect(raised.escalationLevel).toBe(0);

    await proxy.refuse(); // the escalation falls due 3 s after the raise, in the middle of this
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    await proxy.accept();

    const escalated = await until('the escalation after recovery', async () => {
      const alert = await openAlert(s, 'sos');
      return alert && alert.escalationLevel >= 1 ? alert : undefined;
    });
    expect(escalated.id).toBe(raised.id);
  });

  it('applies the rules to an SOS ahead of a backlog of bulk events', async () => {
    const sos = await station();
    const bulk = await station('motion_sensor');
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      // One commit: 2,000 motion events, then the SOS (the highest id), all waiting for the rule pass.
      const ids = await client.query<{ id: string; type: string }>(
        `INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, payload)
         SELECT d.id, d.resident_id, r.org_unit_id, v.seq, v.type, now(), jsonb_build_object('type', v.type, 'seq', v.seq)
         FROM (SELECT $1::uuid AS device, g AS seq, 'motion' AS type, g AS ord FROM generate_series(1, 2000) g
               UNION ALL SELECT $2::uuid, 1, 'sos', 2001) v
         JOIN devices d ON d.id = v.device JOIN residents r ON r.id = d.resident_id
         ORDER BY v.ord
         RETURNING id::text, type`,
        [bulk.deviceId, sos.deviceId],
      );
      const sosId = ids.rows.find((row) => row.type === 'sos')!.id;
      expect(ids.rows.every((row) => row.type === 'sos' || BigInt(row.id) < BigInt(sosId))).toBe(true);

      await until('the backlog to be processed', async () => {
        const left = await client.query(`SELECT 1 FROM device_events WHERE processed_at IS NULL LIMIT 1`);
        return left.rowCount === 0 ? true : undefined;
      });
      // processed_at is the rule pass's transaction time: the SOS went in the first pass (200 events a pass),
      // where arrival order would have left it to the last of ten.
      const order = await client.query<{ sos: Date; firstBulk: Date }>(
        `SELECT (SELECT processed_at FROM device_events WHERE id = $1) AS sos,
                (SELECT min(processed_at) FROM device_events WHERE device_id = $2) AS "firstBulk"`,
        [sosId, bulk.deviceId],
      );
      expect(order.rows[0]!.sos.getTime()).toBeLessThanOrEqual(order.rows[0]!.firstBulk.getTime());
      expect(await openAlert(sos, 'sos')).toBeDefined();
    } finally {
      await client.end();
    }
  });

  // Before: the escalation job was added to Redis inside the alert's transaction, so the alert waited for Redis.
  it('raises an SOS while Redis is paused, without waiting for it', async () => {
    const s = await station();
    const device = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 4);
    device.on('error', () => undefined);
    try {
      await redis.pause(15_000);
      const pausedAt = Date.now();
      const seq = Date.now();
      expect(
        await publishQos1(device, topic(s.deviceId, 'events'), JSON.stringify({ type: 'sos', ts: seq, seq })),
      ).toBe(0);
      const raised = await until('the SOS alert', () => openAlert(s, 'sos'), 20_000);
      // Seen through the API while Redis is still paused.
      expect(Date.now() - pausedAt).toBeLessThan(12_000);
      expect(raised.status).toBe('open');
    } finally {
      device.end(true);
    }
  });
});
