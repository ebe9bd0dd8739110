import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

// Issue 16: editing users (name, skills, shift hours, unit), resetting a password, and a caregiver's own duty.
describe('user administration', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let other: StationFixture;

  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_QUEUE_PREFIX: unique('q') });
    const center = await createCenter(t.admin);
    s = await createStation(t.admin, center);
    other = await createStation(t.admin, center);
  });
  afterAll(async () => {
    await t.stop();
  });

  async function newCaregiver(station: StationFixture, password = 'caregiver-pass') {
    const username = unique('cg');
    const res = await station.operator.post('/api/v1/users', {
      username,
      password,
      role: 'caregiver',
      orgUnitId: station.stationId,
    });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, username, api: await t.api.login(username, password) };
  }

  it("edits a caregiver's name, skills, shift hours and unit; audited", async () => {
    const cg = await newCaregiver(s);
    const edited = await s.operator.patch(`/api/v1/users/${cg.id}`, {
      displayName: '王芳',
      skills: ['meal', 'bathing'],
      shiftStart: '22:00',
      shiftEnd: '06:00',
      shiftWeekdays: [5, 1, 1],
      orgUnitId: s.communityId,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      displayName: '王芳',
      skills: ['meal', 'bathing'],
      shiftStart: '22:00',
      shiftEnd: '06:00',
      shiftWeekdays: [1, 5],
      orgUnitId: s.communityId,
    });
    expect((await s.operator.get(`/api/v1/users/${cg.id}`)).body).toMatchObject({ shiftStart: '22:00' });
    // A move to another unit ends its sessions (its sockets joined the old unit's rooms).
    expect((await cg.api.get('/api/v1/tasks/mine')).status).toBe(401);
    const audit = await t.admin.get(`/api/v1/audit-log?action=user.update&subjectId=${cg.id}`);
    expect(audit.body[0].detail.changed).toEqual(
      expect.arrayContaining(['displayName', 'skills', 'shiftStart', 'shiftEnd', 'shiftWeekdays', 'orgUnitId']),
    );
    // Outside the operator's units: refused, nothing moved.
    expect((await s.operator.patch(`/api/v1/users/${cg.id}`, { orgUnitId: other.stationId })).status).toBe(404);
  });

  it.each([
    [{ shiftStart: '25:00', shiftEnd: '06:00' }, /^shiftStart: /],
    [{ shiftStart: '08:00' }, /^shiftEnd: /],
    [{ shiftEnd: '17:00' }, /^shiftStart: /],
    [{ shiftStart: '08:00', shiftEnd: null }, /^shiftEnd: /],
    [{ shiftStart: '08:00', shiftEnd: '17:00', shiftWeekdays: [8] }, /^shiftWeekdays\.0: /],
  ])('refuses a bad shift %j with a 400 naming the field', async (body, field) => {
    const cg = await newCaregiver(s);
    const res = await s.operator.patch(`/api/v1/users/${cg.id}`, body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(field);
  });

  it('gives only caregivers shift hours', async () => {
    const res = await t.admin.patch(`/api/v1/users/${s.operatorId}`, { shiftStart: '08:00', shiftEnd: '17:00' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^shiftStart: /);
  });

  it("resets a caregiver's password: the old token is refused at once, the new password signs in", async () => {
    const cg = await newCaregiver(s, 'first-password');
    expect((await cg.api.get('/api/v1/tasks/mine')).status).toBe(200);
    const reset = await s.operator.patch(`/api/v1/users/${cg.id}`, { password: 'second-password' });
    expect(reset.status).toBe(200);
    expect(JSON.stringify(reset.body)).not.toMatch(/password/i);
    expect((await cg.api.get('/api/v1/tasks/mine')).status).toBe(401);
    expect((await t.api.post('/api/v1/auth/login', { username: cg.username, password: 'first-password' })).status).toBe(
      401,
    );
    const again = await t.api.login(cg.username, 'second-password');
    expect((await again.get('/api/v1/tasks/mine')).status).toBe(200);
  });

  it("an operator resets only its own caregivers' passwords", async () => {
    const theirs = await newCaregiver(other);
    expect((await s.operator.patch(`/api/v1/users/${theirs.id}`, { password: 'taken-over-pass' })).status).toBe(404);
    expect((await s.operator.patch(`/api/v1/users/${s.operatorId}`, { password: 'taken-over-pass' })).status).toBe(403);
    expect((await theirs.api.get('/api/v1/tasks/mine')).status).toBe(200);
  });

  it('a caregiver reads its own name and duty, and going off duty shows in the users list (audited)', async () => {
    const cg = await newCaregiver(s);
    await s.operator.patch(`/api/v1/users/${cg.id}`, { displayName: '李娟' });
    const me = (await cg.api.get('/api/v1/auth/me')).body as { userId: string };
    expect((await cg.api.get(`/api/v1/users/${me.userId}`)).body).toMatchObject({ displayName: '李娟', onDuty: true });
    expect((await cg.api.patch('/api/v1/caregivers/me', { onDuty: false })).status).toBe(200);
    expect((await cg.api.get(`/api/v1/users/${cg.id}`)).body.onDuty).toBe(false);
    const listed = (await s.operator.get('/api/v1/users?role=caregiver')).body as { id: string; onDuty: boolean }[];
    expect(listed.find((u) => u.id === cg.id)?.onDuty).toBe(false);
    const audit = await t.admin.get(`/api/v1/audit-log?action=user.duty&subjectId=${cg.id}`);
    expect(audit.body[0]).toMatchObject({ actorId: cg.id, detail: { onDuty: false } });
    // Its own record only: not a colleague's.
    expect((await cg.api.get(`/api/v1/users/${s.operatorId}`)).status).toBe(404);
  });
});
