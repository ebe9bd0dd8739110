import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { deviceTopic } from '@anxin/contract';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, publishQos1 } from '../../support/mqtt-device';
import { unique } from '../../support/platform-harness';
import {
  CONSOLE_VIEWPORT,
  eventually,
  PHONE_VIEWPORT,
  screenshot,
  signIn,
  useWebSuite,
  type WatchedPage,
} from './web-harness';

const LIVE_MS = 30_000;

async function attr(page: Page, testId: string, name: string): Promise<string | null> {
  return page.getByTestId(testId).first().getAttribute(name);
}

// Issue 7, end to end and live across both apps: an SOS published over MQTT reaches the
// console by itself and sounds; acknowledge → dispatch → the caregiver accepts on a phone →
// en route → on site → completed → the operator resolves. Station B sees none of it.
describe('live alert flow (browser, MQTT, two apps)', () => {
  let device: MqttClient | null = null;
  const suite = useWebSuite(() => device?.end(true));
  let stationA: StationFixture;
  let stationB: StationFixture;
  let operatorA: string;
  let operatorB: string;
  let caregiver: string;
  let caregiverId: string;
  let consoleA: WatchedPage;
  let consoleB: WatchedPage;
  let phone: WatchedPage;
  let alertId: string;
  const residentName = unique('王秀兰');

  beforeAll(async () => {
    expect(suite.web.platform.mqttPort).toBeGreaterThan(0);
    const center = await createCenter(suite.web.admin);
    stationA = await createStation(suite.web.admin, center, 'sos_button');
    stationB = await createStation(suite.web.admin, center, 'sos_button');
    operatorA = (await stationA.operator.get('/api/v1/auth/me')).body.username;
    operatorB = (await stationB.operator.get('/api/v1/auth/me')).body.username;
    const patched = await stationA.operator.patch(`/api/v1/residents/${stationA.residentId}`, {
      name: residentName,
      address: '和平区新兴路 12 号 3 单元 301',
      birthDate: '1941-03-08',
      emergencyContacts: [{ name: '王小明', relation: '儿子', phone: '13912345678', order: 1 }],
      careProfile: {
        conditions: ['heart_disease', 'lives_alone'],
        responderNotes: '钥匙箱密码 4721',
        rules: { sosCancelSeconds: 1 },
      },
    });
    expect(patched.status).toBe(200);
    caregiver = unique('cg');
    const created = await stationA.operator.post('/api/v1/users', {
      username: caregiver,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: stationA.stationId,
      displayName: '刘芳',
      skills: ['emergency'],
    });
    expect(created.status).toBe(201);
    caregiverId = created.body.id;

    consoleA = await suite.open(CONSOLE_VIEWPORT);
    consoleB = await suite.open(CONSOLE_VIEWPORT);
    phone = await suite.open(PHONE_VIEWPORT);
  });

  it('opens both consoles and the caregiver app, all live and quiet', async () => {
    await consoleA.page.goto('/');
    await signIn(consoleA.page, operatorA, 'operator-pass');
    await consoleB.page.goto('/');
    await signIn(consoleB.page, operatorB, 'operator-pass');
    await phone.page.goto('/caregiver');
    await signIn(phone.page, caregiver, 'caregiver-pass');
    for (const p of [consoleA.page, consoleB.page, phone.page]) {
      await eventually(async () => expect(await attr(p, 'connection', 'data-state')).toBe('online'), LIVE_MS);
    }
    await consoleA.page.getByTestId('alert-board-empty').waitFor();
    expect(await attr(consoleA.page, 'alert-board', 'data-alarm')).toBe('off');
    await phone.page.getByTestId('tasks-empty').waitFor();
  });

  it('shows an SOS published over MQTT on the console by itself, and sounds the alarm', async () => {
    device = await connectDevice(
      suite.web.platform.mqttPort,
      { id: stationA.deviceId, secret: stationA.deviceSecret },
      4,
    );
    const code = await publishQos1(
      device,
      deviceTopic(stationA.deviceId, 'events'),
      JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1 }),
    );
    expect(code).toBe(0);

    const row = consoleA.page.locator('[data-testid="alert-row"][data-kind="sos"]');
    await row.waitFor({ timeout: LIVE_MS });
    alertId = (await row.getAttribute('data-alert-id'))!;
    expect(await row.textContent()).toContain(residentName);
    expect(await row.textContent()).toContain('紧急呼叫');
    // It sounds: the alarm is on, Web Audio is running, and alarm patterns are being played.
    await eventually(async () => expect(await attr(consoleA.page, 'alert-board', 'data-alarm')).toBe('on'));
    expect(await attr(consoleA.page, 'alert-board', 'data-audio')).toBe('running');
    await eventually(async () =>
      expect(Number(await attr(consoleA.page, 'alert-board', 'data-beeps'))).toBeGreaterThan(0),
    );
    // The age timer counts up.
    const age1 = await row.getByTestId('alert-age').textContent();
    await new Promise((r) => setTimeout(r, 1200));
    expect(await row.getByTestId('alert-age').textContent()).not.toBe(age1);
    await screenshot(consoleA.page, 'flow-1-sos-on-board');
  });

  it("does not show station A's alert to station B's operator", async () => {
    await new Promise((r) => setTimeout(r, 1500));
    expect(await consoleB.page.getByTestId('alert-row').count()).toBe(0);
    expect(await consoleB.page.content()).not.toContain(residentName);
    expect(await attr(consoleB.page, 'alert-board', 'data-alarm')).toBe('off');
    await screenshot(consoleB.page, 'flow-2-station-b-sees-nothing');
  });

  it('comes back with the snapshot after the connection drops', async () => {
    const page = consoleA.page;
    const snapshots = Number(await attr(page, 'alert-board', 'data-snapshots'));
    await consoleA.setOffline(true);
    await eventually(async () => expect(await attr(page, 'connection', 'data-state')).not.toBe('online'), LIVE_MS);
    await screenshot(page, 'flow-2b-console-reconnecting');
    await consoleA.setOffline(false);
    await eventually(async () => expect(await attr(page, 'connection', 'data-state')).toBe('online'), LIVE_MS);
    await eventually(async () =>
      expect(Number(await attr(page, 'alert-board', 'data-snapshots'))).toBeGreaterThan(snapshots),
    );
    await page.locator(`[data-testid="alert-row"][data-alert-id="${alertId}"]`).waitFor();
    expect(await attr(page, 'alert-board', 'data-alarm')).toBe('on');
  });

  it('opens the alert detail from the keyboard and acknowledges, which silences the alarm', async () => {
    const page = consoleA.page;
    await page.locator(`[data-testid="alert-row"][data-alert-id="${alertId}"]`).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('alert-detail').waitFor();
    await page.getByTestId('resident-card').waitFor();
    expect(await page.getByTestId('resident-address').textContent()).toContain('新兴路');
    expect(await page.getByTestId('responder-notes').textContent()).toContain('4721');
    expect(await page.locator('[data-testid="resident-contacts"] a[href="tel:13912345678"]').count()).toBe(1);
    await screenshot(page, 'flow-3-alert-detail');

    await page.getByTestId('alert-acknowledge').click();
    await eventually(async () => expect(await attr(page, 'alert-detail', 'data-status')).toBe('acknowledged'), LIVE_MS);
    await eventually(async () => expect(await attr(page, 'alert-board', 'data-alarm')).toBe('off'));
  });

  it('dispatches to an eligible caregiver chosen from the list', async () => {
    const page = consoleA.page;
    await page.getByTestId('alert-dispatch').click();
    await page.getByTestId('dispatch-dialog').waitFor();
    const candidate = page.locator(`[data-testid="dispatch-candidate"][data-user-id="${caregiverId}"]`);
    await candidate.waitFor({ timeout: LIVE_MS });
    await screenshot(page, 'flow-4-dispatch-dialog');
    await candidate.click();
    await page.getByTestId('dispatch-note').fill('请尽快上门查看');
    await page.getByTestId('dispatch-submit').click();
    await page.getByTestId('dispatch-dialog').waitFor({ state: 'detached' });
    await eventually(async () => expect(await attr(page, 'alert-detail', 'data-status')).toBe('dispatched'), LIVE_MS);
  });

  it('offers the task on the phone with a countdown; the caregiver accepts', async () => {
    const page = phone.page;
    const offer = page.getByTestId('offer-card');
    await offer.waitFor({ timeout: LIVE_MS });
    expect(await offer.textContent()).toContain(residentName);
    const t1 = await page.getByTestId('offer-countdown').textContent();
    await new Promise((r) => setTimeout(r, 1200));
    expect(await page.getByTestId('offer-countdown').textContent()).not.toBe(t1);
    await screenshot(page, 'flow-5-caregiver-offer');

    await page.getByTestId('offer-accept').click();
    const task = page.getByTestId('current-task');
    await task.waitFor({ timeout: LIVE_MS });
    expect(await page.getByTestId('task-address').textContent()).toContain('新兴路');
    // Responder notes only once accepted.
    await page.getByTestId('task-responder-notes').waitFor({ timeout: LIVE_MS });
    expect(await page.locator('[data-testid="task-contacts"] a[href="tel:13912345678"]').count()).toBe(1);
    await screenshot(page, 'flow-6-caregiver-accepted');
  });

  it('survives a flaky phone connection: reconnects and keeps the task', async () => {
    const page = phone.page;
    await phone.setOffline(true);
    await eventually(async () => expect(await attr(page, 'connection', 'data-state')).not.toBe('online'), LIVE_MS);
    // The task stays on screen while offline.
    await page.getByTestId('current-task').waitFor();
    await screenshot(page, 'flow-6b-caregiver-offline');
    await phone.setOffline(false);
    await eventually(async () => expect(await attr(page, 'connection', 'data-state')).toBe('online'), LIVE_MS);
    expect(await attr(page, 'current-task', 'data-status')).toBe('accepted');
  });

  it('reports en route, on site and completed, each seen live on the console', async () => {
    const page = phone.page;
    const consolePage = consoleA.page;
    const orderOnConsole = consolePage.getByTestId('alert-order');
    for (const step of ['en_route', 'on_site'] as const) {
      await page.getByTestId(`progress-${step}`).click();
      await eventually(async () => expect(await attr(page, 'current-task', 'data-status')).toBe(step), LIVE_MS);
      await eventually(
        async () => expect(await orderOnConsole.first().getAttribute('data-status')).toBe(step),
        LIVE_MS,
      );
    }
    await screenshot(page, 'flow-7-caregiver-on-site');
    await page.getByTestId('task-note').fill('老人摔倒后已扶起，无明显外伤，已联系家属');
    // The caregiver says what it was (CONTRACT §3 v1.1); completion cannot be sent before choosing.
    expect(await page.getByTestId('progress-completed').isDisabled()).toBe(true);
    await page.getByTestId('task-outcome').selectOption('real_emergency');
    await page.getByTestId('progress-completed').click();
    await page.getByTestId('tasks-empty').waitFor({ timeout: LIVE_MS });
    await eventually(
      async () => expect(await orderOnConsole.first().getAttribute('data-status')).toBe('completed'),
      LIVE_MS,
    );
    await page.getByTestId('tab-history').click();
    await page.locator('[data-testid="history-item"][data-status="completed"]').waitFor();
    await screenshot(page, 'flow-8-caregiver-history');
    await screenshot(consolePage, 'flow-9-console-order-completed');

    await consolePage.getByTestId('nav-orders').click();
    await consolePage.getByTestId('orders-board').waitFor();
    await consolePage.getByText('已结束').click();
    await consolePage.locator('[data-testid="order-row"][data-status="completed"]').waitFor({ timeout: LIVE_MS });
    await screenshot(consolePage, 'flow-9b-orders-board');
    await consolePage.goBack();
    await consolePage.getByTestId('alert-detail').waitFor();
  });

  it('resolves with an outcome and a note from the console; the alert leaves the board', async () => {
    const page = consoleA.page;
    // Independent of the steps before: close whatever dialog a failed step left open.
    if ((await page.locator('dialog[open]').count()) > 0) await page.keyboard.press('Escape');
    await page.getByTestId('alert-detail').waitFor();
    // The platform closes an alert when its emergency order is completed with the caregiver's
    // outcome and note: seen live here (it may still be on its way). A second SOS gives the operator one to resolve by hand.
    await eventually(async () => expect(await attr(page, 'alert-detail', 'data-status')).toBe('resolved'), LIVE_MS);
    let toResolve = alertId;
    let outcome: 'real_emergency' | 'false_alarm' = 'real_emergency';
    {
      expect(await page.getByTestId('alert-resolved').textContent()).toContain('老人摔倒后已扶起');
      const code = await publishQos1(
        device!,
        deviceTopic(stationA.deviceId, 'events'),
        JSON.stringify({ type: 'sos', ts: Date.now(), seq: 2 }),
      );
      expect(code).toBe(0);
      const row = page.locator('[data-testid="alert-row"][data-kind="sos"][data-status="open"]');
      await row.waitFor({ timeout: LIVE_MS });
      toResolve = (await row.getAttribute('data-alert-id'))!;
      expect(toResolve).not.toBe(alertId);
      await eventually(async () => expect(await attr(page, 'alert-board', 'data-alarm')).toBe('on'));
      await row.click();
      await page.locator(`[data-testid="alert-detail"][data-alert-id="${toResolve}"]`).waitFor();
      outcome = 'false_alarm';
    }
    await page.getByTestId('alert-resolve').click();
    await page.getByTestId('resolve-dialog').waitFor();
    await page.getByTestId(`resolve-outcome-${outcome}`).check();
    await page.getByTestId('resolve-note').fill('已电话确认，老人安好');
    await screenshot(page, 'flow-10-resolve-dialog');
    await page.getByTestId('resolve-submit').click();
    await page.getByTestId('alert-resolved').waitFor({ timeout: LIVE_MS });
    await eventually(
      async () => expect(await page.locator(`[data-testid="alert-row"][data-alert-id="${toResolve}"]`).count()).toBe(0),
      LIVE_MS,
    );
    expect(await attr(page, 'alert-board', 'data-alarm')).toBe('off');
    const stored = await stationA.operator.get(`/api/v1/alerts/${toResolve}`);
    expect(stored.body.status).toBe('resolved');
    expect(stored.body.outcome).toBe(outcome);
    await screenshot(page, 'flow-11-resolved');
  });

  it('logged no console errors on any of the three pages', () => {
    expect([...consoleA.errors, ...consoleB.errors, ...phone.errors]).toEqual([]);
  });

  // Issue 12 items 9 and 14: signing out revokes the token on the platform and leaves nothing behind.
  it('signs out of both apps: the tokens are refused and no resident data is left in the browser', async () => {
    // Evaluated in the browser (the tests have no DOM types): localStorage as a plain object.
    const storageOf = (page: Page) =>
      page.evaluate(() => ({ ...(globalThis as unknown as { localStorage: Record<string, string> }).localStorage }));
    const storage = async (page: Page) => JSON.stringify(await storageOf(page));
    const tokenOf = async (page: Page, app: string) =>
      (JSON.parse((await storageOf(page))[`anxin.${app}.session`] ?? '{}') as { accessToken?: string }).accessToken;
    // Signed in, the phone's history keeps no key-safe note, contact or caregiver's note at rest.
    const atRest = await storage(phone.page);
    expect(atRest).toContain(`anxin.caregiver.history.${caregiverId}`);
    for (const secret of ['钥匙箱密码', '13912345678', '老人摔倒后已扶起', '新兴路'])
      expect(atRest).not.toContain(secret);
    for (const [{ page }, app] of [
      [phone, 'caregiver'],
      [consoleA, 'console'],
    ] as const) {
      const token = await tokenOf(page, app);
      expect(token).toEqual(expect.any(String));
      expect((await suite.web.api.withToken(token!).get('/api/v1/auth/me')).status).toBe(200);
      await page.getByTestId('logout').click();
      await page.getByTestId('login-form').waitFor();
      await eventually(async () =>
        expect((await suite.web.api.withToken(token!).get('/api/v1/auth/me')).status).toBe(401),
      );
      const left = await storage(page);
      expect(left).not.toContain(`anxin.${app}.`);
      expect(left).not.toContain(residentName);
    }
  });
});
