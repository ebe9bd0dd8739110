import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { type PrivateRedis, startPrivateRedis } from '../../support/private-redis';
import { until } from '../../support/until';

/** Every key of the machine's Redis matching `pattern`. */
async function keysMatching(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: pattern, count: 1000 })) keys.push(...(batch as string[]));
  return keys;
}

/**
 * CONTRACT §1: ANXIN_QUEUE_PREFIX namespaces every key and channel the
 * deployment uses in Redis, the broker's too, so deployments can share one
 * Redis. Before, the broker's session store used fixed key names and its
 * emitter published on bare MQTT topics: a second deployment saw them all.
 */
describe('broker clustered over Redis: its keys and channels carry ANXIN_QUEUE_PREFIX', () => {
  const prefix = unique('brokerns');
  let t: TestPlatform;
  let s: StationFixture;
  let server: PrivateRedis;
  let redis: Redis;
  let device: MqttClient | null = null;

  beforeAll(async () => {
    server = await startPrivateRedis();
    t = await startTestPlatform({ REDIS_URL: server.url, ANXIN_QUEUE_PREFIX: prefix });
    s = await createStation(t.admin, await createCenter(t.admin), 'mattress');
    redis = new Redis(server.url, { retryStrategy: () => 100 });
    redis.on('error', () => undefined);
  });
  afterAll(async () => {
    device?.end(true);
    redis.disconnect();
    await t.stop();
    await server.stop();
  });

  /** Sends a command through the API and waits for the device to receive it. */
  const commandArrives = async (client: MqttClient) => {
    const received = new Promise<{ commandId: string }>((resolve) =>
      client.once('message', (_topic, payload) => resolve(JSON.parse(payload.toString()))),
    );
    const sent = await s.operator.post(`/api/v1/devices/${s.deviceId}/commands`, { name: 'locate', params: {} });
    expect(sent.status).toBe(201);
    expect((await received).commandId).toBe(sent.body.id);
  };

  it("keeps a device's will and subscription under the prefix, and still delivers its commands", async () => {
    device = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 4, {
      will: { topic: topic(s.deviceId, 'status'), payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
    });
    const client = device;
    await client.subscribeAsync(topic(s.deviceId, 'commands'), { qos: 1 });
    await commandArrives(client);

    // The session store: the device's will and subscription, under the prefix and nowhere else.
    const keys = await keysMatching(redis, `*${s.deviceId}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => !k.startsWith(`${prefix}:`))).toEqual([]);
    // The emitter's channel for the device's commands topic.
    const channels = (await redis.pubsub('CHANNELS', `*${s.deviceId}*`)) as string[];
    expect(channels).toEqual([`${prefix}:mqtt:${topic(s.deviceId, 'commands')}`]);
  });

  it('re-subscribes under the same prefix after Redis comes back: commands still arrive', async () => {
    const client = device!;
    await server.kill();
    await until('health to report Redis down', async () =>
      (await t.api.get('/api/v1/health')).status === 503 ? true : undefined,
    );
    await server.start();
    await until('health to recover', async () =>
      (await t.api.get('/api/v1/health')).status === 200 ? true : undefined,
    );
    // ioredis re-subscribes with the names the server had confirmed (already prefixed): not prefixed twice.
    await until('the commands channel to be subscribed again', async () => {
      const channels = (await redis.pubsub('CHANNELS', `*${s.deviceId}*`).catch(() => [])) as string[];
      return channels.length > 0 ? channels : undefined;
    });
    expect(await redis.pubsub('CHANNELS', `*${s.deviceId}*`)).toEqual([
      `${prefix}:mqtt:${topic(s.deviceId, 'commands')}`,
    ]);
    await commandArrives(client);
  });
});
