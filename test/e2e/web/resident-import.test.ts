import ExcelJS from 'exceljs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { unique } from '../../support/platform-harness';
import { CONSOLE_VIEWPORT, eventually, screenshot, useWebSuite, type WatchedPage } from './web-harness';

/** Issue 16, in the browser: an operator imports residents from an Excel sheet, a bad row first. */
describe('resident import (browser)', () => {
  const suite = useWebSuite();
  let station: StationFixture;
  let communityName: string;
  let watched: WatchedPage;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anxin-import-'));
  const tag = unique('导入');

  async function sheet(name: string, rows: string[][]): Promise<string> {
    const book = new ExcelJS.Workbook();
    const s = book.addWorksheet('老人档案');
    s.addRow(['姓名', '所属社区', '地址', '出生日期', '电话', '紧急联系人1姓名', '紧急联系人1关系', '紧急联系人1电话']);
    for (const row of rows) s.addRow(row);
    const file = path.join(dir, name);
    await book.xlsx.writeFile(file);
    return file;
  }

  beforeAll(async () => {
    station = await createStation(suite.web.admin, await createCenter(suite.web.admin));
    communityName = (await suite.web.admin.get('/api/v1/org-units')).body.find(
      (u: { id: string }) => u.id === station.communityId,
    ).name;
    const operator = (await station.operator.get('/api/v1/auth/me')).body.username;
    watched = await suite.signedIn(CONSOLE_VIEWPORT, '/residents', operator, 'operator-pass');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists a bad row with its row, column and reason, imports nothing, then imports the fixed sheet', async () => {
    const { page } = watched;
    await page.getByTestId('resident-import').click();
    await page.getByTestId('resident-import-dialog').waitFor();
    const good = [`${tag}甲`, communityName, '和平路 1 号', '1940-05-01', '', '李明', '儿子', '13900000001'];
    await page
      .getByTestId('import-file')
      .setInputFiles(await sheet('bad.xlsx', [good, [`${tag}乙`, communityName, '', '', '', '张华', '女儿', '']]));
    await page.getByTestId('import-check').click();
    const error = page.getByTestId('import-error');
    await error.first().waitFor();
    expect(await error.count()).toBe(1);
    expect(await error.first().textContent()).toBe('3紧急联系人1电话必填');
    expect(await page.getByTestId('import-submit').isDisabled()).toBe(true);
    await screenshot(page, 'import-1-bad-row');

    await page
      .getByTestId('import-file')
      .setInputFiles(
        await sheet('good.xlsx', [good, [`${tag}乙`, communityName, '', '', '', '张华', '女儿', '13700000000']]),
      );
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-ready').waitFor();
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-done').waitFor();
    expect(await page.getByTestId('import-done').textContent()).toContain('已导入 2 位老人');
    await screenshot(page, 'import-2-done');
    await eventually(async () => {
      const res = await station.operator.get(`/api/v1/residents?q=${encodeURIComponent(tag)}`);
      expect(res.body.map((r: { name: string }) => r.name).sort()).toEqual([`${tag}乙`, `${tag}甲`]);
    });
    expect(watched.errors).toEqual([]);
  });

  it('refuses an emergency contact without a phone with a message, and says 已保存 once saved', async () => {
    const { page } = watched;
    await page.goto(`/residents/${station.residentId}`);
    const form = page.getByTestId('resident-form');
    await form.waitFor();
    await form.getByRole('button', { name: '+ 添加联系人' }).click();
    await form.getByLabel('姓名', { exact: true }).last().fill('王小明');
    await page.getByTestId('resident-save').click();
    await expect(form.getByRole('alert').textContent()).resolves.toContain('紧急联系人 1：姓名和电话都要填写');
    await form.getByLabel('电话', { exact: true }).last().fill('13912345678');
    // The archive: gender, a benefit category and the ID number (shown masked once saved).
    await page.getByTestId('resident-gender').selectOption('female');
    await page.getByTestId('benefit-living_alone').check();
    await page.getByTestId('resident-id-card').fill('11010519491231002X');
    await page.getByTestId('resident-save').click();
    await page.getByTestId('resident-saved').waitFor();
    expect(await page.getByTestId('resident-saved').textContent()).toBe('已保存');
    const saved = await station.operator.get(`/api/v1/residents/${station.residentId}`);
    expect(saved.body.emergencyContacts).toEqual([{ name: '王小明', phone: '13912345678', order: 1 }]);
    expect(saved.body).toMatchObject({
      gender: 'female',
      benefitCategories: ['living_alone'],
      idCardMasked: '1101**********002X',
    });
    await eventually(async () =>
      expect(await page.getByTestId('resident-id-card').getAttribute('placeholder')).toBe('1101**********002X'),
    );
  });

  it("tunes the resident's own rules and safe zone beside the defaults", async () => {
    const { page } = watched;
    await page.goto(`/residents/${station.residentId}`);
    const editor = page.getByTestId('rule-editor');
    await editor.waitFor();
    expect(await page.getByTestId('rule-heartRateMax').getAttribute('placeholder')).toBe('默认 120 次/分');
    expect(await page.getByTestId('rule-inactivitySeconds').getAttribute('placeholder')).toBe('默认 12 小时');
    await page.getByTestId('rule-heartRateMax').fill('110');
    await page.getByTestId('rule-vitalsSustainSeconds').fill('30');
    // Half a safe zone is refused with a message.
    await page.getByTestId('rule-zone-lat').fill('40.84');
    await page.getByTestId('rules-save').click();
    await expect(editor.getByRole('alert').textContent()).resolves.toContain('安全区域需同时填写');
    await page.getByTestId('rule-zone-lon').fill('111.75');
    await page.getByTestId('rule-zone-radiusM').fill('300');
    await page.getByTestId('rules-save').click();
    await eventually(async () => {
      const res = await station.operator.get(`/api/v1/residents/${station.residentId}`);
      expect(res.body.careProfile).toMatchObject({
        rules: { heartRateMax: 110, vitalsSustainSeconds: 30 },
        safeZone: { lat: 40.84, lon: 111.75, radiusM: 300 },
      });
    });
    await page.getByTestId('rules-saved').waitFor();
    await screenshot(page, 'rules-1-saved');
    expect(watched.errors).toEqual([]);
  });

  it('adds devices for existing residents from a sheet and hands out their secrets once, as a file', async () => {
    const { page } = watched;
    await page.goto('/residents');
    await page.getByTestId('device-import').click();
    await page.getByTestId('device-import-dialog').waitFor();
    const residentName = (await station.operator.get(`/api/v1/residents/${station.residentId}`)).body.name as string;
    const csv = path.join(dir, 'devices.csv');
    fs.writeFileSync(
      csv,
      `\uFEFF住户ID,住户姓名,所属社区,设备类型,序列号,心跳间隔（秒）\r\n,${residentName},,智能床垫,${unique('MT-')},\r\n`,
    );
    await page.getByTestId('import-file').setInputFiles(csv);
    await page.getByTestId('import-check').click();
    await page.getByTestId('import-ready').waitFor();
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-done').waitFor();
    expect(await page.getByTestId('import-done').textContent()).toContain('已添加 1 台设备');
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-secrets').click()]);
    expect(file.suggestedFilename()).toBe('设备密钥.csv');
    const text = fs.readFileSync(await file.path(), 'utf8');
    expect(text).toContain('设备ID,设备类型,住户,序列号,密钥');
    expect(text).toContain(`智能床垫,${residentName}`);
    await screenshot(page, 'import-3-device-secrets');
  });
});
