import 'reflect-metadata';
import type { ServiceOrderView } from '@anxin/contract';
import type { RunningPlatform } from '../../../apps/platform/src/platform';
import { ApiClient } from '../../support/api-client';
import { createCenter, createStation } from '../../support/fixtures';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { ADMIN_PASSWORD, startPlatformOn, unique } from '../../support/platform-harness';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

const AFTER_SECONDS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 11 §1 (JGJ/T 484 §10.3 practice): a device fault still open after
 * ANXIN_MAINTENANCE_AFTER_SECONDS opens one maintenance order — not at once,
 * not twice, and not lost when the platform restarts before it falls due.
 */
describe('maintenance orders for lasting device faults', () => {
  let database: TestDatabase;
  const running: RunningPlatform[] = [];
  let queuePrefix: string;

  const start = async () => {
    // Two processes on one database need Redis (issue 14: refused without it).
    const platform = await startPlatformOn(database.url, {
      REDIS_URL: 'redis://127.0.0.1:6379',
      ANXIN_QUEUE_PREFIX: queuePrefix,
      ANXIN_MAINTENANCE_AFTER_SECONDS: String(AFTER_SECONDS),
    });
    running.push(platform);
    return platform;
  };
  const stop = async (platform: RunningPlatform) => {
    running.splice(running.indexOf(platform), 1);
    await platform.stop();
  };

  beforeAll(async () => {
    database = await createTestDatabase('maint');
    queuePrefix = unique('q');
  });
  afterAll(async () => {
    for (const p of [...running]) await stop(p);
    await database.drop();
  });

  it('opens one maintenance order once the fault has lasted the delay, across a restart and two processes', async () => {
    const first = await start();
    const admin = await new ApiClient(`http://127.0.0.1:${first.httpPort}`).login('admin', ADMIN_PASSWORD);
    const s = await createStation(admin, await createCenter(admin));
    const created = await s.operator.post('/api/v1/devices', {
      type: 'sos_button',
      residentId: s.residentId,
      heartbeatIntervalSeconds: 1,
    });
    const button = await connectDevice(first.mqttPort, { id: created.body.id, secret: created.body.secret }, 5);
    await publishQos1(
      button,
      topic(created.body.id, 'telemetry'),
      JSON.stringify({ ts: Date.now(), seq: 1, battery: 70 }),
    );
    button.end(true);

    let alertId: string | undefined;
    for (let i = 0; i < 40 && !alertId; i++) {
      await sleep(250);
      const open = await s.operator.get(`/api/v1/alerts?status=open&kind=device_offline&residentId=${s.residentId}`);
      alertId = open.body[0]?.id;
    }
    expect(alertId).toBeDefined();
    const ordersOfAlert = async (api: ApiClient) => {
      const res = await api.get('/api/v1/orders?kind=maintenance&pageSize=100');
      expect(res.status).toBe(200);
      return (res.body as ServiceOrderView[]).filter((o) => o.alertId === alertId);
    };
    await sleep(1000);
    expect(await ordersOfAlert(s.operator)).toEqual([]); // not at once: the fault may clear by itself

    // The platform goes away before the order falls due, and two processes come back.
    await stop(first);
    await sleep(AFTER_SECONDS * 1000);
    const [second] = await Promise.all([start(), start()]);
    const again = await new ApiClient(`http://127.0.0.1:${second.httpPort}`).login('admin', ADMIN_PASSWORD);
    let orders: ServiceOrderView[] = [];
    for (let i = 0; i < 60 && orders.length === 0; i++) {
      await sleep(250);
      orders = await ordersOfAlert(again);
    }
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ kind: 'maintenance', residentId: s.residentId, alertId });
    await sleep(6000); // several more sweeps of both processes
    expect(await ordersOfAlert(again)).toHaveLength(1);
  });
});
