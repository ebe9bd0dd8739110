import 'reflect-metadata';
import ExcelJS from 'exceljs';
import { Client } from 'pg';
import type { AlertReport, AlertView, DeviceReport, OrderReport } from '@anxin/contract';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

/** 2026 Q3 in the platform's time zone (Asia/Shanghai): the quarter's boundaries are local midnights. */
const Q3 = { from: '2026-07-01T00:00:00+08:00', to: '2026-10-01T00:00:00+08:00' };
const at = (local: string) => new Date(`${local}+08:00`);

/**
 * Issue 15 / CONTRACT §3 "History and reports": every KPI computed on a seeded data set whose right
 * answers are worked out by hand below, including alerts at and just outside the quarter's local
 * boundaries, alerts never acknowledged, auto-resolved ones, and scoping (a station sees its own).
 */
describe('history and reports', () => {
  let t: TestPlatform;
  let a: StationFixture;
  let b: StationFixture;
  let sql: Client;
  const query = (text: string, params: unknown[] = []) => sql.query(text, params);

  /** An alert as the rules and operators would have left it. */
  async function alert(
    s: StationFixture,
    kind: string,
    openedLocal: string,
    ackSeconds: number | null,
    outcome: string | null,
  ): Promise<string> {
    const opened = at(openedLocal);
    const acknowledged = ackSeconds === null ? null : new Date(opened.getTime() + ackSeconds * 1000);
    const resolved = outcome === null ? null : new Date(opened.getTime() + 3_600_000);
    const res = await query(
      `INSERT INTO alerts (resident_id, org_unit_id, kind, severity, status, opened_at, last_occurred_at,
                           acknowledged_at, resolved_at, outcome)
       VALUES ($1, $2, $3, 'high', $4, $5, $5, $6, $7, $8) RETURNING id`,
      [
        s.residentId,
        s.communityId,
        kind,
        outcome === null ? 'open' : 'resolved',
        opened,
        acknowledged,
        resolved,
        outcome,
      ],
    );
    return res.rows[0].id as string;
  }

  async function order(
    kind: string,
    status: string,
    createdLocal: string,
    o: { acceptS?: number; onSiteLocal?: string; scheduledLocal?: string; assignee?: string; alertId?: string } = {},
  ): Promise<void> {
    const created = at(createdLocal);
    await query(
      `INSERT INTO service_orders (kind, status, resident_id, org_unit_id, created_at, scheduled_for, assignee_id,
                                   accepted_at, on_site_at, completed_at, alert_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        kind,
        status,
        a.residentId,
        a.communityId,
        created,
        o.scheduledLocal ? at(o.scheduledLocal) : null,
        o.assignee ?? null,
        o.acceptS === undefined ? null : new Date(created.getTime() + o.acceptS * 1000),
        o.onSiteLocal ? at(o.onSiteLocal) : null,
        status === 'completed' ? at(o.onSiteLocal ?? createdLocal) : null,
        o.alertId ?? null,
      ],
    );
  }

  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_TIMEZONE: 'Asia/Shanghai' });
    const center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
    sql = new Client({ connectionString: t.database.url });
    await sql.connect();

    // Station A, five alerts in Q3 (acknowledged after 30, 90, 200 s; two never) and two just outside it.
    await alert(a, 'sos', '2026-07-01T00:00:00', 30, 'real_emergency'); // the quarter's first instant: in
    const sos = await alert(a, 'sos', '2026-08-15T10:00:00', 90, 'false_alarm');
    const fall = await alert(a, 'fall', '2026-09-30T23:59:59', 200, 'false_alarm'); // the quarter's last second: in
    const smoke = await alert(a, 'smoke', '2026-09-10T03:00:00', null, null); // never acknowledged, still open
    await query(`UPDATE alerts SET escalation_level = 2 WHERE id = $1`, [smoke]);
    await alert(a, 'device_offline', '2026-08-01T12:00:00', null, 'auto_resolved');
    await alert(a, 'sos', '2026-06-30T23:59:59', 5, 'real_emergency'); // Q2 (UTC: already 15:59 on the 30th)
    await alert(a, 'sos', '2026-10-01T00:00:00', 5, 'real_emergency'); // Q4
    // Station B, one: acknowledged after 10 s.
    await alert(b, 'gas', '2026-08-20T09:00:00', 10, 'real_emergency');

    // Orders of station A: a volunteer team member takes two emergencies; a meal slot at 11:00.
    const org = await query(`INSERT INTO service_orgs (name, kind) VALUES ($1, 'volunteer') RETURNING id`, [
      unique('志愿服务队'),
    ]);
    const volunteer = await t.admin.post('/api/v1/users', {
      username: unique('vol'),
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: a.stationId,
      skills: ['emergency'],
    });
    const housekeeper = await t.admin.post('/api/v1/users', {
      username: unique('hk'),
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: a.stationId,
      skills: ['meal'],
    });
    await query(`UPDATE users SET service_org_id = $1 WHERE id = $2`, [org.rows[0].id, volunteer.body.id]);
    await order('emergency', 'completed', '2026-07-02T10:00:00', {
      acceptS: 60,
      onSiteLocal: '2026-07-02T10:20:00',
      assignee: volunteer.body.id,
    });
    await order('meal', 'completed', '2026-07-05T08:00:00', {
      acceptS: 120,
      scheduledLocal: '2026-07-05T11:00:00',
      onSiteLocal: '2026-07-05T11:10:00',
      assignee: housekeeper.body.id,
    });
    await order('emergency', 'unassigned', '2026-08-01T12:00:00', { alertId: fall });
    await order('cleaning', 'cancelled', '2026-08-03T09:00:00');
    await order('emergency', 'completed', '2026-09-01T20:00:00', {
      acceptS: 30,
      onSiteLocal: '2026-09-01T20:50:00',
      assignee: volunteer.body.id,
    });
    // The SOS of 15 August: dispatched a minute later, the volunteer on site 12 minutes after the alert.
    await order('emergency', 'completed', '2026-08-15T10:01:00', {
      acceptS: 45,
      onSiteLocal: '2026-08-15T10:12:00',
      assignee: volunteer.body.id,
      alertId: sos,
    });
    await order('emergency', 'completed', '2026-06-30T20:00:00', { acceptS: 1 }); // Q2
  });
  afterAll(async () => {
    await sql?.end();
    await t?.stop();
  });

  it('reports the alert KPIs of the quarter for the whole district', async () => {
    const res = await t.admin.get(
      `/api/v1/reports/alerts?from=${encodeURIComponent(Q3.from)}&to=${encodeURIComponent(Q3.to)}`,
    );
    expect(res.status).toBe(200);
    const r = res.body as AlertReport;
    expect(r.total).toBe(6);
    expect(r.byKind).toEqual({ sos: 2, fall: 1, smoke: 1, device_offline: 1, gas: 1 });
    expect(r.byOrgUnit.map((u) => [u.orgUnitId, u.total])).toEqual([
      [a.communityId, 5],
      [b.communityId, 1],
    ]);
    // Within 60 s: 30 s and 10 s (2 of 6); within 180 s: also 90 s (3 of 6). Never acknowledged: not within.
    expect(r.acknowledgedWithin60s).toBeCloseTo(2 / 6, 6);
    expect(r.acknowledgedWithin180s).toBeCloseTo(3 / 6, 6);
    // Acknowledged after 10, 30, 90, 200 s: median (30 + 90) / 2; p90 at rank 2.7: 90 + 0.7 × 110.
    expect(r.medianAcknowledgeSeconds).toBe(60);
    expect(r.p90AcknowledgeSeconds).toBe(167);
    // Operators' outcomes: real, false, false, real (the auto-resolved and the open one are not judged).
    expect(r.falseAlarmRate).toBeCloseTo(0.5, 6);
    // Days in the platform's zone: the first alert (UTC: 30 June 16:00) is on 1 July.
    expect(r.byDay).toEqual(
      ['2026-07-01', '2026-08-01', '2026-08-15', '2026-08-20', '2026-09-10', '2026-09-30'].map((day) => ({
        day,
        total: 1,
      })),
    );
    expect(r.escalated).toBe(1);
    // Two alerts got orders: the fall's went unassigned, the SOS's volunteer was on site after 12 minutes.
    expect(r.unassignedEmergencies).toBe(1);
    expect(r.medianOnSiteSeconds).toBe(720);
    expect(r.onSiteWithin15min).toBeCloseTo(0.5, 6);
    expect(r.onSiteWithin45min).toBeCloseTo(0.5, 6);
    // Acknowledged after 30 s and 10 s; 90 s; 200 s; two never.
    expect(r.acknowledgeTimes.map((b) => b.total)).toEqual([2, 0, 1, 0, 1, 0, 2]);
  });

  it("gives a station's operator its own figures only, and refuses another station's unit", async () => {
    const q = `from=${encodeURIComponent(Q3.from)}&to=${encodeURIComponent(Q3.to)}`;
    const r = (await a.operator.get(`/api/v1/reports/alerts?${q}`)).body as AlertReport;
    expect(r.total).toBe(5);
    expect(r.acknowledgedWithin60s).toBeCloseTo(1 / 5, 6);
    expect(r.acknowledgedWithin180s).toBeCloseTo(2 / 5, 6);
    expect(r.medianAcknowledgeSeconds).toBe(90); // 30, 90, 200
    expect(r.p90AcknowledgeSeconds).toBe(178); // rank 1.8: 90 + 0.8 × 110
    expect(r.falseAlarmRate).toBeCloseTo(2 / 3, 6);
    expect((await a.operator.get(`/api/v1/reports/alerts?${q}&orgUnitId=${b.stationId}`)).status).toBe(404);
    // The admin narrowing to station B gets B's one alert.
    const onlyB = (await t.admin.get(`/api/v1/reports/alerts?${q}&orgUnitId=${b.stationId}`)).body as AlertReport;
    expect(onlyB.total).toBe(1);
    expect(onlyB.byKind).toEqual({ gas: 1 });
  });

  it('reports the order KPIs of the quarter', async () => {
    const q = `from=${encodeURIComponent(Q3.from)}&to=${encodeURIComponent(Q3.to)}`;
    const r = (await a.operator.get(`/api/v1/reports/orders?${q}`)).body as OrderReport;
    expect(r.total).toBe(6);
    expect(r.byKind).toEqual({ emergency: 4, meal: 1, cleaning: 1 });
    expect(r.completed).toBe(4);
    expect(r.unassigned).toBe(1);
    expect(r.cancelled).toBe(1);
    expect(r.medianAcceptSeconds).toBe(52.5); // 30, 45, 60, 120
    // On site 20 min after the order, 10 min after the meal's 11:00 slot, 50 min and 11 min after the order.
    expect(r.medianArrivalSeconds).toBe(930); // 600, 660, 1200, 3000
    // Not cancelled: 5; on site within 45 min: 3 (the unassigned one never arrived).
    expect(r.arrivedWithin45min).toBeCloseTo(0.6, 6);
    expect(r.carePlanOnTime).toBeNull(); // no care-plan order in the quarter
    const byOrg = Object.fromEntries(r.byServiceOrg.map((o) => [o.serviceOrgId ?? 'none', o.total]));
    expect(Object.values(byOrg)).toEqual([3, 3]);
    expect(byOrg.none).toBe(3);
  });

  it('downloads the same figures as XLSX with Chinese headers, and as CSV', async () => {
    const q = `from=${encodeURIComponent(Q3.from)}&to=${encodeURIComponent(Q3.to)}`;
    const res = await fetch(`${t.api.baseUrl}/api/v1/reports/alerts?${q}&format=xlsx`, {
      headers: { Authorization: `Bearer ${a.operator.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const summary = book.getWorksheet('告警概要')!;
    expect(summary.getRow(1).values).toEqual([undefined, '指标', '数值']);
    const value = (label: string) =>
      summary.getSheetValues().find((row) => Array.isArray(row) && row[1] === label)?.[2 as never];
    expect(value('告警总数')).toBe(5);
    expect(value('60秒内确认率')).toBeCloseTo(0.2, 6);
    expect(value('误报率')).toBeCloseTo(2 / 3, 6);
    const kinds = book.getWorksheet('按类型')!;
    expect(kinds.getRow(1).values).toEqual([undefined, '告警类型', '类型代码', '数量']);
    expect(kinds.getRow(2).values).toEqual([undefined, '紧急呼叫', 'sos', 2]);

    const csv = await fetch(`${t.api.baseUrl}/api/v1/reports/orders?${q}&format=csv`, {
      headers: { Authorization: `Bearer ${a.operator.token}` },
    });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    expect(text).toContain('工单总数,6');
    expect(text).toContain('助餐,meal,1');
  });

  it('reports devices: per type, offline incidents, and availability from the offline time', async () => {
    const q = `from=${encodeURIComponent(Q3.from)}&to=${encodeURIComponent(Q3.to)}`;
    const r = (await a.operator.get(`/api/v1/reports/devices?${q}`)).body as DeviceReport;
    expect(r.total).toBe(1);
    expect(r.byType).toEqual([{ type: 'sos_button', total: 1, onlineNow: 0, rejectedMessages: 0 }]);
    expect(r.offlineIncidents).toBe(1);
    // One hour offline (the auto-resolved device_offline) of one device over Q3's 92 days.
    expect(r.availability).toBeCloseTo(1 - 3600 / (92 * 86400), 9);
  });

  it('builds the quarterly report (季度报表) as one XLSX with a sheet per topic, for the quarter in the platform zone', async () => {
    const res = await fetch(`${t.api.baseUrl}/api/v1/reports/quarterly?year=2026&quarter=3`, {
      headers: { Authorization: `Bearer ${a.operator.token}` },
    });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('content-disposition') ?? '')).toContain('季度报表_2026Q3.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    expect(book.worksheets.map((w) => w.name)).toEqual([
      '告警概要',
      '确认用时分布',
      '按日期',
      '按类型',
      '按单位',
      '工单概要',
      '按服务类型',
      '按服务机构',
      '设备概要',
      '按设备类型',
    ]);
    const cell = (sheet: string, label: string) =>
      book
        .getWorksheet(sheet)!
        .getSheetValues()
        .find((row) => Array.isArray(row) && row[1] === label)?.[2 as never];
    expect(cell('告警概要', '告警总数')).toBe(5);
    expect(cell('工单概要', '工单总数')).toBe(6);
    expect(cell('设备概要', '离线次数')).toBe(1);
    expect(book.getWorksheet('按设备类型')!.getRow(2).values).toEqual([undefined, '紧急按钮', 1, 0, 0]);
  });

  it('refuses a report without a period, or with one that ends before it starts, naming the field', async () => {
    const none = await t.admin.get('/api/v1/reports/alerts');
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.body)).toMatch(/from/);
    const backwards = await t.admin.get(
      `/api/v1/reports/alerts?from=${encodeURIComponent(Q3.to)}&to=${encodeURIComponent(Q3.from)}`,
    );
    expect(backwards.status).toBe(400);
    expect((await b.operator.get(`/api/v1/reports/orders?from=${encodeURIComponent(Q3.from)}&to=x`)).status).toBe(400);
  });

  it('lists the alert history of any status in a period, newest first, with paging and X-Total-Count', async () => {
    const q = `from=${encodeURIComponent(Q3.from)}&to=${encodeURIComponent(Q3.to)}`;
    const first = await a.operator.get(`/api/v1/alerts?${q}&page=1&pageSize=2`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-total-count')).toBe('5');
    const opened = (list: AlertView[]) => list.map((x) => new Date(x.openedAt).toISOString());
    expect(opened(first.body)).toEqual([
      at('2026-09-30T23:59:59').toISOString(),
      at('2026-09-10T03:00:00').toISOString(),
    ]);
    const third = await a.operator.get(`/api/v1/alerts?${q}&page=3&pageSize=2`);
    expect(opened(third.body)).toEqual([at('2026-07-01T00:00:00').toISOString()]);
    const resolvedSos = await a.operator.get(`/api/v1/alerts?${q}&status=resolved&kind=sos`);
    expect(resolvedSos.body).toHaveLength(2);
    const falseAlarms = await a.operator.get(`/api/v1/alerts?${q}&outcome=false_alarm`);
    expect(falseAlarms.body.map((x: AlertView) => x.kind).sort()).toEqual(['fall', 'sos']);
    const residentA = (await a.operator.get(`/api/v1/residents/${a.residentId}`)).body.name as string;
    const residentB = (await b.operator.get(`/api/v1/residents/${b.residentId}`)).body.name as string;
    const byName = await a.operator.get(`/api/v1/alerts?${q}&residentName=${encodeURIComponent(residentA.slice(1))}`);
    expect(byName.headers.get('x-total-count')).toBe('5');
    // A name with LIKE's wildcards matches literally, and another station's resident is not found.
    expect((await a.operator.get(`/api/v1/alerts?${q}&residentName=%25`)).body).toEqual([]);
    expect((await a.operator.get(`/api/v1/alerts?${q}&residentName=${encodeURIComponent(residentB)}`)).body).toEqual(
      [],
    );
    const residentOrders = await t.admin.get(`/api/v1/orders?residentId=${a.residentId}&${q}`);
    expect(residentOrders.headers.get('x-total-count')).toBe('6');
    expect((await t.admin.get(`/api/v1/orders?residentId=${b.residentId}&${q}`)).body).toEqual([]);
    // Station B's operator, asking for station A's unit, sees nothing of it.
    const other = await b.operator.get(`/api/v1/alerts?${q}&orgUnitId=${a.stationId}`);
    expect(other.body).toEqual([]);
  });
});
