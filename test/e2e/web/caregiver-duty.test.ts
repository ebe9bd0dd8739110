import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { unique } from '../../support/platform-harness';
import {
  ADMIN_PASSWORD,
  CONSOLE_VIEWPORT,
  eventually,
  PHONE_VIEWPORT,
  screenshot,
  signIn,
  useWebSuite,
  type WatchedPage,
} from './web-harness';

/**
 * Issue 16, in the browser: the caregiver app shows the caregiver's name, its duty switch (the console's users
 * page follows) and a map link for the address; the console shows the caregiver's name, not its id, and edits
 * its shift hours and password.
 */
describe('caregiver duty, names and map links (browser)', () => {
  const suite = useWebSuite();
  const pages: WatchedPage[] = [];
  let station: StationFixture;
  let operator: string;
  let caregiver: string;
  let caregiverId: string;
  let orderId: string;
  let phone: WatchedPage;

  beforeAll(async () => {
    const center = await createCenter(suite.web.admin);
    station = await createStation(suite.web.admin, center);
    operator = (await station.operator.get('/api/v1/auth/me')).body.username;
    // A volunteer of the centre's service organisation serving the station: the station's operator cannot
    // list it (it is not in the station's units), so only the order itself can tell the board its name.
    const org = await suite.web.admin.post('/api/v1/service-orgs', {
      name: unique('志愿队'),
      kind: 'volunteer',
      orgUnitIds: [station.stationId],
    });
    expect(org.status).toBe(201);
    caregiver = unique('cg');
    const res = await suite.web.admin.post('/api/v1/users', {
      username: caregiver,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: center,
      serviceOrgId: org.body.id,
      displayName: '王芳',
      skills: ['meal'],
    });
    expect(res.status).toBe(201);
    caregiverId = res.body.id;
  });

  const consolePage = async (path: string, as = { username: operator, password: 'operator-pass' }) => {
    const watched = await suite.signedIn(CONSOLE_VIEWPORT, path, as.username, as.password);
    pages.push(watched);
    return watched.page;
  };
  const asAdmin = { username: 'admin', password: ADMIN_PASSWORD };

  it('shows the display name and the duty state, and a geo: link for the address of a task', async () => {
    phone = await suite.signedIn(PHONE_VIEWPORT, '/caregiver', caregiver, 'caregiver-pass');
    pages.push(phone);
    const { page } = phone;
    await eventually(async () => expect(await page.getByTestId('current-user').textContent()).toBe('王芳'));
    expect(await page.getByTestId('duty-state').textContent()).toBe('在岗');
    await eventually(async () =>
      expect(await page.getByTestId('connection').getAttribute('data-state')).toBe('online'),
    );

    const order = await station.operator.post('/api/v1/orders', { kind: 'meal', residentId: station.residentId });
    expect(order.body).toMatchObject({ status: 'offered', offeredTo: caregiverId });
    orderId = order.body.id;
    const offer = page.locator(`[data-testid="offer-card"][data-order-id="${orderId}"]`);
    await offer.waitFor();
    const geo = `geo:0,0?q=${encodeURIComponent('和平路1号')}`;
    expect(await offer.getByTestId('task-map-link').getAttribute('href')).toBe(geo);
    await offer.getByTestId('offer-accept').click();
    const current = page.locator(`[data-testid="current-task"][data-order-id="${orderId}"]`);
    await current.waitFor();
    expect(await current.getByTestId('task-map-link').getAttribute('href')).toBe(geo);
    expect(await current.getByTestId('task-map-link').textContent()).toBe('用地图导航');
    // Mobile-first: the duty bar and the link fit the phone.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE_VIEWPORT.width,
    );
    await screenshot(page, 'caregiver-duty-task');
  });

  it("shows the caregiver's display name on the orders board, not its id", async () => {
    const page = await consolePage('/orders');
    // The station cannot list the volunteer (so, before issue 16, the board showed its id's first characters).
    const listed = (await station.operator.get('/api/v1/users')).body as { id: string }[];
    expect(listed.map((u) => u.id)).not.toContain(caregiverId);
    const row = page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`);
    await eventually(async () => expect(await row.getByTestId('order-caregiver').textContent()).toBe('王芳'));
    expect(await page.getByTestId('orders-board').textContent()).not.toContain(caregiverId.slice(0, 8));
    await screenshot(page, 'orders-board-caregiver-name');
  });

  it('goes off duty from the app; the app keeps the server state on reload and the users page shows it', async () => {
    const { page } = phone;
    await page.getByTestId('duty-toggle').click();
    await eventually(async () => expect(await page.getByTestId('duty-state').textContent()).toBe('离岗'));
    await page.reload();
    await page.getByTestId('caregiver-app').waitFor();
    await eventually(async () => expect(await page.getByTestId('duty-state').textContent()).toBe('离岗'));
    expect(await page.getByTestId('duty-toggle').textContent()).toBe('上岗接单');

    const users = await consolePage('/users', asAdmin);
    const row = users.locator(`[data-testid="user-row"][data-username="${caregiver}"]`);
    await eventually(async () => expect(await row.getByTestId('user-state').textContent()).toBe('离岗'));
  });

  it('edits the shift hours and resets the password from the users page; the old session ends', async () => {
    const users = await consolePage('/users', asAdmin);
    const row = users.locator(`[data-testid="user-row"][data-username="${caregiver}"]`);
    await row.getByTestId('user-edit').click();
    const edit = users.getByTestId('user-edit-dialog');
    await edit.getByTestId('user-shift-start').fill('22:00');
    await edit.getByTestId('user-shift-end').fill('06:00');
    await screenshot(users, 'user-edit-dialog');
    await edit.getByTestId('user-edit-save').click();
    await eventually(async () =>
      expect(await row.getByTestId('user-shift-text').textContent()).toBe('22:00–次日06:00'),
    );
    expect((await suite.web.admin.get(`/api/v1/users/${caregiverId}`)).body).toMatchObject({
      shiftStart: '22:00',
      shiftEnd: '06:00',
    });

    await row.getByTestId('user-reset').click();
    const reset = users.getByTestId('user-reset-dialog');
    expect(await reset.textContent()).toContain('立即退出');
    await reset.getByTestId('user-reset-password').fill('new-caregiver-pass');
    await reset.getByTestId('user-reset-save').click();
    await reset.getByTestId('user-reset-done').waitFor();

    // The caregiver's phone is signed out; the new password signs in.
    const { page } = phone;
    await page.reload();
    await page.getByTestId('login-form').waitFor();
    await signIn(page, caregiver, 'new-caregiver-pass');
    await eventually(async () => expect(await page.getByTestId('current-user').textContent()).toBe('王芳'));
  });

  it('logged no console errors', () => {
    // The signed-out phone's refused calls (401) are the point of the reset, not errors of the app.
    expect(pages.flatMap((p) => p.errors).filter((e) => !/401/.test(e))).toEqual([]);
  });
});
