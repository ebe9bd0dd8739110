import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';

describe('device registry', () => {
  let t: TestPlatform;
  let s: StationFixture;
  beforeAll(async () => {
    t = await startTestPlatform();
    s = await createStation(t.admin, await createCenter(t.admin));
  });
  afterAll(() => t.stop());

  it('issues a random secret of at least 128 bits once and stores only a keyed hash', async () => {
    const res = await s.operator.post('/api/v1/devices', {
      type: 'wearable',
      residentId: s.residentId,
      serial: 'W-0001',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'wearable', residentId: s.residentId, online: false, rejectedMessages: 0 });
    const secret = res.body.secret as string;
    expect(Buffer.from(secret, 'base64url').length).toBeGreaterThanOrEqual(16);
    const fetched = await s.operator.get(`/api/v1/devices/${res.body.id}`);
    expect(fetched.body).toMatchObject({ id: res.body.id, online: false, lastSeenAt: null, rejectedMessages: 0 });
    expect(JSON.stringify(fetched.body)).not.toContain(secret);
    expect(fetched.body.secret).toBeUndefined();
    const db = new Client({ connectionString: t.database.url });
    await db.connect();
    const { secret_hash } = (await db.query('SELECT secret_hash FROM devices WHERE id = $1', [res.body.id])).rows[0];
    const pepper = Buffer.from(
      (await db.query(`SELECT value FROM platform_secrets WHERE name = 'device_secret_pepper'`)).rows[0].value,
      'base64',
    );
    await db.end();
    expect(secret_hash).not.toContain(secret);
    expect(secret_hash).toBe(createHmac('sha256', pepper).update(secret).digest('base64'));
  });

  it('rotates a secret, disables and re-enables a device, and audits each', async () => {
    const rotated = await s.operator.post(`/api/v1/devices/${s.deviceId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(s.deviceSecret);
    expect((await s.operator.patch(`/api/v1/devices/${s.deviceId}`, { enabled: false })).body.enabled).toBe(false);
    expect((await s.operator.patch(`/api/v1/devices/${s.deviceId}`, { enabled: true })).body.enabled).toBe(true);
    const audit = await t.admin.get(`/api/v1/audit-log?subjectId=${s.deviceId}`);
    expect(audit.body.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['device.create', 'device.rotate_secret', 'device.disable', 'device.update']),
    );
  });

  it('refuses a second device of one type with the same serial', async () => {
    const body = { type: 'door_sensor', residentId: s.residentId, serial: 'D-42' };
    expect((await s.operator.post('/api/v1/devices', body)).status).toBe(201);
    expect((await s.operator.post('/api/v1/devices', body)).status).toBe(409);
  });

  it('filters and paginates the device list', async () => {
    for (let i = 0; i < 3; i++)
      await s.operator.post('/api/v1/devices', { type: 'motion_sensor', residentId: s.residentId });
    const page = await s.operator.get('/api/v1/devices?type=motion_sensor&limit=2&offset=0');
    expect(page.body).toHaveLength(2);
    expect(page.headers.get('x-total-count')).toBe('3');
    const rest = await s.operator.get('/api/v1/devices?type=motion_sensor&limit=2&offset=2');
    expect(rest.body).toHaveLength(1);
    expect((await s.operator.get('/api/v1/devices?online=true')).body).toHaveLength(0);
  });

  it('keeps responder notes and the care profile on the resident record', async () => {
    const careProfile = {
      conditions: ['dementia', 'wandering_risk'],
      nightWindow: { start: '21:30', end: '06:30' },
      rules: { bedReturnSeconds: 900, heartRateMax: 110 },
      safeZone: { lat: 40.84, lon: 111.75, radiusM: 500 },
      responderNotes: '钥匙盒密码 4321',
    };
    const res = await s.operator.post('/api/v1/residents', {
      name: '王爷爷',
      orgUnitId: s.communityId,
      birthDate: '1940-05-01',
      emergencyContacts: [{ name: '王小明', relation: '儿子', phone: '13800000000', order: 1 }],
      careProfile,
    });
    expect(res.status).toBe(201);
    const fetched = await s.operator.get(`/api/v1/residents/${res.body.id}`);
    expect(fetched.body.careProfile).toEqual(careProfile);
    expect(fetched.body.birthDate).toBe('1940-05-01');
  });
});
