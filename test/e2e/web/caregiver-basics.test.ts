import { createCenter, createStation } from '../../support/fixtures';
import { unique } from '../../support/platform-harness';
import { eventually, PHONE_VIEWPORT, screenshot, signIn, useWebSuite, type WatchedPage } from './web-harness';

// Issue 7, the caregivers' app on a phone: sign-in, an empty task list, language.
describe('caregiver app (browser, 360×740)', () => {
  const suite = useWebSuite();
  let caregiver: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    const station = await createStation(suite.web.admin, await createCenter(suite.web.admin));
    caregiver = unique('cg');
    const res = await station.operator.post('/api/v1/users', {
      username: caregiver,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: station.stationId,
      displayName: '刘芳',
    });
    expect(res.status).toBe(201);
  });

  it('signs in on a phone and shows an empty task list', async () => {
    const watched = await suite.open(PHONE_VIEWPORT);
    pages.push(watched);
    const { page } = watched;
    await page.goto('/caregiver');
    await page.getByTestId('login-form').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await screenshot(page, 'caregiver-login');

    await signIn(page, caregiver, 'caregiver-pass');
    await page.getByTestId('caregiver-app').waitFor();
    await eventually(async () => expect(await page.getByTestId('tasks-empty').textContent()).toContain('暂无任务'));
    await eventually(async () =>
      expect(await page.getByTestId('connection').getAttribute('data-state')).toBe('online'),
    );
    // Large touch targets: the tab bar's buttons are at least 48 px tall.
    const tab = await page.getByTestId('tab-tasks').boundingBox();
    expect(tab!.height).toBeGreaterThanOrEqual(48);
    // Mobile-first: nothing wider than the phone.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE_VIEWPORT.width,
    );
    await screenshot(page, 'caregiver-empty');

    await page.getByTestId('tab-history').click();
    await page.getByText('还没有已完成的任务').waitFor();
  });

  it('refuses an operator account', async () => {
    const watched = await suite.open(PHONE_VIEWPORT);
    pages.push(watched);
    const { page } = watched;
    await page.goto('/caregiver');
    await signIn(page, 'admin', 'web-admin-password');
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').textContent()).toContain('无权');
  });

  it('switches to English and remembers it', async () => {
    const watched = await suite.open(PHONE_VIEWPORT);
    pages.push(watched);
    const { page } = watched;
    await page.goto('/caregiver/');
    await signIn(page, caregiver, 'caregiver-pass');
    await page.getByTestId('caregiver-app').waitFor();
    await page.getByTestId('language-switch').click();
    await eventually(async () => expect(await page.getByTestId('tasks-empty').textContent()).toContain('No tasks'));
    await page.reload();
    await page.getByTestId('caregiver-app').waitFor();
    await eventually(async () => expect(await page.getByTestId('tasks-empty').textContent()).toContain('No tasks'));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await screenshot(page, 'caregiver-empty-english');
  });

  it('logged no console errors', () => {
    expect(pages.flatMap((p) => p.errors)).toEqual([]);
  });
});
