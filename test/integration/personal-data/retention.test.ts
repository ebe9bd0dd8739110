import 'reflect-metadata';
import { Client } from 'pg';
import type { RunningPlatform } from '../../../apps/platform/src/platform';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startPlatformOn, startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { until } from '../../support/until';

/** This process's runs of a deployment task, from its own /metrics. */
async function runsOf(p: RunningPlatform, task: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${p.httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`anxin_deployment_task_runs_total{task="${task}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/**
 * Issue 16 (PIPL): how long device events, alerts, orders and the audit log are kept is an admin setting
 * in the database; one hourly prune across the deployment removes what is older, closed alerts and orders
 * only.
 */
describe('retention settings and the prune', () => {
  // Two processes of one deployment share a Redis (the machine's; the queue prefix keeps this test's own).
  const deployment = { REDIS_URL: 'redis://127.0.0.1:6379', ANXIN_QUEUE_PREFIX: unique('retention') };
  let t: TestPlatform;
  let s: StationFixture;
  let sql: Client;
  let second: RunningPlatform | undefined;

  beforeAll(async () => {
    t = await startTestPlatform(deployment);
    s = await createStation(t.admin, await createCenter(t.admin));
    sql = new Client({ connectionString: t.database.url });
    await sql.connect();
  });
  afterAll(async () => {
    await second?.stop();
    await sql?.end();
    await t?.stop();
  });

  it('lets only an admin read and set the retention, each field a positive number of days or null', async () => {
    expect((await t.admin.get('/api/v1/settings/retention')).body).toEqual({
      deviceEventsDays: 180,
      alertsDays: 1095,
      ordersDays: 1095,
      auditLogDays: 1095,
    });
    expect((await s.operator.get('/api/v1/settings/retention')).status).toBe(403);
    const valid = { deviceEventsDays: 30, alertsDays: 30, ordersDays: null, auditLogDays: 30 };
    expect((await s.operator.request('PUT', '/api/v1/settings/retention', valid)).status).toBe(403);
    for (const [field, value] of [
      ['alertsDays', 0],
      ['ordersDays', 1.5],
      ['auditLogDays', '30'],
    ] as const) {
      const res = await t.admin.request('PUT', '/api/v1/settings/retention', { ...valid, [field]: value });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`^${field}:`));
    }
    const { auditLogDays: _, ...partial } = valid;
    expect((await t.admin.request('PUT', '/api/v1/settings/retention', partial)).body.message).toMatch(
      /^auditLogDays:/,
    );

    const saved = await t.admin.request('PUT', '/api/v1/settings/retention', { ...valid, ordersDays: 30 });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ ...valid, ordersDays: 30 });
    expect((await t.admin.get('/api/v1/settings/retention')).body).toEqual(saved.body);
    const audit = await t.admin.get('/api/v1/audit-log?action=settings.retention_update');
    expect(audit.body[0].detail.after).toEqual(saved.body);
  });

  it('removes in one run of the deployment’s prune what is older than the setting; newer and open rows stay', async () => {
    // Rows 40 days and 1 day old of each kind (the retention is 30 days), and an open alert and order of 40 days.
    const at = (days: number) => `now() - interval '${days} days'`;
    const ids = async (q: string) => (await sql.query(q)).rows.map((r) => String(r.id));
    const r = s.residentId;
    const u = s.communityId;
    const oldEvent =
      await ids(`INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, received_at, payload)
      VALUES ('${s.deviceId}', '${r}', '${u}', 1001, 'motion', ${at(40)}, ${at(40)}, '{}') RETURNING id`);
    const newEvent =
      await ids(`INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, received_at, payload)
      VALUES ('${s.deviceId}', '${r}', '${u}', 1002, 'motion', ${at(1)}, ${at(1)}, '{}') RETURNING id`);
    const alert = (kind: string, status: string, days: number) =>
      ids(`INSERT INTO alerts (resident_id, org_unit_id, kind, severity, status, opened_at, resolved_at)
        VALUES ('${r}', '${u}', '${kind}', 'high', '${status}', ${at(days + 1)},
          ${status === 'resolved' ? at(days) : 'NULL'}) RETURNING id`);
    const oldAlert = await alert('fall', 'resolved', 40);
    const newAlert = await alert('fall', 'resolved', 1);
    const openAlert = await alert('smoke', 'acknowledged', 40);
    const order = (status: string, days: number) =>
      ids(`INSERT INTO service_orders (kind, status, resident_id, org_unit_id, created_at, updated_at, completed_at)
        VALUES ('meal', '${status}', '${r}', '${u}', ${at(days + 1)}, ${at(days)},
          ${status === 'completed' ? at(days) : 'NULL'}) RETURNING id`);
    const oldOrder = await order('completed', 40);
    const oldCancelled = await order('cancelled', 40);
    const newOrder = await order('completed', 1);
    const openOrder = await order('accepted', 40);
    const audit = (days: number) =>
      ids(`INSERT INTO audit_log (at, action, subject_type) VALUES (${at(days)}, 'test.old', 'test') RETURNING id`);
    const oldAudit = await audit(40);
    const newAudit = await audit(1);

    // The deployment's prune ran once, when the first process started; the next run falls due now, and a
    // second process of the deployment takes it.
    expect(await runsOf(t.platform, 'retention-prune')).toBe(1);
    await sql.query(
      `UPDATE deployment_tasks SET next_run_at = now() - interval '1 minute' WHERE name = 'retention-prune'`,
    );
    second = await startPlatformOn(t.database.url, deployment);
    const remaining = async (table: string, list: string[][]) =>
      (await sql.query(`SELECT id::text FROM ${table} WHERE id::text = ANY($1)`, [list.flat()])).rows.map((x) => x.id);
    await until('the expired rows pruned', async () =>
      (await remaining('audit_log', [oldAudit])).length === 0 ? true : undefined,
    );
    expect(await remaining('device_events', [oldEvent, newEvent])).toEqual(newEvent);
    expect((await remaining('alerts', [oldAlert, newAlert, openAlert])).sort()).toEqual(
      [...newAlert, ...openAlert].sort(),
    );
    expect((await remaining('service_orders', [oldOrder, oldCancelled, newOrder, openOrder])).sort()).toEqual(
      [...newOrder, ...openOrder].sort(),
    );
    expect(await remaining('audit_log', [oldAudit, newAudit])).toEqual(newAudit);
    // One run between the two processes, not one each.
    expect((await runsOf(t.platform, 'retention-prune')) + (await runsOf(second, 'retention-prune'))).toBe(2);
  });
});
