import type { MqttClient } from 'mqtt';
import { deviceTopic } from '@anxin/contract';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, publishQos1 } from '../../support/mqtt-device';
import { CONSOLE_VIEWPORT, eventually, useWebSuite, type WatchedPage } from './web-harness';

/** What a raw code looks like on screen: snake_case words, and the event and status codes shown alone. */
const RAW_CODE =
  /\b[a-z]+_[a-z_]+\b|\b(?:motion|pending|offered|accepted|completed|cancelled|unassigned|sos|fall|smoke|gas)\b/g;

/**
 * Issue 16: no raw codes in the zh-CN console. Each page, with an SOS and its event history on it, is
 * scanned for snake_case words and codes a person should never read.
 */
describe('clean Chinese in the console (browser)', () => {
  let device: MqttClient | null = null;
  const suite = useWebSuite(() => device?.end(true));
  let station: StationFixture;
  let watched: WatchedPage;

  beforeAll(async () => {
    station = await createStation(suite.web.admin, await createCenter(suite.web.admin));
    device = await connectDevice(
      suite.web.platform.mqttPort,
      { id: station.deviceId, secret: station.deviceSecret },
      4,
    );
    const sos = JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1 });
    expect(await publishQos1(device, deviceTopic(station.deviceId, 'events'), sos)).toBe(0);
    const operator = (await station.operator.get('/api/v1/auth/me')).body.username;
    // A kind whose code is snake_case, so a raw code on 服务组织 would show.
    const org = { name: '卫生站', kind: 'health_station', orgUnitIds: [station.stationId] };
    expect((await suite.web.admin.post('/api/v1/service-orgs', org)).status).toBe(201);
    // A plan, so 服务计划 shows its service, days and status as a person reads them.
    const plan = { residentId: station.residentId, kind: 'mobility', weekdays: [1, 3], timeOfDay: '08:00' };
    expect((await station.operator.post('/api/v1/care-plans', plan)).status).toBe(201);
    watched = await suite.signedIn(CONSOLE_VIEWPORT, '/alerts', operator, 'operator-pass');
  });

  const rawCodesOn = async (path: string, ready: string) => {
    const { page } = watched;
    await page.goto(path);
    await page.getByTestId(ready).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    const text = await page.locator('body').innerText();
    return [...new Set(text.match(RAW_CODE) ?? [])];
  };

  it('shows the alert board, its detail and the history without raw codes', async () => {
    const { page } = watched;
    await page.locator('[data-testid="alert-row"][data-kind="sos"]').waitFor({ timeout: 30_000 });
    const id = await page.locator('[data-testid="alert-row"]').first().getAttribute('data-alert-id');
    expect(await rawCodesOn(`/alerts/${id}`, 'alert-detail')).toEqual([]);
    await eventually(async () => expect(await page.getByTestId('alert-events').textContent()).toContain('紧急呼叫'));
    expect(await rawCodesOn(`/history/${id}`, 'history-row')).toEqual([]);
  });

  it.each([
    ['/orders', 'nav-orders'],
    ['/maintenance', 'maintenance-page'],
    ['/residents', 'residents-page'],
    ['/stats', 'stats-page'],
    ['/users', 'nav-users'],
    ['/service-orgs', 'service-org-row'],
    ['/care-plans', 'care-plan-row'],
  ])('shows %s without raw codes', async (path, ready) => {
    expect(await rawCodesOn(path, ready)).toEqual([]);
  });
});
