import 'reflect-metadata';
import type { AlertView } from '@anxin/contract';
import { Client } from 'pg';
import { takeResidentTurns } from '../../../apps/platform/src/ingest/resident-turn';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, event, nextSeq, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { until } from '../../support/until';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 14: a resident's events are applied in id order, but ids are drawn at insert, not at commit.
 * Another process storing the resident's `sos` (id 10) while this one stores the `sos_cancel`
 * (id 11) could commit second: the cancel was applied first, found nothing to cancel, and the SOS
 * stayed open for good. The test's own transaction plays the other process's writer: it stores
 * the `sos` the way every writer does (the resident's turn first) and commits only after the
 * device's cancel has reached the platform.
 */
describe("a resident's events stored by two processes at once", () => {
  let t: TestPlatform;
  let s: StationFixture;
  let other: Client;

  beforeAll(async () => {
    t = await startTestPlatform();
    s = await createStation(t.admin, await createCenter(t.admin));
    other = new Client({ connectionString: t.database.url });
    await other.connect();
  });
  afterAll(async () => {
    await other.end();
    await t.stop();
  });

  it('applies the sos committed last by another process before the cancel sent after it', async () => {
    const button = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 4);
    const orgUnit = (await s.operator.get(`/api/v1/residents/${s.residentId}`)).body.orgUnitId as string;

    await other.query('BEGIN');
    await other.query(takeResidentTurns('$1::uuid[]'), [[s.residentId]]);
    await other.query(
      `INSERT INTO device_events (device_id, resident_id, org_unit_id, seq, type, device_ts, payload)
       VALUES ($1, $2, $3, $4, 'sos', now(), '{"type":"sos"}')`,
      [s.deviceId, s.residentId, orgUnit, nextSeq()],
    );
    // The press's cancel reaches this process while the other one's sos is not yet committed.
    const cancelStored = publishQos1(button, topic(s.deviceId, 'events'), event('sos_cancel'));
    await sleep(2_500); // a catch-up pass runs meanwhile
    await other.query('COMMIT');
    expect(await cancelStored).toBe(0);

    // The SOS is raised and then cancelled: nothing stays open.
    const sos = await until('the sos alert', async () => {
      const res = await s.operator.get(`/api/v1/alerts?kind=sos&residentId=${s.residentId}`);
      return (res.body as AlertView[])[0];
    });
    await sleep(2_500);
    const now = (await s.operator.get(`/api/v1/alerts/${sos.id}`)).body as AlertView;
    expect(now.status).toBe('resolved');
    button.end(true);
  }, 30_000);
});
