import { StartupError } from '../../../apps/platform/src/platform';
import { watchConsole } from '../../support/console-client';
import { createCenter, createStation } from '../../support/fixtures';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { type PrivateRedis, startPrivateRedis } from '../../support/private-redis';
import { until } from '../../support/until';

// CONTRACT §1 (v1.1): a process never exits because Redis went away; /health names it; it recovers by itself.
describe('losing Redis', () => {
  let redis: PrivateRedis;
  let t: TestPlatform;
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);

  beforeAll(async () => {
    // An unhandled 'error' event surfaces here in jest instead of killing the process: count it as a crash.
    process.on('uncaughtException', onCrash);
    redis = await startPrivateRedis();
    t = await startTestPlatform({ REDIS_URL: redis.url, ANXIN_QUEUE_PREFIX: unique('redisloss') });
  });
  afterAll(async () => {
    process.off('uncaughtException', onCrash);
    await t.stop();
    await redis.stop();
  });

  it('survives Redis being killed, reports it on /health, and delivers an SOS to the console after recovery', async () => {
    const s = await createStation(t.admin, await createCenter(t.admin));
    expect((await t.api.get('/api/v1/health')).body).toMatchObject({ status: 'ok', redis: 'ok', database: 'ok' });

    await redis.kill();
    const degraded = await until('health to report Redis down', async () => {
      const res = await t.api.get('/api/v1/health');
      return res.status === 503 ? res : undefined;
    });
    expect(degraded.body).toMatchObject({ status: 'degraded', redis: 'down', database: 'ok' });
    // Long enough for every connection to have failed and retried several times.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(crashes).toEqual([]);

    await redis.start();
    await until('health to recover', async () =>
      (await t.api.get('/api/v1/health')).status === 200 ? true : undefined,
    );

    const console = await watchConsole(t.api.baseUrl, s.operator.token!);
    const device = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 4);
    device.on('error', () => undefined);
    try {
      const seq = Date.now();
      expect(
        await publishQos1(device, topic(s.deviceId, 'events'), JSON.stringify({ type: 'sos', ts: seq, seq })),
      ).toBe(0);
      const raised = await console.waitFor(
        'alert:raised',
        (a) => a.kind === 'sos' && a.residentId === s.residentId,
        15_000,
      );
      expect(raised.status).toBe('open');
    } finally {
      device.end(true);
      console.close();
    }
    expect(crashes).toEqual([]);
  });
});

describe('starting while Redis is down', () => {
  it('fails start-up with one line naming REDIS_URL instead of hanging', async () => {
    const redis = await startPrivateRedis();
    await redis.stop(); // a port where nothing listens
    const started = Date.now();
    const error = await startTestPlatform({ REDIS_URL: redis.url }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(StartupError);
    expect(error!.message).toContain('REDIS_URL');
    expect(error!.message).toContain(`127.0.0.1:${redis.port}`);
    expect(error!.message.split('\n')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
