import 'reflect-metadata';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { until } from '../../support/until';

const CONTACT = { name: '钱多多', relation: '儿子', phone: '13787654321' };

/**
 * Issue 16 (PIPL): contacts' names and phone numbers never reach the platform's log — not from a refused
 * request echoing them, not from an import's bad rows, not from notifying them when an alert escalates.
 */
describe('personal data stays out of the log', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let log = '';

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        log += chunk.toString();
        done();
      },
    });
    t = await startTestPlatform(
      {
        ANXIN_QUEUE_PREFIX: unique('pii-log'),
        ANXIN_ESCALATE_CRITICAL_SECONDS: '1',
        ANXIN_ESCALATE_HIGH_SECONDS: '1',
        ANXIN_ESCALATE_MAX_LEVEL: '1',
      },
      pino({ level: 'trace' }, sink),
    );
    s = await createStation(t.admin, await createCenter(t.admin));
  });
  afterAll(async () => t?.stop());

  it('logs neither a contact’s name nor number on bad requests, bad imports or when notifying the contacts', async () => {
    // Refused requests carrying a contact.
    const bad = await s.operator.post('/api/v1/residents', {
      name: unique('孙爷爷'),
      orgUnitId: s.communityId,
      birthDate: '1800-01-01',
      emergencyContacts: [CONTACT],
    });
    expect(bad.status).toBe(400);
    const noPhone = await s.operator.patch(`/api/v1/residents/${s.residentId}`, {
      emergencyContacts: [
        { name: CONTACT.name, phone: '' },
        { ...CONTACT, extra: CONTACT.phone },
      ],
    });
    expect(noPhone.status).toBe(400);
    // An import whose bad row carries a contact: dry run, then the refused import.
    const csv = `\uFEFF姓名,所属社区,出生日期,紧急联系人1姓名,紧急联系人1电话\r\n孙爷爷,不存在的社区,1940-13-40,${CONTACT.name},${CONTACT.phone}\r\n`;
    for (const dryRun of [true, false]) {
      const res = await fetch(`${t.api.baseUrl}/api/v1/residents/import?dryRun=${dryRun}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${s.operator.token}`, 'Content-Type': 'text/csv' },
        body: csv,
      });
      expect(res.status).toBe(dryRun ? 200 : 422);
    }

    // An SOS nobody acknowledges escalates, and the contacts are notified (logged: the path ran).
    expect((await s.operator.patch(`/api/v1/residents/${s.residentId}`, { emergencyContacts: [CONTACT] })).status).toBe(
      200,
    );
    const device = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
    await publishQos1(device, topic(s.deviceId, 'events'), JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1 }));
    device.end(true);
    await until('the contacts notified', async () => (log.includes('notifying emergency contacts') ? true : undefined));

    expect(log).not.toContain(CONTACT.name);
    expect(log).not.toContain(CONTACT.phone);
    expect(log).toContain('"contacts":1');
  });
});
