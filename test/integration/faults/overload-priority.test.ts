import type { MqttClient } from 'mqtt';
import { Client, type Pool, type PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { DATABASE_LANES, type DatabaseLanes } from '../../../apps/platform/src/database/database-lanes';
import { type ConsoleWatcher, watchConsole } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, event, nextSeq, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { until, within } from '../../support/until';

/**
 * Takes every connection of a platform pool and keeps it until `release`, as
 * a slow statement on each would: the platform's own work on that pool waits.
 * (A connection the platform holds, e.g. a statement blocked on a table lock,
 * is taken as soon as it is given back.)
 */
async function holdEveryConnection(db: DataSource): Promise<{ release(): Promise<void> }> {
  const pool = (db.driver as unknown as { master: Pool }).master;
  const max = pool.options.max;
  const taken = Array.from({ length: max }, () => pool.connect());
  await until('every connection of the pool to be busy', async () =>
    pool.totalCount === max && pool.idleCount === 0 ? true : undefined,
  );
  return {
    release: async () => {
      for (const client of await Promise.all<PoolClient>(taken)) client.release();
    },
  };
}

/**
 * Issue 13: life-safety events are never starved. With bulk telemetry stalled
 * behind a table lock and every connection of the main pool and of the ingest
 * lane taken, an SOS is still acknowledged and on the console, and nothing
 * acknowledged meanwhile is lost.
 */
describe('life-safety events under overload', () => {
  let t: TestPlatform;
  let console: ConsoleWatcher;
  let sos: StationFixture;
  let pair: StationFixture;
  let mattress: StationFixture;
  let later: StationFixture;
  const devices: MqttClient[] = [];

  async function connect(s: StationFixture): Promise<MqttClient> {
    const device = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret });
    device.on('error', () => undefined);
    devices.push(device);
    return device;
  }

  beforeAll(async () => {
    t = await startTestPlatform();
    const center = await createCenter(t.admin);
    sos = await createStation(t.admin, center);
    pair = await createStation(t.admin, center);
    mattress = await createStation(t.admin, center, 'mattress');
    later = await createStation(t.admin, center);
    console = await watchConsole(t.api.baseUrl, t.admin.token!);
  });
  afterAll(async () => {
    console.close();
    for (const device of devices) device.end(true);
    await t.stop();
  });

  it('acknowledges and raises an SOS while bulk work is stalled, keeps sos → sos_cancel in order, loses no reading', async () => {
    const [sosButton, pairButton, bed] = [await connect(sos), await connect(pair), await connect(mattress)];
    const db = t.platform.app.get(DataSource);
    const lanes = t.platform.app.get<typeof DATABASE_LANES, DatabaseLanes>(DATABASE_LANES);
    const locker = new Client({ connectionString: t.database.url });
    await locker.connect();
    const readings: { seq: number; puback: Promise<number>; acked: boolean }[] = [];
    let publishing: NodeJS.Timeout | undefined;
    const holds: { release(): Promise<void> }[] = [];
    const release = async () => {
      clearInterval(publishing);
      await locker.query('COMMIT').catch(() => undefined);
      for (const hold of holds.splice(0)) await hold.release();
    };
    try {
      // (a) Bulk telemetry stalls: its batches wait for the lock while the mattress keeps publishing (QoS 1).
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE telemetry, device_latest IN ACCESS EXCLUSIVE MODE');
      const publishReading = () => {
        const seq = nextSeq();
        const reading = { ts: Date.now(), seq, heartRate: 62, respirationRate: 14, inBed: true, movement: 3 };
        const entry = {
          seq,
          puback: publishQos1(bed, topic(mattress.deviceId, 'telemetry'), JSON.stringify(reading)),
          acked: false,
        };
        void entry.puback.then(() => (entry.acked = true));
        readings.push(entry);
      };
      publishReading();
      publishing = setInterval(publishReading, 25);
      await until('a telemetry batch to wait on the lock', async () => {
        const waiting = await locker.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND application_name = 'anxin-ingest'`,
        );
        return waiting.rowCount ? true : undefined;
      });
      // (b) Nothing is left on the main pool (API, sweeps, routine rule pass) nor on the ingest lane.
      holds.push(await holdEveryConnection(db), await holdEveryConnection(lanes.ingest));

      expect(await within('the SOS PUBACK', publishQos1(sosButton, topic(sos.deviceId, 'events'), event('sos')))).toBe(
        0,
      );
      const raised = await console.waitFor('alert:raised', (a) => a.residentId === sos.residentId, 10_000);
      expect(raised).toMatchObject({ kind: 'sos', status: 'open' });

      // One resident's sos then sos_cancel, sent back to back: stored in that order, applied in that order.
      const pressed = publishQos1(pairButton, topic(pair.deviceId, 'events'), event('sos'));
      const cancelled = publishQos1(pairButton, topic(pair.deviceId, 'events'), event('sos_cancel'));
      expect(await within('the sos and sos_cancel PUBACKs', Promise.all([pressed, cancelled]))).toEqual([0, 0]);
      const pairAlert = await console.waitFor('alert:raised', (a) => a.residentId === pair.residentId, 10_000);

      // The fault really held: not one reading was acknowledged meanwhile.
      expect(readings.filter((r) => r.acked)).toEqual([]);

      await release();
      const resolved = await console.waitFor(
        'alert:updated',
        (a) => a.id === pairAlert.id && a.status === 'resolved',
        15_000,
      );
      expect(resolved.outcome).toBe('cancelled_by_resident');

      // CONTRACT §2: every acknowledged reading is stored.
      const codes = await within(
        'the stalled readings to be acknowledged',
        Promise.all(readings.map((r) => r.puback)),
        30_000,
      );
      expect(codes.every((code) => code === 0)).toBe(true);
      const stored = await locker.query<{ seq: string }>(`SELECT seq FROM telemetry WHERE device_id = $1`, [
        mattress.deviceId,
      ]);
      const storedSeqs = new Set(stored.rows.map((row) => Number(row.seq)));
      expect(readings.filter((r) => !storedSeqs.has(r.seq)).map((r) => r.seq)).toEqual([]);
    } finally {
      await release();
      await locker.end();
    }
  });

  it("never applies a resident's sos_cancel ahead of its pending sos, even when the life-safety pass is held up", async () => {
    const lanes = t.platform.app.get<typeof DATABASE_LANES, DatabaseLanes>(DATABASE_LANES);
    const sql = new Client({ connectionString: t.database.url });
    await sql.connect();
    try {
      const hold = await holdEveryConnection(lanes.lifeSafety);
      try {
        // sos then sos_cancel, committed together while the life-safety pass cannot run.
        const stored = await sql.query<{ id: string; type: string }>(
          `INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, payload)
         SELECT d.id, d.resident_id, r.org_unit_id, v.seq, v.type, now(), jsonb_build_object('type', v.type, 'seq', v.seq)
         FROM (VALUES (1, 'sos'), (2, 'sos_cancel')) AS v(seq, type)
         JOIN devices d ON d.id = $1 JOIN residents r ON r.id = d.resident_id
         ORDER BY v.seq RETURNING id::text, type`,
          [later.deviceId],
        );
        const cancelId = stored.rows.find((row) => row.type === 'sos_cancel')!.id;
        // A routine event of another resident starts the routine pass; its alert shows the pass ran.
        const sosButton = await connect(sos);
        expect(await publishQos1(sosButton, topic(sos.deviceId, 'events'), event('low_battery', { battery: 5 }))).toBe(
          0,
        );
        await until('the low_battery alert', async () => {
          const alert = await sql.query(`SELECT 1 FROM alerts WHERE resident_id = $1 AND kind = 'low_battery'`, [
            sos.residentId,
          ]);
          return alert.rowCount ? true : undefined;
        });
        const cancel = await sql.query(`SELECT processed_at FROM device_events WHERE id = $1`, [cancelId]);
        expect(cancel.rows[0].processed_at).toBeNull();
      } finally {
        await hold.release();
      }
      const raised = await console.waitFor('alert:raised', (a) => a.residentId === later.residentId, 15_000);
      const resolved = await console.waitFor(
        'alert:updated',
        (a) => a.id === raised.id && a.status === 'resolved',
        15_000,
      );
      expect(resolved).toMatchObject({ kind: 'sos', outcome: 'cancelled_by_resident' });
    } finally {
      await sql.end();
    }
  });
});
