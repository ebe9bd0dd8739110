import { DEVICE_CHANNELS, deviceTopic } from '@anxin/contract';
import { connectDevice } from '../../support/mqtt-device';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { unique } from '../../support/platform-harness';
import { CONSOLE_VIEWPORT, eventually, screenshot, signIn, useWebSuite, type WatchedPage } from './web-harness';

// Issue 7, the operators' console: sign-in, language, scoping through the UI, provisioning.
describe('operators console (browser)', () => {
  const suite = useWebSuite();
  let stationA: StationFixture;
  let stationB: StationFixture;
  let operatorA: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    const center = await createCenter(suite.web.admin);
    stationA = await createStation(suite.web.admin, center);
    stationB = await createStation(suite.web.admin, center);
    const meA = await stationA.operator.get('/api/v1/auth/me');
    operatorA = meA.body.username;
  });

  async function consolePage(): Promise<WatchedPage> {
    const watched = await suite.open(CONSOLE_VIEWPORT);
    pages.push(watched);
    return watched;
  }

  it('signs in in Chinese by default', async () => {
    const { page } = await consolePage();
    await page.goto('/');
    await page.getByTestId('login-form').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.getByTestId('login-submit').textContent()).toBe('登录');
    await screenshot(page, 'console-login');

    await signIn(page, operatorA, 'operator-pass');
    await page.getByTestId('alert-board').waitFor();
    expect(await page.getByTestId('nav-alerts').textContent()).toContain('紧急告警');
    expect(await page.getByTestId('current-user').textContent()).toContain(operatorA);
    await eventually(async () =>
      expect(await page.getByTestId('connection').getAttribute('data-state')).toBe('online'),
    );
    await page.getByTestId('alert-board-empty').waitFor();
    await screenshot(page, 'console-board-empty');

    // Keyboard operable: navigation entries are real links that Enter follows.
    await page.getByTestId('nav-residents').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('residents-page').waitFor();
    // The same console on a wall screen.
    await page.setViewportSize({ width: 2560, height: 1440 });
    await screenshot(page, 'console-wall-screen');
  });

  it('switches to English and remembers it after a reload', async () => {
    const { page } = await consolePage();
    await page.goto('/');
    await signIn(page, operatorA, 'operator-pass');
    await page.getByTestId('alert-board').waitFor();
    await page.getByTestId('language-switch').click();
    expect(await page.getByTestId('nav-alerts').textContent()).toContain('Emergencies');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    await page.reload();
    await page.getByTestId('alert-board').waitFor();
    expect(await page.getByTestId('nav-alerts').textContent()).toContain('Emergencies');
    await screenshot(page, 'console-board-english');

    await page.getByTestId('language-switch').click();
    expect(await page.getByTestId('nav-alerts').textContent()).toContain('紧急告警');
  });

  it("lists only its own station's residents", async () => {
    const residentA = (await stationA.operator.get(`/api/v1/residents/${stationA.residentId}`)).body;
    const residentB = (await stationB.operator.get(`/api/v1/residents/${stationB.residentId}`)).body;
    const { page } = await consolePage();
    await page.goto('/residents');
    await signIn(page, operatorA, 'operator-pass');
    await page.getByTestId('residents-page').waitFor();
    await page.locator(`[data-resident-id="${stationA.residentId}"]`).waitFor();
    const names = await page.getByTestId('resident-row').allTextContents();
    expect(names.join('\n')).toContain(residentA.name);
    expect(names.join('\n')).not.toContain(residentB.name);
    expect(await page.locator(`[data-resident-id="${stationB.residentId}"]`).count()).toBe(0);

    // Nor by typing the other station's URL.
    await page.goto(`/residents/${stationB.residentId}`);
    await page.getByTestId('residents-page').waitFor();
    await page.locator(`[data-resident-id="${stationA.residentId}"]`).waitFor();
    expect(await page.getByTestId('resident-detail').count()).toBe(0);
    expect(await page.content()).not.toContain(residentB.name);
  });

  it('provisions a device and shows its secret once, with a working MQTT snippet', async () => {
    const { page } = await consolePage();
    await page.goto(`/residents/${stationA.residentId}`);
    await signIn(page, operatorA, 'operator-pass');
    await page.getByTestId('resident-detail').waitFor();
    await page.getByTestId('device-row').first().waitFor();
    const before = await page.getByTestId('device-row').count();
    await screenshot(page, 'console-resident');

    await page.getByTestId('provision-type').selectOption('wearable');
    const serial = unique('SN-');
    await page.getByTestId('provision-serial').fill(serial);
    await page.getByTestId('provision-submit').click();
    await page.getByTestId('secret-dialog').waitFor();
    const secret = (await page.getByTestId('device-secret').textContent())!.trim();
    const deviceId = (await page.getByTestId('secret-device-id').textContent())!.trim();
    const snippet = (await page.getByTestId('mqtt-snippet').textContent())!;
    expect(secret.length).toBeGreaterThanOrEqual(16);
    expect(snippet).toContain(`password:  ${secret}`);
    expect(snippet).toContain(`clientId:  ${deviceId}`);
    // The platform's real MQTT port (this test's platform does not listen on 1883).
    expect(suite.web.platform.mqttPort).not.toBe(1883);
    await eventually(async () =>
      expect(await page.getByTestId('mqtt-snippet').textContent()).toContain(
        `port:      ${suite.web.platform.mqttPort}`,
      ),
    );
    for (const channel of DEVICE_CHANNELS) expect(snippet).toContain(deviceTopic(deviceId, channel));
    await screenshot(page, 'console-device-secret');

    // The secret shown is the real one: the device connects with it.
    if (suite.web.platform.mqttPort > 0) {
      const client = await connectDevice(suite.web.platform.mqttPort, { id: deviceId, secret });
      client.end(true);
    }

    await page.getByTestId('secret-done').click();
    await eventually(async () => expect(await page.getByTestId('device-row').count()).toBe(before + 1));
    expect(await page.getByTestId('secret-dialog').count()).toBe(0);
    // Shown once: nowhere on the page any more, and not again after a reload.
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.locator(`[data-device-id="${deviceId}"]`).waitFor();
    expect(await page.content()).not.toContain(secret);
    const stored = await stationA.operator.get(`/api/v1/devices/${deviceId}`);
    expect(stored.status).toBe(200);
    expect(stored.body.type).toBe('wearable');
  });

  it('is served by the platform: both apps, history fallbacks, cache headers', async () => {
    const get = (path: string) => fetch(`${suite.web.baseUrl}${path}`);
    const root = await get('/');
    const html = await root.text();
    expect(root.headers.get('content-type')).toContain('text/html');
    expect(root.headers.get('cache-control')).toBe('no-cache');
    expect(html).toContain('/assets/');
    for (const path of ['/alerts/00000000-0000-4000-8000-000000000000', '/residents']) {
      expect(await (await get(path)).text()).toBe(html);
    }
    const caregiverHtml = await (await get('/caregiver')).text();
    expect(caregiverHtml).not.toBe(html);
    expect(await (await get('/caregiver/')).text()).toBe(caregiverHtml);
    expect(await (await get('/caregiver/history')).text()).toBe(caregiverHtml);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const assetRes = await get(asset);
    expect(assetRes.status).toBe(200);
    expect(assetRes.headers.get('cache-control')).toContain('immutable');
    expect((await get('/assets/missing-0000.js')).status).toBe(404);
    // The API keeps its own 404s.
    const api = await get('/api/v1/no-such-thing');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
  });

  it('logged no console errors on any page', () => {
    expect(pages.flatMap((p) => p.errors)).toEqual([]);
  });
});
