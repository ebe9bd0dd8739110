import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { watchConsole, type ConsoleWatcher } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { until, within } from '../../support/until';
import { createHome, sleep } from '../alerts/alert-harness';

const INTAKE_MAX = 40;
const TACHYCARDIA = { heartRate: 150, respirationRate: 14, inBed: true, movement: 1 };
const CALM = { heartRate: 62, respirationRate: 14, inBed: true, movement: 1 };

/**
 * Issue 13: per-reading rule work once held every pool connection while the
 * database was slow (349,999 "telemetry rules failed" lines, RSS 3 GB, ingest
 * starved). Here the residents table is locked, so the telemetry rules cannot
 * load care settings, while three mattresses stream three times the rules' intake.
 */
describe('telemetry rules when their database work stalls', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let console_: ConsoleWatcher;

  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_QUEUE_PREFIX: unique('q'), ANXIN_RULE_INTAKE_MAX: String(INTAKE_MAX) });
    s = await createStation(t.admin, await createCenter(t.admin));
    console_ = await watchConsole(t.api.baseUrl, s.operator.token!);
  });
  afterAll(async () => {
    console_.close();
    await t.stop();
  });

  const metric = async (name: string) => {
    const res = await t.api.get('/metrics');
    const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(String(res.body))?.[1];
    if (value === undefined) throw new Error(`${name} is not on /metrics`);
    return Number(value);
  };

  it('keeps acknowledging and storing readings with the rules held up, within the intake cap, and raises the sustained alert once after', async () => {
    const profile = { rules: { vitalsSustainSeconds: 1 } };
    const [racing, ...calm] = await Promise.all(
      [0, 1, 2].map(() => createHome(s.operator, t.mqttPort, s.communityId, ['mattress'], profile)),
    );
    const homes = [racing!, ...calm];
    const reading = (home: (typeof homes)[number]) => home.telemetry('mattress', home === racing ? TACHYCARDIA : CALM);
    const sql = new Client({ connectionString: t.database.url });
    await sql.connect();
    const locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE residents IN ACCESS EXCLUSIVE MODE');
    try {
      // A first reading takes the rules to the residents table, where they wait on the lock.
      expect(await reading(racing!)).toBe(0);
      await until('the telemetry rules to wait on the lock', async () => {
        const waiting = await sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'anxin-telemetryRules' AND wait_event_type = 'Lock'`,
        );
        return waiting.rows[0]!.n > 0 || undefined;
      });
      // Then three times the intake, each mattress's readings in flight together (a device's are stored in order).
      const sent = homes.map((home) => Promise.all(Array.from({ length: INTAKE_MAX }, () => reading(home))));
      const codes = (await within('the PUBACKs', Promise.all(sent), 30_000)).flat();
      expect(codes).toEqual(new Array(3 * INTAKE_MAX).fill(0));
      const stored = await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM telemetry WHERE device_id = ANY($1::uuid[])`,
        [homes.map((h) => h.devices.mattress!.id)],
      );
      expect(stored.rows[0]!.n).toBe(3 * INTAKE_MAX + 1);

      expect(await metric('anxin_rule_intake_depth')).toBe(INTAKE_MAX);
      expect(await metric('anxin_rule_readings_shed_total')).toBe(2 * INTAKE_MAX);
      // The rules' stalled work holds none of the main pool's connections.
      await within('a query on the main pool', t.platform.app.get(DataSource).query('SELECT 1'), 5_000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
      await sql.end();
    }

    // A few more readings after the stall make the tachycardia sustained past its window, if the backlog did not.
    const raisedFor = (home: (typeof homes)[number]) => console_.raised.filter((a) => a.residentId === home.residentId);
    const alert = await until('abnormal_heart_rate after the stall', async () => {
      const [found] = raisedFor(racing!);
      if (!found) await Promise.all(homes.map(reading));
      return found;
    });
    expect(alert).toMatchObject({ kind: 'abnormal_heart_rate', readings: { heartRate: 150 } });
    await Promise.all(homes.map(reading));
    await sleep(500);
    const open = await s.operator.get(`/api/v1/alerts?residentId=${racing!.residentId}`);
    expect(open.body).toEqual([expect.objectContaining({ kind: 'abnormal_heart_rate', occurrences: 1 })]);
    expect(homes.map((home) => raisedFor(home).length)).toEqual([1, 0, 0]);
    homes.forEach((home) => home.close());
  });
});
