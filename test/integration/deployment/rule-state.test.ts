import 'reflect-metadata';
import type { AlertView } from '@anxin/contract';
import type { RunningPlatform } from '../../../apps/platform/src/platform';
import { ApiClient } from '../../support/api-client';
import { createCenter, createStation } from '../../support/fixtures';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { ADMIN_PASSWORD, startPlatformOn, unique } from '../../support/platform-harness';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { createHome, sleep } from '../alerts/alert-harness';

const WINDOW_SECONDS = 6;

/**
 * Issue 14: sustained-vitals windows lived in the memory of the process a mattress was connected
 * to, so a mattress that moved to another process (or a restart) started its window again — a
 * bradycardia sustained for the whole window went unreported until a full window after the move.
 */
describe('a sustained-vitals window survives a move to another process', () => {
  let database: TestDatabase;
  const processes: RunningPlatform[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('rulestate');
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', ANXIN_QUEUE_PREFIX: unique('rulestate') };
    for (let i = 0; i < 2; i++) processes.push(await startPlatformOn(database.url, env));
  }, 60_000);
  afterAll(async () => {
    for (const p of processes) await p.stop();
    await database.drop();
  });

  it('raises abnormal_heart_rate once the window has passed across both processes, dated from its start', async () => {
    const [first, second] = processes as [RunningPlatform, RunningPlatform];
    const admin = await new ApiClient(`http://127.0.0.1:${first.httpPort}`).login('admin', ADMIN_PASSWORD);
    const s = await createStation(admin, await createCenter(admin));
    const profile = { rules: { vitalsSustainSeconds: WINDOW_SECONDS } };
    const home = await createHome(s.operator, first.mqttPort, s.communityId, ['mattress'], profile);
    const mattress = home.devices.mattress!;
    const slowHeart = () => ({ heartRate: 35, respirationRate: 14, inBed: true, movement: 1 });

    const startedAt = Date.now();
    for (let i = 0; i < 8; i++) {
      await home.telemetry('mattress', slowHeart());
      await sleep(500);
    }
    // The mattress redials and lands on the other process, two thirds into its window.
    mattress.client.end(true);
    const moved = await connectDevice(second.mqttPort, { id: mattress.id, secret: mattress.secret }, 5);
    for (let i = 0; i < 7; i++) {
      const reading = JSON.stringify({ ts: Date.now(), seq: mattress.seq++, ...slowHeart() });
      expect(await publishQos1(moved, topic(mattress.id, 'telemetry'), reading)).toBe(0);
      await sleep(500);
    }
    await sleep(1_000);

    // 8 s of slow heart in all: past the 6 s window, though only 4 s of it on the second process.
    const alerts = (
      await s.operator.get(`/api/v1/alerts?status=open&kind=abnormal_heart_rate&residentId=${home.residentId}`)
    ).body as AlertView[];
    expect(alerts).toHaveLength(1);
    const since = Date.parse((alerts[0]!.readings as { since: string }).since);
    expect(since).toBeGreaterThanOrEqual(startedAt - 1_000);
    expect(since).toBeLessThan(startedAt + 2_000);
    moved.end(true);
  }, 60_000);
});
