import 'reflect-metadata';
import ExcelJS from 'exceljs';
import type { MqttClient } from 'mqtt';
import { Client } from 'pg';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, publishQos1, refusalCode, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { until } from '../../support/until';

const ID = '11010519491231002X';
const CONTACT = { name: '赵文静', relation: '女儿', phone: '13912340001' };
const PHONE = '13700001111';
const ADDRESS = '幸福路 88 号 2 单元 502';

/**
 * Issue 16 (PIPL): an admin exports everything held on one resident, and erases a resident — the
 * personal data gone, the devices stopped, alert and order history kept without anything naming them.
 * Every read of a resident's detail is audited.
 */
describe('a resident’s personal data: export, erasure, audited reads', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let sql: Client;
  let name: string;
  let device: MqttClient;
  let seq = 1;

  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_QUEUE_PREFIX: unique('erasure') });
    s = await createStation(t.admin, await createCenter(t.admin));
    sql = new Client({ connectionString: t.database.url });
    await sql.connect();
    name = (await s.operator.get(`/api/v1/residents/${s.residentId}`)).body.name;
    const archive = await s.operator.patch(`/api/v1/residents/${s.residentId}`, {
      address: ADDRESS,
      phone: PHONE,
      birthDate: '1949-12-31',
      gender: 'female',
      idCardNumber: ID,
      benefitCategories: ['living_alone'],
      medications: '硝苯地平',
      allergies: '青霉素',
      gp: '幸福路卫生站 孙医生',
      keyHolder: '邻居周阿姨 501 室',
      emergencyContacts: [CONTACT],
      careProfile: {
        conditions: ['hypertension'],
        responderNotes: `钥匙在门口地垫下，${name}耳背`,
        safeZone: { lat: 39.9, lon: 116.4, radiusM: 500 },
      },
    });
    expect(archive.status).toBe(200);
    device = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
  });
  afterAll(async () => {
    device?.end(true);
    await sql?.end();
    await t?.stop();
  });

  const sos = () =>
    publishQos1(device, topic(s.deviceId, 'events'), JSON.stringify({ type: 'sos', ts: Date.now(), seq: seq++ }));
  const openAlert = () =>
    until('an open SOS alert', async () => {
      const list = await s.operator.get(`/api/v1/alerts?residentId=${s.residentId}&status=open`);
      return list.body[0]?.id as string | undefined;
    });

  /** History that names the person: a resolved alert with notes, an open one, a cancelled and an open order, a plan. */
  async function history(): Promise<{ resolvedAlert: string; openAlertId: string }> {
    await sos();
    const resolvedAlert = await openAlert();
    await s.operator.post(`/api/v1/alerts/${resolvedAlert}/acknowledge`, {
      note: `已致电${name}的女儿${CONTACT.name}`,
    });
    const resolved = await s.operator.post(`/api/v1/alerts/${resolvedAlert}/resolve`, {
      outcome: 'false_alarm',
      note: `${name}误按`,
    });
    expect(resolved.status).toBe(200);
    await sos();
    const openAlertId = await openAlert();
    await s.operator.post(`/api/v1/alerts/${openAlertId}/acknowledge`, { note: `${name}家中无人应答` });
    const cancelled = await s.operator.post('/api/v1/orders', {
      kind: 'meal',
      residentId: s.residentId,
      notes: `给${name}送午饭`,
    });
    expect(cancelled.status).toBe(201);
    await s.operator.post(`/api/v1/orders/${cancelled.body.id}/cancel`, { reason: `${name}住院了` });
    const open = await s.operator.post('/api/v1/orders', {
      kind: 'cleaning',
      residentId: s.residentId,
      notes: `${name}家打扫，电话${PHONE}`,
    });
    expect(open.status).toBe(201);
    await sql.query(
      `INSERT INTO care_plans (resident_id, kind, weekdays, time_of_day, notes) VALUES ($1, 'bathing', '{2}', '10:00', $2)`,
      [s.residentId, `${name}洗澡需两人`],
    );
    return { resolvedAlert, openAlertId };
  }

  let alerts: { resolvedAlert: string; openAlertId: string };

  it('exports everything held on the resident to an admin, as JSON and as a Chinese XLSX, audited', async () => {
    alerts = await history();
    expect((await s.operator.get(`/api/v1/residents/${s.residentId}/export`)).status).toBe(403);

    const json = await t.admin.get(`/api/v1/residents/${s.residentId}/export?format=json&days=7`);
    expect(json.status).toBe(200);
    expect(json.body.resident).toMatchObject({
      id: s.residentId,
      name,
      idCardNumber: ID,
      phone: PHONE,
      address: ADDRESS,
      birthDate: '1949-12-31',
      medications: '硝苯地平',
      keyHolder: '邻居周阿姨 501 室',
    });
    expect(json.body.emergencyContacts).toEqual([CONTACT]);
    expect(json.body.careProfile.responderNotes).toContain('钥匙在门口地垫下');
    expect(json.body.devices.map((d: { id: string }) => d.id)).toEqual([s.deviceId]);
    expect(json.body.carePlans).toHaveLength(1);
    expect(json.body.alerts.map((a: { id: string }) => a.id).sort()).toEqual(
      [alerts.resolvedAlert, alerts.openAlertId].sort(),
    );
    expect(json.body.orders).toHaveLength(2);
    expect(json.body.eventsDays).toBe(7);
    expect(json.body.events.filter((e: { type: string }) => e.type === 'sos')).toHaveLength(2);
    expect(json.body.truncated).toEqual({ alerts: false, orders: false, events: false });
    expect((await t.admin.get(`/api/v1/residents/${s.residentId}/export?days=9999`)).body.message).toMatch(/^days:/);

    const res = await fetch(`${t.api.baseUrl}/api/v1/residents/${s.residentId}/export?format=xlsx`, {
      headers: { Authorization: `Bearer ${t.admin.token}` },
    });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('content-disposition') ?? '')).toContain('老人档案导出');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    expect(book.worksheets.map((w) => w.name)).toEqual([
      '老人档案',
      '紧急联系人',
      '设备',
      '照护计划',
      '告警',
      '工单',
      '设备事件（近30天）',
    ]);
    const cells = (sheet: string) =>
      book
        .getWorksheet(sheet)!
        .getSheetValues()
        .map((row) => (Array.isArray(row) ? row.slice(1) : []));
    expect(cells('老人档案')).toContainEqual(['身份证号', ID]);
    expect(cells('老人档案')).toContainEqual(['健康状况', '高血压']);
    expect(cells('紧急联系人')[1]).toEqual(['顺序', '姓名', '关系', '电话']);
    expect(cells('紧急联系人')[2]).toEqual([1, CONTACT.name, CONTACT.relation, CONTACT.phone]);
    expect(cells('告警').flat()).toContain('紧急呼叫');

    const audit = await t.admin.get(`/api/v1/audit-log?action=resident.export&subjectId=${s.residentId}`);
    expect(audit.body.map((e: { detail: { format: string } }) => e.detail.format).sort()).toEqual(['json', 'xlsx']);
  });

  it('audits every read of a resident’s detail, and the audit listing finds them', async () => {
    const before = await t.admin.get(`/api/v1/audit-log?action=resident.read&subjectId=${s.residentId}`);
    expect((await s.operator.get(`/api/v1/residents/${s.residentId}`)).status).toBe(200);
    const after = await t.admin.get(`/api/v1/audit-log?action=resident.read&subjectId=${s.residentId}`);
    expect(Number(after.headers.get('x-total-count'))).toBe(Number(before.headers.get('x-total-count')) + 1);
    expect(after.body[0]).toMatchObject({ action: 'resident.read', actorId: s.operatorId, subjectId: s.residentId });
    expect((await s.operator.get(`/api/v1/audit-log?action=resident.read`)).status).toBe(403);
  });

  it('erases the resident: no personal data left, devices stopped, history kept without names', async () => {
    expect((await s.operator.post(`/api/v1/residents/${s.residentId}/erase`)).status).toBe(403);

    const erased = await t.admin.post(`/api/v1/residents/${s.residentId}/erase`);
    expect(erased.status).toBe(200);
    expect(erased.body.name).toBe(`已注销老人 #${s.residentId.slice(0, 8)}`);
    expect(erased.body).toMatchObject({
      address: null,
      phone: null,
      birthDate: null,
      idCardMasked: null,
      emergencyContacts: [],
      careProfile: {},
      medications: null,
      allergies: null,
      gp: null,
      keyHolder: null,
    });
    expect(erased.body.erasedAt).not.toBeNull();
    expect(erased.body.erasure).toMatchObject({ devicesDisabled: 1, carePlansEnded: 1, alertsResolved: 1 });
    expect(erased.body.erasure.ordersCancelled).toBeGreaterThanOrEqual(0);

    // Nothing that names or reaches the person, in any table a dump holds.
    const personal = [name, PHONE, ADDRESS, ID, CONTACT.name, CONTACT.phone, '硝苯地平', '青霉素', '周阿姨', '地垫'];
    for (const table of [
      'residents',
      'alerts',
      'service_orders',
      'order_timeline',
      'care_plans',
      'audit_log',
      'notification_outbox',
      'device_events',
    ]) {
      const dump = (await sql.query(`SELECT coalesce(string_agg(row_to_json(x)::text, ''), '') AS d FROM ${table} x`))
        .rows[0].d as string;
      for (const value of personal)
        expect({ table, leaks: dump.includes(value) ? value : null }).toEqual({ table, leaks: null });
    }

    // The history stays for statistics: kinds, times, unit; the open alert closed, the open order ended.
    const kept = await sql.query(
      `SELECT kind, status, org_unit_id, opened_at, outcome FROM alerts WHERE resident_id = $1 ORDER BY opened_at`,
      [s.residentId],
    );
    expect(kept.rows.map((r) => [r.kind, r.status, r.org_unit_id, r.outcome])).toEqual([
      ['sos', 'resolved', s.communityId, 'false_alarm'],
      ['sos', 'resolved', s.communityId, 'auto_resolved'],
    ]);
    const orders = await sql.query(
      `SELECT kind, status FROM service_orders WHERE resident_id = $1 ORDER BY created_at`,
      [s.residentId],
    );
    expect(orders.rows.map((r) => r.kind)).toEqual(['meal', 'cleaning']);
    expect(orders.rows.every((r) => ['cancelled', 'unassigned', 'completed'].includes(r.status))).toBe(true);
    const plan = await sql.query(`SELECT active, ended_at FROM care_plans WHERE resident_id = $1`, [s.residentId]);
    expect(plan.rows[0]).toMatchObject({ active: false });
    expect(plan.rows[0].ended_at).not.toBeNull();

    // Its device is disabled: dropped, refused on reconnect, so nothing new is raised for the person.
    const devices = await t.admin.get(`/api/v1/devices?residentId=${s.residentId}`);
    expect(devices.body.map((d: { enabled: boolean }) => d.enabled)).toEqual([false]);
    await until('the session dropped', async () => (device.connected ? undefined : true), 10_000);
    expect(await refusalCode(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5)).not.toBe(0);

    // The audit row says who erased whom, with counts only.
    const audit = await t.admin.get(`/api/v1/audit-log?action=resident.erase&subjectId=${s.residentId}`);
    expect(audit.body).toHaveLength(1);
    expect(audit.body[0].actorUsername).toBe('admin');
    expect(audit.body[0].detail).toMatchObject({ devicesDisabled: 1, again: false });

    // The record stays anonymous: no personal data is written back, and erasing again changes nothing.
    const rewrite = await t.admin.patch(`/api/v1/residents/${s.residentId}`, { phone: PHONE });
    expect(rewrite.status).toBe(409);
    // Nothing new is attached to the person: no device switched back on, no new device, plan or order.
    const reenable = await s.operator.patch(`/api/v1/devices/${s.deviceId}`, { enabled: true });
    expect(reenable.status).toBe(409);
    expect(reenable.body.message).toMatch(/^enabled: .*erased/);
    const refused = [
      await s.operator.post('/api/v1/devices', { type: 'wearable', residentId: s.residentId }),
      await s.operator.post('/api/v1/care-plans', {
        residentId: s.residentId,
        kind: 'meal',
        weekdays: [1],
        timeOfDay: '11:00',
      }),
      await s.operator.post('/api/v1/orders', { kind: 'meal', residentId: s.residentId }),
    ];
    expect(refused.map((r) => [r.status, String(r.body.message).split(':')[0]])).toEqual([
      [409, 'residentId'],
      [409, 'residentId'],
      [409, 'residentId'],
    ]);
    const row = await sql.query(`SELECT benefit_categories FROM residents WHERE id = $1`, [s.residentId]);
    expect(row.rows[0].benefit_categories).toEqual([]);
    const again = await t.admin.post(`/api/v1/residents/${s.residentId}/erase`);
    expect(again.status).toBe(200);
    expect(again.body.erasure).toMatchObject({ devicesDisabled: 0, alertsResolved: 0, ordersCancelled: 0 });
    expect(again.body.name).toBe(erased.body.name);
  });
});
