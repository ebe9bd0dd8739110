import { ApiClient } from '../../support/api-client';
import { watchConsole } from '../../support/console-client';
import { createCenter, createStation } from '../../support/fixtures';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { spawnPlatform } from '../../support/platform-process';
import { createTestDatabase } from '../../support/test-database';

describe('escalation survives a crash', () => {
  it('keeps escalating an unacknowledged SOS after the platform is killed and restarted', async () => {
    const database = await createTestDatabase('esc');
    const env = { DATABASE_URL: database.url, ANXIN_ADMIN_PASSWORD: 'escalate-admin-pass', ANXIN_ESCALATE_CRITICAL_SECONDS: '3' };
    try {
      const first = await spawnPlatform(env);
      const admin = await new ApiClient(`http://127.0.0.1:${first.httpPort}`).login('admin', 'escalate-admin-pass');
      const s = await createStation(admin, await createCenter(admin));
      const device = await connectDevice(first.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
      device.on('error', () => undefined);
      expect(await publishQos1(device, topic(s.deviceId, 'events'), JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1 }))).toBe(0);
      // killed before the first escalation is due; the delayed job lives in PostgreSQL
      await first.kill9();
      device.end(true);

      const second = await spawnPlatform(env);
      const api = new ApiClient(`http://127.0.0.1:${second.httpPort}`);
      const operator = await api.login('admin', 'escalate-admin-pass');
      const watcher = await watchConsole(api.baseUrl, operator.token!);
      const sos = watcher.snapshot.find((a) => a.kind === 'sos');
      expect(sos).toBeDefined();
      const escalated = await watcher.waitFor('alert:updated', (a) => a.id === sos!.id && a.escalationLevel >= 1, 20_000);
      expect(escalated.status).toBe('open');
      watcher.close();
      expect(await second.stop()).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
