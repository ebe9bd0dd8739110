import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { unique } from '../../support/platform-harness';
import { ADMIN_PASSWORD, CONSOLE_VIEWPORT, eventually, screenshot, useWebSuite, type WatchedPage } from './web-harness';

/**
 * Issue 16 (五社联动), in the browser: an admin creates a service organisation serving a station, renames it and
 * enlists a caregiver, seen by its display name; another station's operator does not see the organisation.
 */
describe('service organisations (browser)', () => {
  const suite = useWebSuite();
  let a: StationFixture;
  let b: StationFixture;
  let stationName: string;
  let caregiverId: string;
  const caregiverName = unique('陈护工');
  const orgName = unique('和平志愿队');
  let admin: WatchedPage;
  let orgId: string;

  const operatorName = async (station: StationFixture) => (await station.operator.get('/api/v1/auth/me')).body.username;

  beforeAll(async () => {
    const center = await createCenter(suite.web.admin);
    a = await createStation(suite.web.admin, center);
    b = await createStation(suite.web.admin, center);
    stationName = (await suite.web.admin.get('/api/v1/org-units')).body.find(
      (u: { id: string }) => u.id === a.stationId,
    ).name;
    const caregiver = await a.operator.post('/api/v1/users', {
      username: unique('cg'),
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: a.communityId,
      displayName: caregiverName,
      skills: ['meal', 'cleaning'],
    });
    expect(caregiver.status).toBe(201);
    caregiverId = caregiver.body.id;
    admin = await suite.signedIn(CONSOLE_VIEWPORT, '/service-orgs', 'admin', ADMIN_PASSWORD);
  });

  it('lets an admin create an organisation serving a station, rename it and enlist a caregiver', async () => {
    const { page } = admin;
    await page.getByTestId('nav-service-orgs').waitFor();
    expect(await page.getByTestId('nav-service-orgs').textContent()).toBe('服务组织');
    await page.getByTestId('service-orgs-page').and(page.locator('[data-loaded="yes"]')).waitFor();

    await page.getByTestId('service-org-name').fill(`${orgName}临时`);
    await page.getByTestId('service-org-kind').selectOption('health_station');
    await page.locator(`[data-testid="service-org-unit"][data-unit-id="${a.stationId}"]`).check();
    await page.getByTestId('service-org-save').click();
    const row = page.getByTestId('service-org-row').filter({ hasText: `${orgName}临时` });
    await row.waitFor();
    orgId = (await row.getAttribute('data-org-id'))!;
    expect(await row.textContent()).toContain('卫生服务站');
    expect(await row.textContent()).toContain(stationName);

    // Selected after creation: the form edits it.
    await page.getByTestId('service-org-name').fill(orgName);
    await page.getByTestId('service-org-save').click();
    await page.getByTestId('service-org-saved').waitFor();
    const renamed = page.locator(`[data-testid="service-org-row"][data-org-id="${orgId}"]`);
    await eventually(async () => expect(await renamed.locator('td').first().textContent()).toBe(orgName));

    await page.getByTestId('service-org-enlist-pick').selectOption(caregiverId);
    await page.getByTestId('service-org-enlist').click();
    const member = page.getByTestId('service-org-member');
    await member.waitFor();
    expect(await member.count()).toBe(1);
    expect(await member.first().textContent()).toContain(caregiverName);
    expect(await member.first().textContent()).toContain('助餐、助洁');
    await eventually(async () => expect(await renamed.locator('td').last().textContent()).toBe('1'));
    await screenshot(page, 'service-orgs-1-admin-member');

    // What the platform holds, too.
    expect((await suite.web.admin.get(`/api/v1/users/${caregiverId}`)).body.serviceOrgId).toBe(orgId);
    expect((await suite.web.admin.get(`/api/v1/service-orgs/${orgId}`)).body).toMatchObject({
      name: orgName,
      kind: 'health_station',
      orgUnitIds: [a.stationId],
    });
    expect(admin.errors).toEqual([]);
  });

  it("shows the organisation to its station's operator, and not to another station's", async () => {
    const other = await suite.signedIn(CONSOLE_VIEWPORT, '/service-orgs', await operatorName(b), 'operator-pass');
    await other.page.getByTestId('service-orgs-page').and(other.page.locator('[data-loaded="yes"]')).waitFor();
    expect(await other.page.getByTestId('service-org-row').count()).toBe(0);
    expect(await other.page.locator('body').innerText()).not.toContain(orgName);
    expect(await other.page.getByTestId('service-org-form').count()).toBe(0);

    const own = await suite.signedIn(CONSOLE_VIEWPORT, '/service-orgs', await operatorName(a), 'operator-pass');
    const row = own.page.locator(`[data-testid="service-org-row"][data-org-id="${orgId}"]`);
    await row.click();
    await own.page.getByTestId('service-org-member').first().waitFor();
    expect(await own.page.getByTestId('service-org-member').first().textContent()).toContain(caregiverName);
    // Its station manages its members; the edit form is an admin's.
    expect(await own.page.getByTestId('service-org-form').count()).toBe(0);
    await own.page.getByTestId('service-org-member-remove').click();
    await own.page.getByText('暂无成员').waitFor();
    expect((await suite.web.admin.get(`/api/v1/users/${caregiverId}`)).body.serviceOrgId).toBeNull();
    expect([...other.errors, ...own.errors]).toEqual([]);
  });
});
