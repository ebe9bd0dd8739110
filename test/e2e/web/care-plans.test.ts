import type { CarePlanView } from '@anxin/contract';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { CONSOLE_VIEWPORT, eventually, screenshot, useWebSuite, type WatchedPage } from './web-harness';

/**
 * Issue 16, in the browser: an operator sets up a recurring 助浴 on 服务计划, moves its time, pauses it,
 * finds it in next week's schedule, and ends it after confirming.
 */
describe('care plans (browser)', () => {
  const suite = useWebSuite();
  let station: StationFixture;
  let residentName: string;
  let watched: WatchedPage;

  const plansOf = async () =>
    (await station.operator.get(`/api/v1/care-plans?residentId=${station.residentId}`)).body as CarePlanView[];

  beforeAll(async () => {
    station = await createStation(suite.web.admin, await createCenter(suite.web.admin));
    residentName = (await station.operator.get(`/api/v1/residents/${station.residentId}`)).body.name;
    const operator = (await station.operator.get('/api/v1/auth/me')).body.username;
    watched = await suite.signedIn(CONSOLE_VIEWPORT, '/care-plans', operator, 'operator-pass');
  });

  it('creates a plan, edits its time, pauses it, shows it in the week schedule and ends it', async () => {
    const { page } = watched;
    await page.getByTestId('care-plans-page').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('nav-care-plans').textContent()).toBe('服务计划');

    // Create: 助浴 on Tuesdays and Thursdays at 09:30.
    const form = page.getByTestId('care-plan-form');
    await form.locator(`option[value="${station.residentId}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('care-plan-resident').selectOption(station.residentId);
    await page.getByTestId('care-plan-kind').selectOption({ label: '助浴' });
    await page.getByTestId('care-plan-weekday-2').check();
    await page.getByTestId('care-plan-weekday-4').check();
    await page.getByTestId('care-plan-time').fill('09:30');
    await form.getByLabel('备注').fill('水温 40 度');
    await page.getByTestId('care-plan-save').click();
    const row = page.getByTestId('care-plan-row').filter({ hasText: residentName });
    await row.waitFor();
    expect(await row.locator('td').allInnerTexts()).toEqual(
      expect.arrayContaining([residentName, '助浴', '周二、周四', '09:30', '水温 40 度', '执行中']),
    );
    const [plan] = await plansOf();
    expect(plan).toMatchObject({ kind: 'bathing', weekdays: [2, 4], timeOfDay: '09:30', status: 'active' });

    // Edit the time.
    await row.getByRole('button', { name: '编辑' }).click();
    await page.getByTestId('care-plan-time').fill('10:15');
    await page.getByTestId('care-plan-save').click();
    await eventually(async () => expect(await row.locator('td').nth(3).innerText()).toBe('10:15'));
    expect((await plansOf())[0]).toMatchObject({ timeOfDay: '10:15', weekdays: [2, 4] });

    // Pause it.
    await row.getByTestId('care-plan-pause').click();
    await eventually(async () => expect(await row.getAttribute('data-status')).toBe('paused'));
    expect(await row.innerText()).toContain('已暂停');
    expect(await row.getByTestId('care-plan-resume').innerText()).toBe('恢复');
    expect((await plansOf())[0]!.status).toBe('paused');
    await screenshot(page, 'care-plans-1-list');

    // Next week's schedule (all of it after the plan was made): Tuesday and Thursday at 10:15, paused.
    await page.getByTestId('care-plans-tab-week').click();
    await page.getByTestId('care-plan-week').waitFor();
    await page.getByTestId('week-next').click();
    for (const day of [2, 4]) {
      const entry = page.getByTestId(`week-day-${day}`).getByTestId('week-entry').filter({ hasText: residentName });
      await eventually(async () => expect(await entry.count()).toBe(1));
      const text = await entry.innerText();
      for (const part of ['10:15', '助浴', '已暂停']) expect(text).toContain(part);
    }
    for (const day of [1, 3, 5, 6, 7])
      expect(
        await page.getByTestId(`week-day-${day}`).getByTestId('week-entry').filter({ hasText: residentName }).count(),
      ).toBe(0);
    expect(await page.getByTestId('week-day-1').innerText()).toContain('周一');
    await screenshot(page, 'care-plans-2-week');

    // End it: declining the confirmation keeps it, accepting ends it.
    await page.getByTestId('care-plans-tab-list').click();
    page.once('dialog', (dialog) => void dialog.dismiss());
    await row.getByTestId('care-plan-end').click();
    expect((await plansOf())[0]!.status).toBe('paused');
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toContain('助浴');
      void dialog.accept();
    });
    await row.getByTestId('care-plan-end').click();
    await eventually(async () => expect(await row.getAttribute('data-status')).toBe('ended'));
    expect(await row.innerText()).toContain('已结束');
    expect(await row.getByRole('button').count()).toBe(0);
    expect((await plansOf())[0]!.status).toBe('ended');
    expect(watched.errors).toEqual([]);
  });
});
