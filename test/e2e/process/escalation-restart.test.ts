import { ApiClient } from '../../support/api-client';
import { watchConsole } from '../../support/console-client';
import { createCenter, createStation } from '../../support/fixtures';
import { inspectJobs } from '../../support/job-inspector';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { spawnPlatform } from '../../support/platform-process';
import { createTestDatabase } from '../../support/test-database';

const ESCALATE_SECONDS = 8;

describe('escalation survives a crash', () => {
  it('keeps escalating an unacknowledged SOS after the platform is killed and restarted', async () => {
    const database = await createTestDatabase('esc');
    const env = {
      DATABASE_URL: database.url,
      ANXIN_ADMIN_PASSWORD: 'escalate-admin-pass',
      ANXIN_QUEUE_PREFIX: 'esc',
      ANXIN_ESCALATE_CRITICAL_SECONDS: String(ESCALATE_SECONDS),
    };
    // The delayed jobs live in the platform database (embedded queue backend, schema `jobs`).
    const jobs = inspectJobs({ databaseUrl: database.url }, 'esc');
    try {
      const first = await spawnPlatform(env);
      const admin = await new ApiClient(`http://127.0.0.1:${first.httpPort}`).login('admin', 'escalate-admin-pass');
      const s = await createStation(admin, await createCenter(admin));
      const before = await watchConsole(admin.baseUrl, admin.token!);
      const device = await connectDevice(first.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
      device.on('error', () => undefined);
      const sos = JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1 });
      expect(await publishQos1(device, topic(s.deviceId, 'events'), sos)).toBe(0);
      // The first process raised the alert and queued its first escalation before it dies, so nothing
      // after the restart re-raises it: only the timer that survived the crash can escalate it.
      const raised = await before.waitFor('alert:raised', (a) => a.kind === 'sos');
      const jobId = `escalate:${raised.id}:1`;
      let queued = await jobs.find(jobId);
      for (let i = 0; !queued && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        queued = await jobs.find(jobId);
      }
      expect(queued?.state).toBe('delayed');
      before.close();
      await first.kill9();
      device.end(true);

      const second = await spawnPlatform(env);
      const api = new ApiClient(`http://127.0.0.1:${second.httpPort}`);
      const operator = await api.login('admin', 'escalate-admin-pass');
      const watcher = await watchConsole(api.baseUrl, operator.token!);
      expect(watcher.snapshot.filter((a) => a.kind === 'sos').map((a) => a.id)).toEqual([raised.id]);
      const escalated = await watcher.waitFor(
        'alert:updated',
        (a) => a.id === raised.id && a.escalationLevel >= 1,
        ESCALATE_SECONDS * 1000 + 20_000,
      );
      expect(escalated.status).toBe('open');
      // Due when the killed process said, not re-armed from the restart: the timer itself survived.
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(raised.openedAt) + (ESCALATE_SECONDS - 1) * 1000);
      watcher.close();
      expect(await second.stop()).toBe(0);
    } finally {
      await jobs.close();
      await database.drop();
    }
  });
});
