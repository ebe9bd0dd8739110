import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { closed, connectDevice, event, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { until } from '../../support/until';

describe('device topic ACL', () => {
  let t: TestPlatform;
  let a: StationFixture;
  let b: StationFixture;
  beforeAll(async () => {
    t = await startTestPlatform();
    const center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
  });
  afterAll(() => t.stop());

  const rejected = async () => (await a.operator.get(`/api/v1/devices/${a.deviceId}`)).body.rejectedMessages as number;
  /** Refusals are counted after the answer (off the device's path): wait for the count, then check it is exact. */
  const expectRejected = async (count: number) => {
    await until(`${count} rejected messages counted`, async () => ((await rejected()) >= count ? true : undefined));
    expect(await rejected()).toBe(count);
  };

  it('answers PUBACK 0x87 to an MQTT 5 publish outside the device’s own topics, and counts it', async () => {
    const client = await connectDevice(t.mqttPort, { id: a.deviceId, secret: a.deviceSecret }, 5);
    const before = await rejected();
    expect(await publishQos1(client, topic(b.deviceId, 'events'), event('sos'))).toBe(0x87);
    expect(await publishQos1(client, topic(a.deviceId, 'commands'), event('sos'))).toBe(0x87);
    expect(await publishQos1(client, 'anxin/v1/other', event('sos'))).toBe(0x87);
    expect(await publishQos1(client, topic(a.deviceId, 'events'), event('sos'))).toBe(0);
    client.end();
    await expectRejected(before + 3);
    const device = (await a.operator.get(`/api/v1/devices/${a.deviceId}`)).body;
    expect(device.lastRejection.reason).toMatch(/^acl: publish to anxin\/v1\/other/);
  });

  it('refuses MQTT 5 subscriptions to other topics with 0x87 and grants its own commands topic', async () => {
    const client = await connectDevice(t.mqttPort, { id: a.deviceId, secret: a.deviceSecret }, 5);
    const before = await rejected();
    const filters = [topic(b.deviceId, 'commands'), 'anxin/v1/devices/+/commands', topic(a.deviceId, 'commands')];
    // mqtt.js rejects a SUBACK that carries any failure code; the packet is on the error
    const suback = await client.subscribeAsync(filters, { qos: 1 }).then(
      () => null,
      (error: { packet?: { granted: number[] } }) => error.packet,
    );
    expect(suback?.granted).toEqual([0x87, 0x87, 1]);
    client.end();
    await expectRejected(before + 2);
  });

  it('drops and disconnects an MQTT 3.1.1 client that publishes to another device’s topic', async () => {
    const client = await connectDevice(t.mqttPort, { id: a.deviceId, secret: a.deviceSecret }, 4);
    const before = await rejected();
    const gone = closed(client);
    client.publish(topic(b.deviceId, 'events'), event('sos'), { qos: 1 });
    await gone;
    await expectRejected(before + 1);
    // nothing was stored for station B's device
    const events = await t.admin.get(`/api/v1/devices/${b.deviceId}`);
    expect(events.body.lastSeenAt).toBeNull();
  });

  it('disconnects an MQTT 3.1.1 client that subscribes to another device’s commands, and counts it', async () => {
    const before = await rejected();
    // Its own commands topic is granted and the session stays up.
    const own = await connectDevice(t.mqttPort, { id: a.deviceId, secret: a.deviceSecret }, 4);
    expect((await own.subscribeAsync(topic(a.deviceId, 'commands'), { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    expect(own.connected).toBe(true);
    own.end();
    await closed(own);

    const client = await connectDevice(t.mqttPort, { id: a.deviceId, secret: a.deviceSecret }, 4);
    const gone = closed(client).then(() => 'closed');
    client.subscribe(topic(b.deviceId, 'commands'), { qos: 1 });
    const outcome = await Promise.race([gone, new Promise((r) => setTimeout(() => r('still connected'), 5_000))]);
    expect(outcome).toBe('closed');
    await expectRejected(before + 1);
    const device = (await a.operator.get(`/api/v1/devices/${a.deviceId}`)).body;
    expect(device.lastRejection.reason).toMatch(
      new RegExp(`^acl: subscribe to anxin/v1/devices/${b.deviceId}/commands`),
    );
  });
});
