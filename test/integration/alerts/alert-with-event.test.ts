import type { MqttClient } from 'mqtt';
import { Client } from 'pg';
import { type ConsoleWatcher, watchConsole } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, event, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { until, within } from '../../support/until';

/**
 * Issue 13 (S3, S7): a life-safety event and its alert commit together, so the
 * device's PUBACK means the alert is stored too (one commit per press, not two);
 * and neither a failing alert write nor another transaction's lock on the
 * resident's earlier event can hold the SOS itself back.
 */
describe('an SOS and its alert commit together', () => {
  let t: TestPlatform;
  let console: ConsoleWatcher;
  let sql: Client;
  let center: string;
  const devices: MqttClient[] = [];

  async function station(): Promise<{ fixture: StationFixture; button: MqttClient }> {
    const fixture = await createStation(t.admin, center);
    const button = await connectDevice(t.mqttPort, { id: fixture.deviceId, secret: fixture.deviceSecret });
    button.on('error', () => undefined);
    devices.push(button);
    return { fixture, button };
  }

  const alertsOf = async (residentId: string) =>
    (
      await sql.query<{ kind: string; status: string; eventId: string }>(
        `SELECT kind, status, event_id::text AS "eventId" FROM alerts WHERE resident_id = $1`,
        [residentId],
      )
    ).rows;

  beforeAll(async () => {
    t = await startTestPlatform();
    center = await createCenter(t.admin);
    console = await watchConsole(t.api.baseUrl, t.admin.token!);
    sql = new Client({ connectionString: t.database.url });
    await sql.connect();
  });
  afterAll(async () => {
    console.close();
    for (const device of devices) device.end(true);
    await sql?.end();
    await t.stop();
  });

  it('has the alert stored by the time the SOS is acknowledged', async () => {
    const homes = await Promise.all([station(), station(), station(), station(), station()]);
    for (const { fixture, button } of homes) {
      expect(await publishQos1(button, topic(fixture.deviceId, 'events'), event('sos'))).toBe(0);
      // Read at once, on another connection: the PUBACK came after the alert's commit.
      const stored = await sql.query<{ id: string; processed: boolean }>(
        `SELECT id::text, processed_at IS NOT NULL AS processed FROM device_events WHERE device_id = $1 AND type = 'sos'`,
        [fixture.deviceId],
      );
      expect(stored.rows).toEqual([{ id: expect.any(String), processed: true }]);
      expect(await alertsOf(fixture.residentId)).toEqual([
        { kind: 'sos', status: 'open', eventId: stored.rows[0]!.id },
      ]);
      const raised = await console.waitFor('alert:raised', (a) => a.residentId === fixture.residentId);
      // Its first escalation timer committed with it (the wake-up is only a hint: the row is the truth).
      const timer = await sql.query(`SELECT payload, due_at > now() AS later FROM due_timers WHERE job_id = $1`, [
        `escalate:${raised.id}:1`,
      ]);
      expect(timer.rows).toEqual([{ payload: { alertId: raised.id, level: 1 }, later: true }]);
    }
    // A press sent again (its PUBACK lost): stored and counted once (CONTRACT §2).
    const { fixture, button } = homes[0];
    const again = event('sos');
    expect(await publishQos1(button, topic(fixture.deviceId, 'events'), again)).toBe(0);
    expect(await publishQos1(button, topic(fixture.deviceId, 'events'), again, { dup: true })).toBe(0);
    const counted = await sql.query(
      `SELECT occurrences, (SELECT count(*)::int FROM device_events WHERE device_id = $2) AS events
         FROM alerts WHERE resident_id = $1`,
      [fixture.residentId, fixture.deviceId],
    );
    expect(counted.rows).toEqual([{ occurrences: 2, events: 2 }]);
  });

  it('stores and acknowledges an SOS whose alert cannot be written, and raises it once it can', async () => {
    const { fixture, button } = await station();
    // The alert insert fails with a data error (SQLSTATE 22023): were it taken for the event's own, the
    // SOS would be refused as bad data instead of stored.
    await sql.query(`CREATE TABLE alert_write_fault (resident_id uuid PRIMARY KEY)`);
    await sql.query(`CREATE FUNCTION refuse_faulty_alert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM alert_write_fault f WHERE f.resident_id = NEW.resident_id) THEN
          RAISE EXCEPTION 'injected alert write failure' USING ERRCODE = '22023';
        END IF;
        RETURN NEW;
      END $$`);
    await sql.query(
      `CREATE TRIGGER refuse_faulty_alert BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION refuse_faulty_alert()`,
    );
    try {
      await sql.query(`INSERT INTO alert_write_fault VALUES ($1)`, [fixture.residentId]);
      expect(await within('the SOS PUBACK', publishQos1(button, topic(fixture.deviceId, 'events'), event('sos')))).toBe(
        0,
      );
      const stored = await sql.query(`SELECT processed_at FROM device_events WHERE device_id = $1 AND type = 'sos'`, [
        fixture.deviceId,
      ]);
      expect(stored.rows).toEqual([{ processed_at: null }]); // kept for the rule pass
      expect(await alertsOf(fixture.residentId)).toEqual([]);
      const rejected = await sql.query(`SELECT rejected_messages FROM devices WHERE id = $1`, [fixture.deviceId]);
      expect(rejected.rows).toEqual([{ rejected_messages: 0 }]);

      await sql.query(`DELETE FROM alert_write_fault`);
      const raised = await console.waitFor('alert:raised', (a) => a.residentId === fixture.residentId, 15_000);
      expect(raised).toMatchObject({ kind: 'sos', status: 'open' });
    } finally {
      await sql.query(`DROP TRIGGER IF EXISTS refuse_faulty_alert ON alerts`);
      await sql.query(`DROP FUNCTION IF EXISTS refuse_faulty_alert()`);
      await sql.query(`DROP TABLE IF EXISTS alert_write_fault`);
    }
  });

  it("acknowledges an SOS at once while another transaction holds the resident's earlier event, and raises it in order after", async () => {
    const { fixture, button } = await station();
    // An earlier event of the resident, pending, locked as a rule pass on another process would hold it.
    const earlier = await sql.query<{ id: string }>(
      `INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, payload)
       SELECT d.id, d.resident_id, r.org_unit_id, 1, 'low_battery', now(), '{"type":"low_battery","seq":1,"battery":5}'
         FROM devices d JOIN residents r ON r.id = d.resident_id WHERE d.id = $1
       RETURNING id::text`,
      [fixture.deviceId],
    );
    const locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      const locked = await locker.query(`SELECT processed_at FROM device_events WHERE id = $1 FOR UPDATE`, [
        earlier.rows[0]!.id,
      ]);
      if (locked.rows[0].processed_at !== null) throw new Error('setup: a rule pass took the event before the lock');

      expect(await within('the SOS PUBACK', publishQos1(button, topic(fixture.deviceId, 'events'), event('sos')))).toBe(
        0,
      );
      // Its alert waits for the earlier event: the life-safety pass applies the resident's events in order.
      await until('the life-safety pass to wait on the lock', async () => {
        const waiting = await sql.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND application_name = 'anxin-lifeSafety'`,
        );
        return waiting.rowCount ? true : undefined;
      });
      expect(await alertsOf(fixture.residentId)).toEqual([]);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    const raised = await console.waitFor(
      'alert:raised',
      (a) => a.residentId === fixture.residentId && a.kind === 'sos',
      15_000,
    );
    expect(raised.status).toBe('open');
    const events = await sql.query<{ type: string; processed: boolean }>(
      `SELECT type, processed_at IS NOT NULL AS processed FROM device_events WHERE device_id = $1 ORDER BY id`,
      [fixture.deviceId],
    );
    expect(events.rows).toEqual([
      { type: 'low_battery', processed: true },
      { type: 'sos', processed: true },
    ]);
  });
});
