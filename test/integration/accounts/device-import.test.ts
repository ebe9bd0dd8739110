import 'reflect-metadata';
import type { ImportResult } from '../../../apps/platform/src/http/spreadsheet';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

type DeviceImport = ImportResult & {
  devices: { id: string; type: string; residentId: string; secret: string; row: number }[];
};

/**
 * Issue 16: bulk device provisioning for existing residents from a sheet — every row checked first,
 * all created or none, and each device's secret in the answer once (the devices then connect with it).
 */
describe('device import (bulk provisioning)', () => {
  let t: TestPlatform;
  let a: StationFixture;
  let b: StationFixture;
  let residentA: string;
  let residentB: string;

  beforeAll(async () => {
    t = await startTestPlatform();
    const center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
    residentA = (await a.operator.get(`/api/v1/residents/${a.residentId}`)).body.name;
    residentB = (await b.operator.get(`/api/v1/residents/${b.residentId}`)).body.name;
  });
  afterAll(async () => t?.stop());

  const upload = (csv: string, dryRun: boolean) =>
    fetch(`${t.api.baseUrl}/api/v1/devices/import?dryRun=${dryRun}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${a.operator.token}`, 'Content-Type': 'text/csv' },
      body: `\uFEFF住户ID,住户姓名,所属社区,设备类型,序列号,心跳间隔（秒）\r\n${csv}`,
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as DeviceImport }));

  it('lists bad rows, creates nothing, then creates every device of the fixed sheet with its secret once', async () => {
    const serial = unique('MT-');
    const bad = [
      `,${residentA},,智能床垫,${serial},`,
      `,${residentB},,紧急按钮,,`, // another station's resident
      `,${residentA},,冰箱,,`, // no such device type
      `,${residentA},,mattress,${serial},`, // the same serial twice
      `${a.residentId},,,sos_button,,0`, // heartbeat out of range
    ].join('\r\n');
    const dry = await upload(bad, true);
    expect(dry.body.errors).toEqual([
      { row: 3, column: '住户姓名', message: '找不到该住户，或不在您的管辖范围' },
      { row: 4, column: '设备类型', message: '未知的设备类型“冰箱”' },
      { row: 5, column: '序列号', message: '序列号在表中重复' },
      { row: 6, column: '心跳间隔（秒）', message: '心跳间隔应为 1 至 604800 之间的整数秒' },
    ]);
    const refused = await upload(bad, false);
    expect(refused.status).toBe(422);
    expect(refused.body.devices).toEqual([]);

    const good = [`,${residentA},,智能床垫,${serial},`, `${a.residentId},,,sos_button,,600`].join('\r\n');
    const done = await upload(good, false);
    expect(done.status).toBe(200);
    expect(done.body.imported).toBe(2);
    expect(done.body.devices.map((d) => [d.row, d.type, d.residentId])).toEqual([
      [2, 'mattress', a.residentId],
      [3, 'sos_button', a.residentId],
    ]);
    // The secrets are real: each device connects with its own.
    for (const d of done.body.devices) (await connectDevice(t.mqttPort, { id: d.id, secret: d.secret }, 4)).end(true);
    // The serial is now taken.
    const again = await upload(`,${residentA},,智能床垫,${serial},`, true);
    expect(again.body.errors).toEqual([{ row: 2, column: '序列号', message: '该序列号的设备已登记' }]);
  });
});
