import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { closed, connectDevice, event, publishQos1, refusalCode, topic } from '../../support/mqtt-device';
import { within } from '../../support/until';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';

describe('device authentication at the broker', () => {
  let t: TestPlatform;
  let s: StationFixture;
  beforeAll(async () => {
    t = await startTestPlatform();
    s = await createStation(t.admin, await createCenter(t.admin));
  });
  afterAll(() => t.stop());

  const device = () => ({ id: s.deviceId, secret: s.deviceSecret });

  it('accepts the right credentials over MQTT 3.1.1 and 5', async () => {
    for (const version of [4, 5] as const) {
      const client = await connectDevice(t.mqttPort, device(), version);
      expect(await publishQos1(client, topic(s.deviceId, 'events'), event('sos'))).toBe(0);
      client.end();
      await closed(client);
    }
  });

  it.each([
    [4, 5],
    [5, 0x86],
  ] as const)('refuses a wrong secret and an unknown device (protocol %i → code %i)', async (version, code) => {
    expect(await refusalCode(t.mqttPort, { id: s.deviceId, secret: 'wrong' }, version)).toBe(code);
    expect(await refusalCode(t.mqttPort, { id: '00000000-0000-4000-8000-000000000000', secret: 'x' }, version)).toBe(
      code,
    );
    expect(await refusalCode(t.mqttPort, { id: 'not-a-uuid', secret: 'x' }, version)).toBe(code);
  });

  it('refuses a client id that is not the username', async () => {
    const mismatched = connectDevice(t.mqttPort, device(), 5, { clientId: 'someone-else' });
    await expect(mismatched).rejects.toMatchObject({ code: 0x86 });
  });

  it('refuses a disabled device, drops its live connection, and takes it back when re-enabled', async () => {
    const live = await connectDevice(t.mqttPort, device(), 5);
    const wasClosed = closed(live);
    expect((await s.operator.patch(`/api/v1/devices/${s.deviceId}`, { enabled: false })).status).toBe(200);
    await wasClosed;
    expect(await refusalCode(t.mqttPort, device(), 4)).toBe(5);
    expect(await refusalCode(t.mqttPort, device(), 5)).toBe(0x87);
    await s.operator.patch(`/api/v1/devices/${s.deviceId}`, { enabled: true });
    expect(await refusalCode(t.mqttPort, device(), 5)).toBe(0);
  });

  it('stops accepting the old secret the moment it is rotated, although it was cached', async () => {
    expect(await refusalCode(t.mqttPort, device(), 4)).toBe(0); // now cached
    const rotated = await s.operator.post(`/api/v1/devices/${s.deviceId}/rotate-secret`);
    const old = s.deviceSecret;
    s.deviceSecret = rotated.body.secret;
    // NOTIFY reaches the broker asynchronously; it must land well within a second
    await new Promise((r) => setTimeout(r, 300));
    expect(await refusalCode(t.mqttPort, { id: s.deviceId, secret: old }, 4)).toBe(5);
    expect(await refusalCode(t.mqttPort, device(), 5)).toBe(0);
  });

  it.each([4, 5] as const)(
    'MQTT %i: keeps a live session when only its heartbeat changes (no false offline), and ends it for a new secret',
    async (version) => {
      const live = await connectDevice(t.mqttPort, device(), version);
      let closedEarly = false;
      live.once('close', () => (closedEarly = true));
      const patched = await s.operator.patch(`/api/v1/devices/${s.deviceId}`, { heartbeatIntervalSeconds: 30 });
      expect(patched.status).toBe(200);
      // The change notice has landed (a rotation right after it is refused at once, as above) and the session stayed.
      await new Promise((r) => setTimeout(r, 500));
      expect(closedEarly).toBe(false);
      expect(await publishQos1(live, topic(s.deviceId, 'events'), event('low_battery', { battery: 50 }))).toBe(0);
      expect((await s.operator.get(`/api/v1/devices/${s.deviceId}`)).body.online).toBe(true);

      const wasClosed = closed(live);
      const rotated = await s.operator.post(`/api/v1/devices/${s.deviceId}/rotate-secret`);
      s.deviceSecret = rotated.body.secret;
      await within('the session of the rotated secret to end', wasClosed, 5_000);
      await s.operator.patch(`/api/v1/devices/${s.deviceId}`, { heartbeatIntervalSeconds: null });
    },
  );

  it('shows the device online while connected and offline after it leaves', async () => {
    const client = await connectDevice(t.mqttPort, device(), 4);
    await new Promise((r) => setTimeout(r, 200));
    expect((await s.operator.get(`/api/v1/devices/${s.deviceId}`)).body.online).toBe(true);
    client.end();
    await closed(client);
    await new Promise((r) => setTimeout(r, 300));
    const after = (await s.operator.get(`/api/v1/devices/${s.deviceId}`)).body;
    expect(after.online).toBe(false);
    expect(after.lastSeenAt).not.toBeNull();
  });
});
