import { Client } from 'pg';
import type { MqttClient } from 'mqtt';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, nextSeq, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';

const MQTT5_PAYLOAD_FORMAT_INVALID = 0x99;
/** The seq our test trigger makes PostgreSQL refuse: content that passed validation but cannot be stored. */
const POISON_SEQ = 990_000_001;

/**
 * Issue 12 (critical): events are group-committed, so one device's unstorable
 * message must never fail, delay or drop its neighbours' events in the same batch.
 */
describe('a poisoned event never takes its neighbours down', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let db: Client;
  const victims: { id: string; client: MqttClient }[] = [];
  let attacker: MqttClient;

  beforeAll(async () => {
    t = await startTestPlatform();
    s = await createStation(t.admin, await createCenter(t.admin), 'wearable');
    db = new Client({ connectionString: t.database.url });
    await db.connect();
    attacker = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
    for (let i = 0; i < 4; i++) {
      const created = await s.operator.post('/api/v1/devices', { type: 'smoke_detector', residentId: s.residentId });
      victims.push({
        id: created.body.id,
        client: await connectDevice(t.mqttPort, { id: created.body.id, secret: created.body.secret }, 4),
      });
    }
  });
  afterAll(async () => {
    for (const v of victims) v.client.end(true);
    attacker.end(true);
    await db.end();
    await t.stop();
  });

  const storedCount = async (deviceId: string, seqs: number[]) =>
    (
      await db.query('SELECT count(*)::int AS n FROM device_events WHERE device_id = $1 AND seq = ANY($2)', [
        deviceId,
        seqs,
      ])
    ).rows[0].n as number;
  const rejectedMessages = async () =>
    (await s.operator.get(`/api/v1/devices/${s.deviceId}`)).body.rejectedMessages as number;

  /** Every victim publishes `perVictim` smoke events at once, interleaved with `poison`. */
  async function floodWith(poison: () => Promise<number>, perVictim = 10) {
    const sent = victims.map((v) => ({ id: v.id, seqs: [] as number[], acks: [] as Promise<number>[] }));
    const poisonAcks: Promise<number>[] = [];
    for (let round = 0; round < perVictim; round++) {
      for (const [i, v] of victims.entries()) {
        const seq = nextSeq();
        sent[i]!.seqs.push(seq);
        sent[i]!.acks.push(
          publishQos1(v.client, topic(v.id, 'events'), JSON.stringify({ type: 'smoke', ts: Date.now(), seq })),
        );
      }
      if (round % 3 === 0) poisonAcks.push(poison());
    }
    return { sent, poisonAcks };
  }

  it('refuses text PostgreSQL cannot store at validation (PUBACK 0x99, counted), and the neighbours are stored', async () => {
    const before = await rejectedMessages();
    const nul = () =>
      publishQos1(
        attacker,
        topic(s.deviceId, 'events'),
        `{"type":"command_ack","commandId":"p\\u0000","ts":${Date.now()},"seq":${nextSeq()}}`,
      );
    const { sent, poisonAcks } = await floodWith(nul);
    expect(await Promise.all(poisonAcks)).toEqual(poisonAcks.map(() => MQTT5_PAYLOAD_FORMAT_INVALID));
    for (const v of sent) {
      expect(await Promise.all(v.acks)).toEqual(v.acks.map(() => 0));
      expect(await storedCount(v.id, v.seqs)).toBe(v.seqs.length);
    }
    expect(await rejectedMessages()).toBe(before + poisonAcks.length);
  });

  it('counts an ACL refusal whose topic carries a NUL (the note quoting it must be storable too)', async () => {
    const before = await rejectedMessages();
    const code = await publishQos1(attacker, `anxin/v1/devices/${s.deviceId}/x\u0000y`, '{}');
    expect(code).toBe(0x87);
    // Refusals are counted after the answer; give the write a moment.
    for (let i = 0; i < 50 && (await rejectedMessages()) === before; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await rejectedMessages()).toBe(before + 1);
  });

  it('splits a batch the database refuses, so only the bad row fails and every other one commits', async () => {
    // Inject a row that passes validation but fails in PostgreSQL (defence in depth behind validation).
    await db.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.seq = ${POISON_SEQ} THEN RAISE EXCEPTION 'poisoned row' USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON device_events FOR EACH ROW EXECUTE FUNCTION refuse_poison();
    `);
    try {
      const before = await rejectedMessages();
      const poison = () =>
        publishQos1(
          attacker,
          topic(s.deviceId, 'events'),
          JSON.stringify({ type: 'sos', ts: Date.now(), seq: POISON_SEQ }),
        );
      const { sent, poisonAcks } = await floodWith(poison, 12);
      // The bad row is answered with a rejection (a QoS 1 device would otherwise resend it forever) ...
      expect(await Promise.all(poisonAcks)).toEqual(poisonAcks.map(() => MQTT5_PAYLOAD_FORMAT_INVALID));
      expect(await storedCount(s.deviceId, [POISON_SEQ])).toBe(0);
      expect(await rejectedMessages()).toBe(before + poisonAcks.length);
      // ... and every neighbour that shared its batch is acknowledged and stored.
      for (const v of sent) {
        expect(await Promise.all(v.acks)).toEqual(v.acks.map(() => 0));
        expect(await storedCount(v.id, v.seqs)).toBe(v.seqs.length);
      }
    } finally {
      await db.query('DROP TRIGGER refuse_poison ON device_events; DROP FUNCTION refuse_poison()');
    }
  });
});
