import { Client } from 'pg';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, refusalCode } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { until } from '../../support/until';

/** Straight to the real server, past the proxy: what another process would do while this one is cut off. */
async function sql(database: TestDatabase, text: string, params: unknown[]): Promise<void> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** The platform reaches its database through a TCP proxy the test can make refuse connections. */
describe('a database outage', () => {
  let proxy: TcpProxy;
  let database: TestDatabase;
  let t: TestPlatform;

  beforeAll(async () => {
    proxy = await startTcpProxy(5432);
    database = await createTestDatabase('dbout');
    t = await startTestPlatform({ DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/${database.name}` });
  });
  afterAll(async () => {
    await proxy.accept();
    await t.stop();
    await proxy.close();
    await database.drop();
  });

  async function station(): Promise<StationFixture> {
    return createStation(t.admin, await createCenter(t.admin));
  }

  // CONTRACT §2: "server unavailable", never "not authorized", so that standard clients keep retrying.
  it('answers CONNECT with server unavailable (3.1.1 code 3, MQTT 5 0x88), counts it, and connects after recovery', async () => {
    const s = await station();
    const credentials = { id: s.deviceId, secret: s.deviceSecret };
    await proxy.refuse();
    try {
      expect(await refusalCode(t.mqttPort, credentials, 4)).toBe(3);
      expect(await refusalCode(t.mqttPort, credentials, 5)).toBe(0x88);
      const metrics = await t.api.get('/metrics');
      const counted = /anxin_connect_refused_total\{reason="server_unavailable"\} (\d+)/.exec(String(metrics.body));
      expect(Number(counted?.[1])).toBeGreaterThanOrEqual(2);
    } finally {
      await proxy.accept();
    }
    const client = await until('the device to connect after recovery', () =>
      connectDevice(t.mqttPort, credentials, 4).catch(() => undefined),
    );
    client.end(true);
  });

  // The change notice sent meanwhile was missed: the listener must come back and the cached credentials go.
  it('re-listens for device changes after losing its connection, so a device disabled meanwhile is refused', async () => {
    const s = await station();
    const credentials = { id: s.deviceId, secret: s.deviceSecret };
    const connected = await connectDevice(t.mqttPort, credentials, 4, { reconnectPeriod: 0 });
    connected.on('error', () => undefined);
    const kicked = new Promise<void>((resolve) => connected.once('close', () => resolve()));

    await proxy.refuse();
    await sql(database, `UPDATE devices SET enabled = false WHERE id = $1`, [s.deviceId]);
    await proxy.accept();

    // The live session of the now-disabled device is closed once the listener is back ...
    await Promise.race([
      kicked,
      new Promise((_, reject) => setTimeout(() => reject(new Error('disabled device still connected')), 20_000)),
    ]);
    // ... and a reconnect is refused as not authorized (3.1.1 code 5).
    expect(
      await until('a refusal', async () => {
        const code = await refusalCode(t.mqttPort, credentials, 4);
        return code === 3 ? undefined : code; // 3 only while the pool reconnects
      }),
    ).toBe(5);
    connected.end(true);
  });
});
