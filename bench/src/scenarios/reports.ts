// REPORTS (issue 15): one year of a 5,000-resident district — ≈ 100,000 alerts, 200,000 orders,
// 40,000 devices — seeded through SQL into a database of its own, then each report timed through
// the HTTP API as a supervisor would ask for it. Printed figures, not a pass/fail test.
import { ApiClient } from '../../../test/support/api-client';
import { fmt, fmtSpread, spread } from '../measure/stats';
import { ADMIN_PASSWORD, startPlatform } from '../services/platform';
import { BenchDatabase } from '../services/postgres';
import { type BenchContext, newResult, type ScenarioResult } from './context';

const STATIONS = 5;
const COMMUNITIES_PER_STATION = 10;
const ALERT_KINDS = [
  'sos',
  'fall',
  'smoke',
  'gas',
  'water_leak',
  'abnormal_heart_rate',
  'device_offline',
  'low_battery',
];
const ORDER_KINDS = ['emergency', 'meal', 'cleaning', 'bathing', 'mobility', 'medical'];
const OUTCOMES = ['real_emergency', 'false_alarm', 'cancelled_by_resident', 'device_fault', 'other'];

/** The district, in SQL: units, residents, devices, a year of alerts and orders (deterministic, no randomness). */
async function seed(db: BenchDatabase, size: { residents: number; alerts: number; orders: number }): Promise<string> {
  const [center] = await db.query<{ id: string }>(
    `INSERT INTO org_units (id, name, kind, path) SELECT g, '新城区养老服务中心', 'center', '/' || g || '/'
     FROM gen_random_uuid() g RETURNING id`,
  );
  await db.query(
    `WITH s AS (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $2) n)
     INSERT INTO org_units (id, name, kind, parent_id, path)
     SELECT id, '街道站' || n, 'station', $1::uuid, '/' || $1::text || '/' || id || '/' FROM s`,
    [center!.id, STATIONS],
  );
  await db.query(
    `WITH c AS (SELECT gen_random_uuid() AS id, s.id AS station, s.path, n
                FROM org_units s, generate_series(1, $1) n WHERE s.kind = 'station')
     INSERT INTO org_units (id, name, kind, parent_id, path) SELECT id, '社区' || n, 'community', station, path || id || '/' FROM c`,
    [COMMUNITIES_PER_STATION],
  );
  await db.query(
    `WITH c AS (SELECT array_agg(id ORDER BY id) AS ids FROM org_units WHERE kind = 'community')
     INSERT INTO residents (name, org_unit_id)
     SELECT '老人' || n, c.ids[1 + n % cardinality(c.ids)] FROM generate_series(1, $1) n, c`,
    [size.residents],
  );
  await db.query(
    `INSERT INTO devices (type, resident_id, org_unit_id, secret_hash)
     SELECT (ARRAY['mattress','wearable','sos_button','smoke_detector','gas_detector','water_leak_sensor','door_sensor','motion_sensor'])[k],
            r.id, r.org_unit_id, 'x'
     FROM residents r, generate_series(1, 8) k`,
  );
  // Alerts spread over the year; acknowledged after 5 s to 10 min (every 20th never), resolved with an outcome.
  await db.query(
    `INSERT INTO alerts (resident_id, org_unit_id, kind, severity, status, opened_at, last_occurred_at,
                         acknowledged_at, resolved_at, outcome)
     SELECT r.id, r.org_unit_id, ($2::text[])[1 + n % array_length($2::text[], 1)], 'high', 'resolved', t, t,
            CASE WHEN n % 20 = 0 THEN NULL ELSE t + make_interval(secs => 5 + (n * 37) % 600) END,
            t + interval '1 hour', ($3::text[])[1 + n % array_length($3::text[], 1)]
     FROM generate_series(1, $1) n
     CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids, array_agg(org_unit_id ORDER BY id) AS units FROM residents) rs
     CROSS JOIN LATERAL (SELECT rs.ids[1 + n % cardinality(rs.ids)] AS id, rs.units[1 + n % cardinality(rs.ids)] AS org_unit_id) r
     CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (n::float8 / $1) * 365 * 86400) AS t) tt`,
    [size.alerts, ALERT_KINDS, OUTCOMES],
  );
  await db.query(
    `INSERT INTO service_orders (kind, status, resident_id, org_unit_id, created_at, accepted_at, on_site_at, completed_at)
     SELECT ($2::text[])[1 + n % array_length($2::text[], 1)],
            CASE WHEN n % 25 = 0 THEN 'unassigned' WHEN n % 30 = 0 THEN 'cancelled' ELSE 'completed' END,
            r.id, r.org_unit_id, t,
            CASE WHEN n % 25 = 0 THEN NULL ELSE t + make_interval(secs => 10 + n % 300) END,
            CASE WHEN n % 25 = 0 THEN NULL ELSE t + make_interval(secs => 600 + (n * 13) % 3600) END,
            CASE WHEN n % 25 = 0 THEN NULL ELSE t + interval '2 hours' END
     FROM generate_series(1, $1) n
     CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids, array_agg(org_unit_id ORDER BY id) AS units FROM residents) rs
     CROSS JOIN LATERAL (SELECT rs.ids[1 + n % cardinality(rs.ids)] AS id, rs.units[1 + n % cardinality(rs.ids)] AS org_unit_id) r
     CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (n::float8 / $1) * 365 * 86400) AS t) tt`,
    [size.orders, ORDER_KINDS],
  );
  await db.query('ANALYZE');
  const [station] = await db.query<{ id: string }>(`SELECT id FROM org_units WHERE kind = 'station' LIMIT 1`);
  return station!.id;
}

