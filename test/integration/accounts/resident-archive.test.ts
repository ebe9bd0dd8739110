import 'reflect-metadata';
import { Client } from 'pg';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';

const ID = '11010519491231002X';

/**
 * Issue 16, the resident archive: an ID number is validated with its check digit, stored so that a
 * database dump alone does not reveal it, shown masked to operators and in full only to admins.
 */
describe('resident archive', () => {
  let t: TestPlatform;
  let s: StationFixture;

  beforeAll(async () => {
    t = await startTestPlatform();
    s = await createStation(t.admin, await createCenter(t.admin));
  });
  afterAll(async () => t?.stop());

  it('refuses an ID number whose check digit or birth date is wrong, naming the field', async () => {
    for (const bad of ['110105194912310021', '110105194913310023', '1101051949']) {
      const res = await s.operator.patch(`/api/v1/residents/${s.residentId}`, { idCardNumber: bad });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^idCardNumber:/);
    }
  });

  it('stores the archive, the ID number encrypted: masked for operators, in full for admins only', async () => {
    const saved = await s.operator.patch(`/api/v1/residents/${s.residentId}`, {
      gender: 'female',
      idCardNumber: ID.toLowerCase(), // an x check digit is read as X
      benefitCategories: ['living_alone', 'oldest_old'],
      medications: '阿司匹林 100mg 每日一次',
      allergies: '青霉素',
      gp: '新华社区卫生服务站 李医生',
      keyHolder: '邻居王阿姨 301 室',
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ gender: 'female', idCardMasked: '1101**********002X', allergies: '青霉素' });
    expect(JSON.stringify(saved.body)).not.toContain(ID);

    const asOperator = await s.operator.get(`/api/v1/residents/${s.residentId}`);
    expect(asOperator.body.idCardMasked).toBe('1101**********002X');
    expect(JSON.stringify(asOperator.body)).not.toContain(ID);
    const list = await s.operator.get(`/api/v1/residents?q=${encodeURIComponent(asOperator.body.name)}`);
    expect(JSON.stringify(list.body)).not.toContain(ID);
    expect(JSON.stringify(list.body)).not.toContain('idCardCipher');

    const asAdmin = await t.admin.get(`/api/v1/residents/${s.residentId}`);
    expect(asAdmin.body.idCardNumber).toBe(ID);

    // What a dump holds: no ID number in any column of the row.
    const sql = new Client({ connectionString: t.database.url });
    await sql.connect();
    const row = await sql.query(`SELECT row_to_json(r)::text AS dump FROM residents r WHERE id = $1`, [s.residentId]);
    await sql.end();
    expect(row.rows[0].dump).not.toContain(ID);
    expect(row.rows[0].dump).toContain('1101**********002X');

    // Clearing it removes both forms.
    const cleared = await s.operator.patch(`/api/v1/residents/${s.residentId}`, { idCardNumber: null });
    expect(cleared.body.idCardMasked).toBeNull();
    expect((await t.admin.get(`/api/v1/residents/${s.residentId}`)).body.idCardNumber).toBeUndefined();
  });
});
