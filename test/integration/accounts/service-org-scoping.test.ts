import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

/**
 * Issue 12 item 2: a service organisation's caregivers receive the orders of every unit it serves, so an
 * operator may enlist into, list, or manage caregivers of only those organisations serving its own units.
 */
describe('service-organisation scoping', () => {
  let t: TestPlatform;
  let a: StationFixture;
  let b: StationFixture;
  const orgs: Record<'onlyA' | 'onlyB' | 'both', string> = { onlyA: '', onlyB: '', both: '' };

  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_QUEUE_PREFIX: `q${Date.now().toString(36)}sorg` });
    const center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
    const create = async (name: string, orgUnitIds: string[]) => {
      const res = await t.admin.post('/api/v1/service-orgs', { name: unique(name), kind: 'volunteer', orgUnitIds });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    orgs.onlyA = await create('A志愿队', [a.stationId]);
    orgs.onlyB = await create('B志愿队', [b.stationId]);
    orgs.both = await create('AB家政', [a.stationId, b.stationId]);
  });
  afterAll(() => t.stop());

  const caregiverBody = (serviceOrgId?: string) => ({
    username: unique('cg'),
    password: 'caregiver-pass',
    role: 'caregiver',
    orgUnitId: a.stationId,
    skills: ['emergency'],
    ...(serviceOrgId ? { serviceOrgId } : {}),
  });

  it("refuses an operator enlisting a caregiver into an organisation that serves another station's units", async () => {
    const intoB = await a.operator.post('/api/v1/users', caregiverBody(orgs.onlyB));
    expect(intoB.status).toBe(404);
    expect(intoB.body.message).toMatch(/^serviceOrgId/);
    const intoBoth = await a.operator.post('/api/v1/users', caregiverBody(orgs.both));
    expect(intoBoth.status).toBe(403);
    expect(intoBoth.body.message).toMatch(/^serviceOrgId/);
    // Its own organisation is fine, and nothing was created by the refusals.
    const own = await a.operator.post('/api/v1/users', caregiverBody(orgs.onlyA));
    expect(own.status).toBe(201);
    expect(own.body.serviceOrgId).toBe(orgs.onlyA);
    const listed = (await t.admin.get(`/api/v1/users?role=caregiver&orgUnitId=${a.stationId}`)).body as {
      serviceOrgId: string | null;
    }[];
    expect(listed.map((u) => u.serviceOrgId)).toEqual([orgs.onlyA]);
  });

  it('answers an unknown service organisation with 404 naming the field, for an admin too', async () => {
    const res = await t.admin.post('/api/v1/users', caregiverBody('00000000-0000-4000-8000-000000000000'));
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/^serviceOrgId/);
  });

  it('lets no operator reset the password of, or edit, a caregiver whose organisation serves units outside its scope', async () => {
    const shared = await t.admin.post('/api/v1/users', caregiverBody(orgs.both));
    expect(shared.status).toBe(201);
    const reset = await a.operator.patch(`/api/v1/users/${shared.body.id}`, { password: 'taken-over-pass' });
    expect(reset.status).toBe(403);
    expect(
      (await t.api.post('/api/v1/auth/login', { username: shared.body.username, password: 'taken-over-pass' })).status,
    ).toBe(401);
    expect((await a.operator.patch(`/api/v1/users/${shared.body.id}`, { displayName: '改名' })).status).toBe(403);
    expect((await a.operator.patch(`/api/v1/users/${shared.body.id}`, { serviceOrgId: null })).status).toBe(403);

    // A caregiver of its own organisation may be edited, but not moved into another station's organisation.
    const own = (await a.operator.post('/api/v1/users', caregiverBody(orgs.onlyA))).body;
    expect((await a.operator.patch(`/api/v1/users/${own.id}`, { password: 'new-password-1' })).status).toBe(200);
    const moved = await a.operator.patch(`/api/v1/users/${own.id}`, { serviceOrgId: orgs.onlyB });
    expect(moved.status).toBe(404);
    expect((await t.admin.get(`/api/v1/users/${own.id}`)).body.serviceOrgId).toBe(orgs.onlyA);
    // An admin may.
    const byAdmin = await t.admin.patch(`/api/v1/users/${own.id}`, { serviceOrgId: orgs.both });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.serviceOrgId).toBe(orgs.both);
  });

  it("lists only organisations serving the caller's units, and only those units", async () => {
    const seenByA = (await a.operator.get('/api/v1/service-orgs')).body as {
      id: string;
      orgUnitIds: string[];
      servesOutsideScope: boolean;
    }[];
    expect(seenByA.map((o) => o.id).sort()).toEqual([orgs.onlyA, orgs.both].sort());
    expect(seenByA.find((o) => o.id === orgs.both)).toMatchObject({
      orgUnitIds: [a.stationId],
      servesOutsideScope: true,
    });
    expect(seenByA.find((o) => o.id === orgs.onlyA)!.servesOutsideScope).toBe(false);
    const seenByAdmin = (await t.admin.get('/api/v1/service-orgs')).body as { id: string; orgUnitIds: string[] }[];
    expect(seenByAdmin.find((o) => o.id === orgs.both)!.orgUnitIds.sort()).toEqual([a.stationId, b.stationId].sort());
    expect(seenByAdmin.map((o) => o.id)).toEqual(expect.arrayContaining(Object.values(orgs)));
  });

  it('serves a unit named twice once instead of failing with 500', async () => {
    const res = await t.admin.post('/api/v1/service-orgs', {
      name: unique('重复'),
      kind: 'property',
      orgUnitIds: [a.stationId, a.stationId.toUpperCase(), a.communityId],
    });
    expect(res.status).toBe(201);
    expect(res.body.orgUnitIds).toEqual([a.stationId, a.communityId]);
    const unknown = await t.admin.post('/api/v1/service-orgs', {
      name: unique('无'),
      kind: 'property',
      orgUnitIds: ['not-a-uuid'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/^orgUnitIds/);
  });
});
