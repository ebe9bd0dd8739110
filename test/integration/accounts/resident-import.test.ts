import 'reflect-metadata';
import ExcelJS from 'exceljs';
import type { ImportResult } from '../../../apps/platform/src/http/spreadsheet';
import type { Resident } from '../../../apps/web/src/console/registry/registry-types';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Issue 16: a centre onboards a street of residents from a spreadsheet — a template with Chinese
 * headers, a dry run listing every row's errors, and an all-or-nothing import, scoped to the caller.
 */
describe('resident import from XLSX and CSV', () => {
  let t: TestPlatform;
  let a: StationFixture;
  let b: StationFixture;
  let communityA: string;

  beforeAll(async () => {
    t = await startTestPlatform();
    const center = await createCenter(t.admin);
    a = await createStation(t.admin, center);
    b = await createStation(t.admin, center);
    communityA = (await t.admin.get(`/api/v1/org-units`)).body.find((u: { id: string }) => u.id === a.communityId).name;
  });
  afterAll(async () => t?.stop());

  const upload = (who: StationFixture, body: Buffer, type: string, dryRun: boolean) =>
    fetch(`${t.api.baseUrl}/api/v1/residents/import?dryRun=${dryRun}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${who.operator.token}`, 'Content-Type': type },
      body,
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as ImportResult }));

  /** A sheet with the template's headers (read back from the template itself) and these rows. */
  async function sheetOf(rows: string[][]): Promise<Buffer> {
    const template = await fetch(`${t.api.baseUrl}/api/v1/residents/import-template?format=xlsx`, {
      headers: { Authorization: `Bearer ${a.operator.token}` },
    });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await template.arrayBuffer());
    const sheet = book.worksheets[0]!;
    sheet.spliceRows(2, 1); // the example row
    for (const row of rows) sheet.addRow(row);
    return Buffer.from(await book.xlsx.writeBuffer());
  }

  const names = async (who: StationFixture, q: string) =>
    ((await who.operator.get(`/api/v1/residents?q=${encodeURIComponent(q)}&limit=500`)).body as Resident[]).map(
      (r) => r.name,
    );

  it('offers a template with Chinese headers', async () => {
    const res = await fetch(`${t.api.baseUrl}/api/v1/residents/import-template?format=csv`, {
      headers: { Authorization: `Bearer ${a.operator.token}` },
    });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('content-disposition') ?? '')).toContain('老人档案导入模板.csv');
    const header = (await res.text()).replace(/^\uFEFF/, '').split(/\r?\n/)[0];
    expect(header).toBe(
      '姓名,所属社区,地址,出生日期,电话,紧急联系人1姓名,紧急联系人1关系,紧急联系人1电话,紧急联系人2姓名,紧急联系人2关系,紧急联系人2电话',
    );
  });

  it('lists every bad row in a dry run and writes nothing, then imports the corrected sheet all at once', async () => {
    const tag = unique('导入');
    const rows = [
      [`${tag}甲`, communityA, '和平路 1 号', '1940-05-01', '13800000001', '李明', '儿子', '13900000001'],
      [`${tag}乙`, '不存在的社区', '', '', '', '', '', ''],
      [`${tag}丙`, communityA, '', '2990-01-01', '', '张华', '女儿', ''], // future birth date, contact without phone
      ['', communityA, '和平路 3 号', '', '', '', '', ''], // no name
    ];
    const dry = await upload(a, await sheetOf(rows), XLSX, true);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, rows: 4, imported: 0 });
    expect(dry.body.errors).toEqual([
      { row: 3, column: '所属社区', message: '找不到社区“不存在的社区”，或它不在您的管辖范围' },
      { row: 4, column: '出生日期', message: '日期无效（格式 YYYY-MM-DD，1900 年之后的过去日期）' },
      { row: 4, column: '紧急联系人1电话', message: '必填' },
      { row: 5, column: '姓名', message: '必填' },
    ]);
    // All or nothing: the same sheet for real is refused whole.
    const refused = await upload(a, await sheetOf(rows), XLSX, false);
    expect(refused.status).toBe(422);
    expect(refused.body.imported).toBe(0);
    expect(await names(a, tag)).toEqual([]);

    const fixed = [rows[0]!, [`${tag}丙`, communityA, '', '1938-12-31', '', '张华', '女儿', '13700000000']];
    const done = await upload(a, await sheetOf(fixed), XLSX, false);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ dryRun: false, rows: 2, imported: 2, errors: [] });
    expect((await names(a, tag)).sort()).toEqual([`${tag}丙`, `${tag}甲`]);
    const [first] = (await a.operator.get(`/api/v1/residents?q=${encodeURIComponent(`${tag}甲`)}`)).body as Resident[];
    expect(first).toMatchObject({ birthDate: '1940-05-01', phone: '13800000001' });
    expect(first!.emergencyContacts).toEqual([{ name: '李明', relation: '儿子', phone: '13900000001' }]);
  });

  it("refuses another station's community for a station's operator, and reads CSV too", async () => {
    const tag = unique('跨站');
    const csv = Buffer.from(`\uFEFF姓名,所属社区\r\n${tag},${communityA}\r\n`, 'utf8');
    const fromB = await upload(b, csv, 'text/csv', true);
    expect(fromB.body.errors).toEqual([
      { row: 2, column: '所属社区', message: `找不到社区“${communityA}”，或它不在您的管辖范围` },
    ]);
    const fromA = await upload(a, csv, 'text/csv', false);
    expect(fromA.body).toMatchObject({ imported: 1, errors: [] });
  });

  it('answers a file that is not a spreadsheet with one clear error, and JSON is still required elsewhere', async () => {
    const junk = await upload(a, Buffer.from('not a spreadsheet'), XLSX, true);
    expect(junk.body.errors).toEqual([{ row: 0, column: '', message: '无法读取文件：请使用模板的 XLSX 或 CSV 格式' }]);
    const elsewhere = await fetch(`${t.api.baseUrl}/api/v1/residents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${a.operator.token}`, 'Content-Type': XLSX },
      body: Buffer.from('x'),
    });
    expect(elsewhere.status).toBe(415);
  });

  it('imports 5,000 residents in one go', async () => {
    const tag = unique('批量');
    const rows = Array.from({ length: 5_000 }, (_, i) => [
      `${tag}${i}`,
      communityA,
      `幸福路 ${i} 号`,
      '1945-01-01',
      '',
      '家属',
      '子女',
      '13600000000',
    ]);
    const file = await sheetOf(rows);
    const started = Date.now();
    const res = await upload(a, file, XLSX, false);
    const ms = Date.now() - started;
    expect(res.body).toMatchObject({ imported: 5_000, errors: [] });
    process.stdout.write(`5,000-resident import: ${ms} ms\n`);
  }, 60_000);
});
