import type { ApiClient } from '../../support/api-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

describe('org-unit scoping', () => {
  let t: TestPlatform;
  let a: StationFixture;
  let b: StationFixture;
  let caregiverA: ApiClient;

  beforeAll(async () => {
    t = await startTestPlatform();
    const center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
    const username = unique('cg');
    await a.operator.post('/api/v1/users', {
      username,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: a.communityId,
    });
    caregiverA = await t.api.login(username, 'caregiver-pass');
  });
  afterAll(() => t.stop());

  it("denies every read of station A's records to station B's operator", async () => {
    const reads = [
      `/api/v1/residents/${a.residentId}`,
      `/api/v1/devices/${a.deviceId}`,
      `/api/v1/org-units/${a.stationId}`,
      `/api/v1/org-units/${a.communityId}`,
      `/api/v1/users/${a.operatorId}`,
    ];
    for (const path of reads) {
      const res = await b.operator.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  it("leaves station A's records out of station B's lists", async () => {
    const residents = await b.operator.get('/api/v1/residents?limit=500');
    const devices = await b.operator.get('/api/v1/devices?limit=500');
    const units = await b.operator.get('/api/v1/org-units');
    const users = await b.operator.get('/api/v1/users?limit=500');
    expect(residents.body.map((r: { id: string }) => r.id)).toEqual([b.residentId]);
    expect(devices.body.map((d: { id: string }) => d.id)).toEqual([b.deviceId]);
    expect(units.body.map((u: { id: string }) => u.id).sort()).toEqual([b.stationId, b.communityId].sort());
    expect(users.body.map((u: { id: string }) => u.id)).not.toContain(a.operatorId);
    expect(residents.headers.get('x-total-count')).toBe('1');
  });

  it("denies every write into station A to station B's operator", async () => {
    const writes: [string, string, unknown][] = [
      ['PATCH', `/api/v1/residents/${a.residentId}`, { name: 'hijacked' }],
      ['PATCH', `/api/v1/devices/${a.deviceId}`, { enabled: false }],
      ['POST', `/api/v1/devices/${a.deviceId}/rotate-secret`, {}],
      ['POST', '/api/v1/residents', { name: 'intruder', orgUnitId: a.communityId }],
      ['POST', '/api/v1/devices', { type: 'wearable', residentId: a.residentId }],
      [
        'POST',
        '/api/v1/users',
        { username: unique('x'), password: 'whatever-1', role: 'caregiver', orgUnitId: a.stationId },
      ],
      ['PATCH', `/api/v1/users/${a.operatorId}`, { disabled: true }],
      ['PATCH', `/api/v1/residents/${b.residentId}`, { orgUnitId: a.communityId }],
      ['PATCH', `/api/v1/devices/${b.deviceId}`, { residentId: a.residentId }],
    ];
    for (const [method, path, body] of writes) {
      const res = await b.operator.request(method, path, body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    const resident = await a.operator.get(`/api/v1/residents/${a.residentId}`);
    expect(resident.body.name).not.toBe('hijacked');
    const device = await a.operator.get(`/api/v1/devices/${a.deviceId}`);
    expect(device.body.enabled).toBe(true);
  });

  it('lets an operator see the units below its own and the admin see everything', async () => {
    expect((await a.operator.get(`/api/v1/residents/${a.residentId}`)).status).toBe(200);
    expect((await t.admin.get(`/api/v1/residents/${a.residentId}`)).status).toBe(200);
    expect((await t.admin.get(`/api/v1/residents/${b.residentId}`)).status).toBe(200);
  });

  it('keeps operators away from admin-only actions', async () => {
    expect(
      (await a.operator.post('/api/v1/org-units', { name: 'x', kind: 'community', parentId: a.stationId })).status,
    ).toBe(403);
    expect((await a.operator.get('/api/v1/audit-log')).status).toBe(403);
    const res = await a.operator.post('/api/v1/users', {
      username: unique('op'),
      password: 'whatever-1',
      role: 'operator',
      orgUnitId: a.stationId,
    });
    expect(res.status).toBe(403);
  });

  it('keeps caregivers out of the registry', async () => {
    for (const path of [
      '/api/v1/residents',
      `/api/v1/residents/${a.residentId}`,
      '/api/v1/devices',
      '/api/v1/org-units',
    ]) {
      expect({ path, status: (await caregiverA.get(path)).status }).toEqual({ path, status: 403 });
    }
    expect((await caregiverA.get(`/api/v1/users/${a.operatorId}`)).status).toBe(404);
  });
});
