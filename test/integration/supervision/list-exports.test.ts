import 'reflect-metadata';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

/** A valid GB 11643 number (check digit X). */
const ID_NUMBER = '11010519491231002X';

/**
 * Issue 16: every list page exports what it shows to XLSX — all the rows its filters match, not the page
 * on screen, in the caller's scope, with Chinese headers, names instead of ids, local times, and audited.
 */
describe('list exports (XLSX)', () => {
  let t: TestPlatform;
  let a: StationFixture;
  let b: StationFixture;
  let sql: Client;
  let caregiverName: string;
  let caregiverId: string;

  /** The first sheet of an export as rows of {header: text}, and the response. */
  async function exported(client: { token: string | null }, path: string) {
    const res = await fetch(`${t.api.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${client.token}` } });
    if (res.status !== 200) return { res, rows: [], headers: [], title: '' };
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const sheet = book.worksheets[0]!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const rows: Record<string, string>[] = [];
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const cells = (row.values as (string | number | undefined)[]).slice(1);
      rows.push(Object.fromEntries(headers.map((h, i) => [h, String(cells[i] ?? '')])));
    });
    return { res, rows, headers, title: sheet.name };
  }

  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_TIMEZONE: 'Asia/Shanghai' });
    const center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
    sql = new Client({ connectionString: t.database.url });
    await sql.connect();
    caregiverName = unique('李护理');
    const caregiver = await t.admin.post('/api/v1/users', {
      username: unique('cg'),
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: a.stationId,
      displayName: caregiverName,
      skills: ['meal'],
    });
    caregiverId = caregiver.body.id;
    expect((await a.operator.patch(`/api/v1/residents/${a.residentId}`, { idCardNumber: ID_NUMBER })).status).toBe(200);
    // Three alerts at A (two resolved, one open), one at B; 2026-08-15 01:30 UTC is 09:30 in Shanghai.
    const alert = (s: StationFixture, kind: string, status: string, opened: string, outcome: string | null) =>
      sql.query(
        `INSERT INTO alerts (resident_id, org_unit_id, kind, severity, status, opened_at, last_occurred_at, resolved_at, outcome)
         VALUES ($1, $2, $3, 'critical', $4, $5, $5, $6, $7)`,
        [s.residentId, s.communityId, kind, status, opened, outcome ? opened : null, outcome],
      );
    await alert(a, 'sos', 'resolved', '2026-08-15T01:30:00Z', 'false_alarm');
    await alert(a, 'fall', 'resolved', '2026-08-16T01:30:00Z', 'real_emergency');
    await alert(a, 'smoke', 'open', '2026-08-17T01:30:00Z', null);
    await alert(b, 'sos', 'resolved', '2026-08-15T02:00:00Z', 'false_alarm');
    await sql.query(
      `INSERT INTO service_orders (kind, status, resident_id, org_unit_id, assignee_id) VALUES ('meal', 'accepted', $1, $2, $3)`,
      [a.residentId, a.communityId, caregiverId],
    );
    await sql.query(`UPDATE devices SET battery = 12 WHERE id = $1`, [a.deviceId]);
    const spare = await a.operator.post('/api/v1/devices', { type: 'door_sensor', residentId: a.residentId });
    await sql.query(`UPDATE devices SET battery = 90 WHERE id = $1`, [spare.body.id]);
  });

  afterAll(async () => {
    await sql?.end();
    await t?.stop();
  });

  it("exports every alert the history's filters match, across pages, in the caller's scope", async () => {
    const { res, rows, headers, title } = await exported(
      a.operator,
      '/alerts?status=resolved&from=2026-08-01T00:00:00%2B08:00&to=2026-09-01T00:00:00%2B08:00&pageSize=1&format=xlsx',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(decodeURIComponent(res.headers.get('content-disposition') ?? '')).toMatch(
      /告警记录_\d{4}-\d{2}-\d{2}\.xlsx/,
    );
    expect(title).toBe('告警记录');
    expect(headers).toEqual(expect.arrayContaining(['发生时间', '告警类型', '状态', '老人', '所属单位', '处理结果']));
    // Both resolved alerts of A (a page of one would hold one), none of B's, not the open one.
    expect(rows.map((r) => r['告警类型']).sort()).toEqual(['紧急呼叫', '跌倒'].sort());
    const sos = rows.find((r) => r['告警类型'] === '紧急呼叫')!;
    expect(sos).toMatchObject({ 发生时间: '2026-08-15 09:30:00', 状态: '已结案', 处理结果: '误报', 级别: '危急' });
    const resident = await a.operator.get(`/api/v1/residents/${a.residentId}`);
    expect(sos['老人']).toBe(resident.body.name);
    expect(sos['所属单位']).not.toMatch(/^[0-9a-f-]{36}$/);
  });

  it("names the order's caregiver instead of its id", async () => {
    const { rows } = await exported(a.operator, '/orders?format=xlsx');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ 服务类型: '助餐', 状态: '已接单', 护理员: caregiverName });
    expect(JSON.stringify(rows)).not.toContain(caregiverId);
  });

  it('exports residents with the ID number masked, and only those in scope', async () => {
    const { rows } = await exported(a.operator, '/residents?format=xlsx');
    expect(rows).toHaveLength(1);
    expect(rows[0]!['身份证号']).toBe('1101**********002X');
    expect(JSON.stringify(rows)).not.toContain(ID_NUMBER);
    const admin = await exported(t.admin, '/residents?format=xlsx');
    expect(admin.rows.length).toBeGreaterThanOrEqual(2);
  });

  it("exports the maintenance page's low-battery devices by their filter, never a secret", async () => {
    const { rows, headers } = await exported(a.operator, '/devices?batteryAtMost=20&format=xlsx');
    expect(rows.map((r) => r['设备编号'])).toEqual([a.deviceId]);
    expect(rows[0]).toMatchObject({ 类型: '紧急按钮', '电量（%）': '12' });
    expect(headers.join()).not.toMatch(/密钥|secret/i);
    const all = await exported(a.operator, '/devices?format=xlsx');
    expect(all.rows).toHaveLength(2);
  });

  it('exports users with roles and states in Chinese, no password hashes', async () => {
    const { rows, headers } = await exported(a.operator, '/users?format=xlsx');
    const caregiver = rows.find((r) => r['显示名'] === caregiverName);
    expect(caregiver).toMatchObject({ 角色: '护理员', 状态: '在岗', 技能: '助餐', 班次: '全天' });
    expect(headers.join()).not.toMatch(/密码|hash/i);
  });

  it('audits each export with who, which list and its filters', async () => {
    const { rows } = await sql.query(
      `SELECT actor_username, subject_id, detail FROM audit_log WHERE action = 'list.export' ORDER BY at`,
    );
    const alerts = rows.find((r) => r.subject_id === 'alerts');
    expect(alerts).toBeDefined();
    expect(alerts.detail).toMatchObject({ rows: 2, filters: { status: ['resolved'] } });
    expect(rows.map((r) => r.subject_id)).toEqual(expect.arrayContaining(['orders', 'residents', 'devices', 'users']));
    // A name searched for is personal data: the audit keeps that a search was made, not its text.
    const name = (await a.operator.get(`/api/v1/residents/${a.residentId}`)).body.name as string;
    await exported(a.operator, `/alerts?residentName=${encodeURIComponent(name)}&format=xlsx`);
    const { rows: after } = await sql.query(
      `SELECT detail FROM audit_log WHERE action = 'list.export' ORDER BY at DESC LIMIT 1`,
    );
    expect(after[0].detail.filters).toEqual({ residentName: true });
    expect(JSON.stringify(after[0].detail)).not.toContain(name);
  });

  it('refuses an unknown format naming it, and JSON lists are unchanged', async () => {
    const bad = await a.operator.get('/api/v1/alerts?format=pdf');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('format');
    const page = await a.operator.get('/api/v1/alerts?status=resolved&pageSize=1');
    expect(page.status).toBe(200);
    expect(page.body).toHaveLength(1);
    expect(page.headers.get('x-total-count')).toBe('2');
  });
});
