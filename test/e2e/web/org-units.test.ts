import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { unique } from '../../support/platform-harness';
import { ADMIN_PASSWORD, CONSOLE_VIEWPORT, eventually, screenshot, useWebSuite, type WatchedPage } from './web-harness';

/** Issue 16, in the browser: an admin moves a community to another station and closes an empty station. */
describe('org units page (browser)', () => {
  const suite = useWebSuite();
  let a: StationFixture;
  let b: StationFixture;
  let closing: { id: string; name: string };
  let closingCommunity: { id: string; name: string };
  let watched: WatchedPage;
  const nameOf = async (id: string): Promise<string> =>
    (await suite.web.admin.get(`/api/v1/org-units/${id}`)).body.name as string;
  const row = (name: string) => watched.page.locator(`[data-testid="org-unit-row"][data-name="${name}"]`);

  beforeAll(async () => {
    const center = await createCenter(suite.web.admin);
    a = await createStation(suite.web.admin, center);
    b = await createStation(suite.web.admin, center);
    const post = async (name: string, kind: string, parentId: string) =>
      (await suite.web.admin.post('/api/v1/org-units', { name, kind, parentId })).body as { id: string; name: string };
    closing = await post(unique('关闭站'), 'station', center);
    closingCommunity = await post(unique('关闭社区'), 'community', closing.id);
    watched = await suite.signedIn(CONSOLE_VIEWPORT, '/org-units', 'admin', ADMIN_PASSWORD);
  });

  it('moves a community under another station', async () => {
    const { page } = watched;
    const community = await nameOf(a.communityId);
    await row(community).getByTestId('org-unit-edit').click();
    const form = page.getByTestId('org-unit-edit-form');
    await form.waitFor();
    await page.getByTestId('org-unit-edit-parent').selectOption(b.stationId);
    await page.getByTestId('org-unit-edit-save').click();
    await expect(page.getByTestId('org-unit-notice').textContent()).resolves.toBe('已保存');
    await eventually(async () => {
      expect((await suite.web.admin.get(`/api/v1/org-units/${a.communityId}`)).body.parentId).toBe(b.stationId);
    });
    // The station it left no longer sees its residents.
    expect((await a.operator.get(`/api/v1/residents/${a.residentId}`)).status).toBe(404);
    await screenshot(page, 'org-units-1-moved');
    expect(watched.errors).toEqual([]);
  });

  it('deactivates an empty station with its community, greyed and out of the pickers, and reactivates it', async () => {
    const { page } = watched;
    await row(closing.name).getByTestId('org-unit-toggle-active').click();
    await eventually(async () => {
      expect(await row(closing.name).getAttribute('class')).toBe('row-inactive');
      expect(await row(closingCommunity.name).getAttribute('class')).toBe('row-inactive');
    });
    expect(await row(closing.name).getByTestId('org-unit-state').textContent()).toBe('已停用');
    await screenshot(page, 'org-units-2-deactivated');

    // A station that still has people is refused, with the platform's reason.
    const occupied = await nameOf(b.stationId);
    await row(occupied).getByTestId('org-unit-toggle-active').click();
    await page.getByTestId('org-unit-action-error').waitFor();
    expect(await row(occupied).getByTestId('org-unit-state').textContent()).toBe('使用中');

    // Left out of the unit pickers elsewhere.
    await page.goto('/users');
    await page.getByTestId('users-page').waitFor();
    // The pickers fill in after the page shows: wait for the active unit first, so the absence means something.
    await page.locator('option', { hasText: occupied }).first().waitFor({ state: 'attached' });
    expect(await page.locator('option', { hasText: closing.name }).count()).toBe(0);
    expect(await page.locator('option', { hasText: occupied }).count()).toBeGreaterThan(0);

    await page.goto('/org-units');
    await row(closing.name).getByTestId('org-unit-toggle-active').click();
    await eventually(async () => {
      expect(await row(closing.name).getByTestId('org-unit-state').textContent()).toBe('使用中');
    });
    expect((await suite.web.admin.get(`/api/v1/org-units/${closing.id}`)).body.active).toBe(true);
    // The browser logs the refused request (409) it was meant to get; nothing else.
    expect(watched.errors.filter((e) => !/status of 409/.test(e))).toEqual([]);
  });
});
