import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

/**
 * Issue 16 (五社联动): service organisations are run from the console — read one, edit it, list its members,
 * enlist and remove caregivers — and station B's operator can neither see, edit nor enlist into A's.
 */
describe('service organisation administration', () => {
  let t: TestPlatform;
  let a: StationFixture;
  let b: StationFixture;
  let orgA: string;

  const caregiver = async (station: StationFixture, displayName: string, serviceOrgId?: string) => {
    const res = await station.operator.post('/api/v1/users', {
      username: unique('cg'),
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: station.communityId,
      displayName,
      skills: ['meal'],
      ...(serviceOrgId ? { serviceOrgId } : {}),
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; username: string };
  };

  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_QUEUE_PREFIX: `q${Date.now().toString(36)}sorgadm` });
    const center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
    const created = await t.admin.post('/api/v1/service-orgs', {
      name: unique('A助餐队'),
      kind: 'volunteer',
      orgUnitIds: [a.stationId],
    });
    expect(created.status).toBe(201);
    orgA = created.body.id;
  });
  afterAll(() => t.stop());

  it('reads one organisation with its units and member count, for the admin and its station', async () => {
    const member = await caregiver(a, '王阿姨', orgA);
    for (const caller of [t.admin, a.operator]) {
      const res = await caller.get(`/api/v1/service-orgs/${orgA}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: orgA, kind: 'volunteer', orgUnitIds: [a.stationId], memberCount: 1 });
    }
    const listed = (await a.operator.get('/api/v1/service-orgs')).body as { id: string; memberCount: number }[];
    expect(listed.find((o) => o.id === orgA)!.memberCount).toBe(1);
    const members = await a.operator.get(`/api/v1/service-orgs/${orgA}/members`);
    expect(members.status).toBe(200);
    expect(members.body).toEqual([
      {
        id: member.id,
        username: member.username,
        displayName: '王阿姨',
        orgUnitId: a.communityId,
        onDuty: true,
        disabled: false,
        skills: ['meal'],
      },
    ]);
  });

  it("keeps station A's organisation from station B's operator: not seen, not edited, not enlisted into", async () => {
    expect((await b.operator.get(`/api/v1/service-orgs/${orgA}`)).status).toBe(404);
    expect((await b.operator.get(`/api/v1/service-orgs/${orgA}/members`)).status).toBe(404);
    expect(((await b.operator.get('/api/v1/service-orgs')).body as { id: string }[]).map((o) => o.id)).not.toContain(
      orgA,
    );
    const edit = await b.operator.patch(`/api/v1/service-orgs/${orgA}`, { name: '占用', orgUnitIds: [b.stationId] });
    expect(edit.status).toBe(403);
    expect((await a.operator.patch(`/api/v1/service-orgs/${orgA}`, { name: '本站也不行' })).status).toBe(403);
    const ownOfB = await caregiver(b, '李师傅');
    const enlist = await b.operator.patch(`/api/v1/users/${ownOfB.id}`, { serviceOrgId: orgA });
    expect(enlist.status).toBe(404);
    expect(enlist.body.message).toMatch(/^serviceOrgId/);
    const org = (await t.admin.get(`/api/v1/service-orgs/${orgA}`)).body;
    expect(org.orgUnitIds).toEqual([a.stationId]);
    expect(org.name).not.toBe('占用');
    expect((await t.admin.get(`/api/v1/users/${ownOfB.id}`)).body.serviceOrgId).toBeNull();
  });

  it('lets an admin rename, re-kind and re-scope an organisation, audited with before and after', async () => {
    const org = (
      await t.admin.post('/api/v1/service-orgs', { name: unique('物业'), kind: 'property', orgUnitIds: [a.stationId] })
    ).body as { id: string; name: string };
    const name = unique('和平物业');
    const res = await t.admin.patch(`/api/v1/service-orgs/${org.id}`, {
      name: `  ${name} `,
      kind: 'housekeeping',
      orgUnitIds: [a.communityId, b.stationId, b.stationId],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: org.id, name, kind: 'housekeeping', servesOutsideScope: false });
    expect([...res.body.orgUnitIds].sort()).toEqual([a.communityId, b.stationId].sort());
    // Now B's operator sees it (its own unit only) and A's operator sees that it also serves B.
    expect((await b.operator.get(`/api/v1/service-orgs/${org.id}`)).body).toMatchObject({
      orgUnitIds: [b.stationId],
      servesOutsideScope: true,
    });
    expect((await a.operator.get(`/api/v1/service-orgs/${org.id}`)).body.orgUnitIds).toEqual([a.communityId]);
    // A name alone leaves the rest.
    const renamed = await t.admin.patch(`/api/v1/service-orgs/${org.id}`, { name: `${name}二` });
    expect(renamed.body).toMatchObject({ name: `${name}二`, kind: 'housekeeping' });
    expect(renamed.body.orgUnitIds).toHaveLength(2);
    // 五社联动: a social work agency and a charity are organisations too.
    for (const kind of ['social_work', 'charity']) {
      const created = await t.admin.post('/api/v1/service-orgs', {
        name: unique('社工'),
        kind,
        orgUnitIds: [a.stationId],
      });
      expect(created.status).toBe(201);
      expect(created.body.kind).toBe(kind);
    }

    const audit = await t.admin.get(`/api/v1/audit-log?action=service_org.update&subjectId=${org.id}`);
    expect(audit.status).toBe(200);
    const entries = audit.body as { actorUsername: string; detail: any }[];
    expect(entries).toHaveLength(2);
    const first = entries.find((e) => e.detail.changed.includes('kind'))!;
    expect(first.actorUsername).toBe('admin');
    expect(first.detail.before).toEqual({ name: org.name, kind: 'property', orgUnitIds: [a.stationId] });
    expect(first.detail.after).toMatchObject({ name, kind: 'housekeeping' });
  });

  it('removes a member by clearing its organisation, which its station may do', async () => {
    const member = await caregiver(a, '赵大姐', orgA);
    expect((await a.operator.patch(`/api/v1/users/${member.id}`, { serviceOrgId: null })).status).toBe(200);
    const members = (await t.admin.get(`/api/v1/service-orgs/${orgA}/members`)).body as { id: string }[];
    expect(members.map((m) => m.id)).not.toContain(member.id);
    expect((await t.admin.get(`/api/v1/users/${member.id}`)).body.serviceOrgId).toBeNull();
  });

  it.each([
    [{ kind: 'bank' }, /^kind: /],
    [{ name: '   ' }, /^name: /],
    [{ orgUnitIds: [] }, /^orgUnitIds: /],
    [{ orgUnitIds: ['not-a-uuid'] }, /^orgUnitIds\.0: /],
    [{ colour: 'red' }, /^colour: unknown field/],
    [{}, /^body: expected at least one of/],
  ])('refuses %j with 400 naming the field, changing nothing', async (body, message) => {
    const res = await t.admin.patch(`/api/v1/service-orgs/${orgA}`, body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect((await t.admin.get(`/api/v1/service-orgs/${orgA}`)).body).toMatchObject({
      kind: 'volunteer',
      orgUnitIds: [a.stationId],
    });
  });

  it('answers unknown organisations and units with 404, and a malformed id with 400', async () => {
    const nobody = '00000000-0000-4000-8000-000000000000';
    expect((await t.admin.get(`/api/v1/service-orgs/${nobody}`)).status).toBe(404);
    expect((await t.admin.get(`/api/v1/service-orgs/${nobody}/members`)).status).toBe(404);
    expect((await t.admin.patch(`/api/v1/service-orgs/${nobody}`, { name: '无' })).status).toBe(404);
    const unit = await t.admin.patch(`/api/v1/service-orgs/${orgA}`, { orgUnitIds: [nobody] });
    expect(unit.status).toBe(404);
    expect(unit.body.message).toMatch(/^orgUnitIds: /);
    expect((await t.admin.get(`/api/v1/service-orgs/${orgA}`)).body.orgUnitIds).toEqual([a.stationId]);
    expect((await t.admin.get('/api/v1/service-orgs/not-a-uuid')).status).toBe(400);
  });
});