export async function runReports(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('REPORTS', 'supervision reports on one year of a district');
  const size =
    ctx.cfg.profile === 'quick'
      ? { residents: 500, alerts: 10_000, orders: 20_000 }
      : { residents: 5_000, alerts: 100_000, orders: 200_000 };
  const db = await BenchDatabase.create('reports');
  try {
    const platform = await startPlatform(db, {
      cpus: ctx.cfg.serverCpus,
      queuePrefix: `rep${Date.now().toString(36)}`,
    });
    try {
      const seeded = performance.now();
      const stationId = await seed(db, size);
      ctx.log(
        `  seeded ${size.residents} residents, ${size.residents * 8} devices, ${size.alerts} alerts, ${size.orders} orders in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
      );
      const admin = await new ApiClient(platform.baseUrl).login('admin', ADMIN_PASSWORD);
      const to = new Date();
      const year = `from=${encodeURIComponent(new Date(to.getTime() - 365 * 86400_000).toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
      const quarter = `from=${encodeURIComponent(new Date(to.getTime() - 91 * 86400_000).toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
      const asks: [string, string][] = [
        ['alert report, the district, one year', `/api/v1/reports/alerts?${year}`],
        ['alert report, one station, one quarter', `/api/v1/reports/alerts?${quarter}&orgUnitId=${stationId}`],
        ['order report, the district, one year', `/api/v1/reports/orders?${year}`],
        ['alert report as XLSX, the district, one year', `/api/v1/reports/alerts?${year}&format=xlsx`],
        ['device report, the district, one year', `/api/v1/reports/devices?${year}`],
        [
          '季度报表 XLSX (alerts, orders, devices), the district',
          `/api/v1/reports/quarterly?year=${to.getFullYear()}&quarter=${Math.floor(to.getMonth() / 3) + 1}`,
        ],
        [
          'alert history, one station, one quarter, first page',
          `/api/v1/alerts?${quarter}&orgUnitId=${stationId}&pageSize=50`,
        ],
      ];
      for (const [figure, path] of asks) {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const started = performance.now();
          const res = await admin.get(path);
          if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
          times.push(performance.now() - started);
        }
        const s = spread(times.slice(1)); // the first warms the caches
        ctx.log(`  ${figure}: ${fmtSpread(s)} ms (first ${fmt(times[0])} ms)`);
        result.rows.push({
          scenario: 'REPORTS',
          figure: `${figure} (${fmt(size.alerts, 0)} alerts, ${fmt(size.orders, 0)} orders)`,
          anxin: `${fmtSpread(s)} ms`,
          peer: '—',
          peerName: 'none (goal from issue 15)',
          ratio: null,
          goal: '< 1 s',
          verdict: s && s.max < 1000 ? 'met' : `MISSED: ${fmt(s?.max)} ms`,
        });
      }
    } finally {
      await platform.stop();
    }
  } finally {
    await db.drop();
  }
  result.notes.push(
    'Each report asked 5 times through the HTTP API as the admin; median and range of the last 4 (the first warms the caches).',
  );
  return result;
}
