import ExcelJS from 'exceljs';
import fs from 'node:fs';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { ADMIN_PASSWORD, CONSOLE_VIEWPORT, eventually, screenshot, useWebSuite, type WatchedPage } from './web-harness';

const RAW_CODE = /\b[a-z]+_[a-z_]+\b|\b(?:deviceEventsDays|alertsDays|ordersDays|auditLogDays)\b/g;

/** Issue 16 (PIPL), in the browser: an admin exports a resident's record, erases it, and sets the retention. */
describe('personal data in the console (browser)', () => {
  const suite = useWebSuite();
  let station: StationFixture;
  let watched: WatchedPage;
  let name: string;

  beforeAll(async () => {
    station = await createStation(suite.web.admin, await createCenter(suite.web.admin));
    name = (await suite.web.admin.get(`/api/v1/residents/${station.residentId}`)).body.name;
    await suite.web.admin.patch(`/api/v1/residents/${station.residentId}`, {
      emergencyContacts: [{ name: '赵文静', phone: '13912340001' }],
    });
    watched = await suite.signedIn(CONSOLE_VIEWPORT, `/residents/${station.residentId}`, 'admin', ADMIN_PASSWORD);
  });

  it('downloads the record as XLSX, then erases it after a confirmation naming the consequences', async () => {
    const { page } = watched;
    await page.getByTestId('resident-personal-data').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('resident-export').click()]);
    expect(download.suggestedFilename()).toContain('老人档案导出');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(fs.readFileSync(await download.path()) as unknown as ArrayBuffer);
    expect(book.worksheets[0]!.name).toBe('老人档案');

    await page.getByTestId('resident-erase').click();
    const dialog = page.getByTestId('resident-erase-dialog');
    await dialog.waitFor();
    const text = await dialog.textContent();
    expect(text).toContain(name);
    expect(text).toContain('设备全部停用');
    expect(text).toContain('无法撤销');
    await screenshot(page, 'personal-data-1-erase-dialog');
    await page.getByTestId('resident-erase-confirm').click();
    await page.getByTestId('resident-erased').waitFor();
    const detail = page.getByTestId('resident-detail');
    await eventually(async () => expect(await detail.locator('h2').first().textContent()).toMatch(/^已注销老人 #/));
    expect(await detail.textContent()).not.toContain('赵文静');
    expect(await page.getByTestId('resident-erase').count()).toBe(0);
    await screenshot(page, 'personal-data-2-erased');
    const after = await suite.web.admin.get(`/api/v1/residents/${station.residentId}`);
    expect(after.body.emergencyContacts).toEqual([]);
    expect(watched.errors).toEqual([]);
  });

  it('sets how long history is kept on 系统设置, in Chinese', async () => {
    const { page } = watched;
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('retention-form').waitFor();
    await eventually(async () => expect(await page.getByTestId('retention-deviceEventsDays').inputValue()).toBe('180'));
    expect([...new Set((await page.locator('body').innerText()).match(RAW_CODE) ?? [])]).toEqual([]);
    await page.getByTestId('retention-deviceEventsDays').fill('90');
    await page.getByTestId('retention-auditLogDays').fill('');
    await page.getByTestId('retention-save').click();
    await page.getByTestId('retention-saved').waitFor();
    expect((await suite.web.admin.get('/api/v1/settings/retention')).body).toMatchObject({
      deviceEventsDays: 90,
      auditLogDays: null,
    });
    await screenshot(page, 'personal-data-3-retention');
    expect(watched.errors).toEqual([]);
  });
});
