import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';

describe('input validation', () => {
  let t: TestPlatform;
  let s: StationFixture;
  beforeAll(async () => {
    t = await startTestPlatform();
    s = await createStation(t.admin, await createCenter(t.admin));
  });
  afterAll(() => t.stop());

  const cases: [string, string, string, unknown, RegExp][] = [
    [
      'unknown field',
      'POST',
      '/api/v1/residents',
      { name: 'A', orgUnitId: '@unit', favouriteColour: 'red' },
      /favouriteColour: unknown field/,
    ],
    ['missing field', 'POST', '/api/v1/residents', { orgUnitId: '@unit' }, /^name: /],
    ['wrong type', 'POST', '/api/v1/residents', { name: 42, orgUnitId: '@unit' }, /^name: /],
    ['bad uuid', 'POST', '/api/v1/residents', { name: 'A', orgUnitId: 'nope' }, /^orgUnitId: /],
    [
      'future birth date',
      'POST',
      '/api/v1/residents',
      { name: 'A', orgUnitId: '@unit', birthDate: '2999-01-01' },
      /^birthDate: /,
    ],
    [
      'nested contact',
      'POST',
      '/api/v1/residents',
      { name: 'A', orgUnitId: '@unit', emergencyContacts: [{ name: 'B' }] },
      /^emergencyContacts\.0\.phone: /,
    ],
    [
      'bad night window',
      'POST',
      '/api/v1/residents',
      { name: 'A', orgUnitId: '@unit', careProfile: { nightWindow: { start: '25:00', end: '06:00' } } },
      /careProfile\.nightWindow\.start: /,
    ],
    ['unknown device type', 'POST', '/api/v1/devices', { type: 'toaster', residentId: '@resident' }, /^type: /],
    [
      'bad role',
      'POST',
      '/api/v1/users',
      { username: 'someone', password: 'long-enough', role: 'king', orgUnitId: '@unit' },
      /^role: /,
    ],
    [
      'short password',
      'POST',
      '/api/v1/users',
      { username: 'someone', password: 'short', role: 'caregiver', orgUnitId: '@unit' },
      /^password: /,
    ],
    ['bad kind', 'POST', '/api/v1/org-units', { name: 'X', kind: 'galaxy' }, /^kind: /],
    ['bad list limit', 'GET', '/api/v1/residents?limit=100000', undefined, /^limit: /],
    ['body is an array', 'POST', '/api/v1/residents', [], /expected object/],
  ];

  it.each(cases)('answers 400 naming the field for %s', async (_name, method, path, body, message) => {
    const substituted = JSON.parse(
      JSON.stringify(body ?? null)
        .replace(/@unit/g, s.communityId)
        .replace(/@resident/g, s.residentId),
    ) as unknown;
    const res = await t.admin.request(method, path, body === undefined ? undefined : substituted);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
  });

  it('answers 400 for malformed JSON and for a non-uuid id in the path', async () => {
    const res = await t.admin.request('POST', '/api/v1/residents', undefined, '{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/JSON/);
    expect((await t.admin.get('/api/v1/residents/not-a-uuid')).status).toBe(400);
  });

  it('answers 404 for an id that does not exist and 409 for a duplicate username', async () => {
    expect((await t.admin.get('/api/v1/residents/7a3c2a38-1f7b-4b55-9bd8-5a1f6d7fbc10')).status).toBe(404);
    const body = { username: 'dup-user', password: 'long-enough', role: 'caregiver', orgUnitId: s.communityId };
    expect((await t.admin.post('/api/v1/users', body)).status).toBe(201);
    const again = await t.admin.post('/api/v1/users', { ...body, username: 'DUP-user' });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/username/);
  });

  it('rejects a station placed under a community', async () => {
    const res = await t.admin.post('/api/v1/org-units', { name: 'X', kind: 'station', parentId: s.communityId });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^kind: /);
  });
});
