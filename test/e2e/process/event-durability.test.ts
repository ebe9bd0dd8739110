import { Client } from 'pg';
import { ApiClient } from '../../support/api-client';
import { createCenter, createStation } from '../../support/fixtures';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { spawnPlatform } from '../../support/platform-process';
import { createTestDatabase } from '../../support/test-database';

describe('acknowledged events survive a crash', () => {
  it('keeps every event that got a PUBACK when the platform is killed with SIGKILL right after', async () => {
    const database = await createTestDatabase('crash');
    const env = { DATABASE_URL: database.url, ANXIN_ADMIN_PASSWORD: 'crash-admin-pass' };
    try {
      const first = await spawnPlatform(env);
      const admin = await new ApiClient(`http://127.0.0.1:${first.httpPort}`).login('admin', 'crash-admin-pass');
      const s = await createStation(admin, await createCenter(admin));
      const client = await connectDevice(first.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
      client.on('error', () => undefined);
      const acked: number[] = [];
      const sends = Array.from({ length: 20 }, (_, i) =>
        publishQos1(
          client,
          topic(s.deviceId, 'events'),
          JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1000 + i }),
        ).then(
          (code) => code === 0 && acked.push(1000 + i),
          () => undefined,
        ),
      );
      await Promise.race([sends[0], new Promise((r) => setTimeout(r, 5000))]);
      await first.kill9();
      // unacknowledged publishes never settle once the connection is gone; only the acknowledged ones count
      client.end(true);
      expect(acked.length).toBeGreaterThan(0);

      const second = await spawnPlatform(env);
      const db = new Client({ connectionString: database.url });
      await db.connect();
      const stored = (await db.query('SELECT seq FROM device_events WHERE device_id = $1', [s.deviceId])).rows.map(
        (r) => Number(r.seq),
      );
      await db.end();
      for (const seq of acked) expect(stored).toContain(seq);
      expect(await second.stop()).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
