import type { Page } from 'playwright-core';
import { createCenter, createStation } from '../../support/fixtures';
import { connectDevice, publishQos1 } from '../../support/mqtt-device';
import { unique } from '../../support/platform-harness';
import { deviceTopic } from '@anxin/contract';
import { CONSOLE_VIEWPORT, eventually, PHONE_VIEWPORT, screenshot, useWebSuite } from './web-harness';

const LIVE_MS = 30_000;
const attr = (page: Page, testId: string, name: string) => page.getByTestId(testId).first().getAttribute(name);

// Issue 11 §2 in the browser: 无人接单 on the board and the detail, with the alarm sounding again;
// the caregiver chooses the outcome at completion.
describe('dispatch dead ends in the web apps', () => {
  const suite = useWebSuite();

  async function sos(s: { deviceId: string; deviceSecret: string; operator: { get(p: string): Promise<any> } }) {
    const device = await connectDevice(suite.web.platform.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 4);
    await publishQos1(
      device,
      deviceTopic(s.deviceId, 'events'),
      JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1 }),
    );
    device.end(true);
    return eventually(async () => {
      const open = (await s.operator.get('/api/v1/alerts?status=open')).body as { id: string }[];
      if (!open[0]) throw new Error('no alert yet');
      return open[0].id;
    });
  }

  it('shows 无人接单 on the board and in the detail and sounds the alarm again', async () => {
    const s = await createStation(suite.web.admin, await createCenter(suite.web.admin));
    const operator = unique('op');
    await suite.web.admin.post('/api/v1/users', {
      username: operator,
      password: 'operator-pass',
      role: 'operator',
      orgUnitId: s.stationId,
    });
    const alertId = await sos(s);
    const { page } = await suite.signedIn(CONSOLE_VIEWPORT, '/', operator, 'operator-pass');
    const row = page.locator(`[data-testid="alert-row"][data-alert-id="${alertId}"]`);
    await row.waitFor({ timeout: LIVE_MS });
    // Acknowledged: the alarm stops; then a dispatch nobody can take (no caregiver in the station).
    await suite.web.admin.post(`/api/v1/alerts/${alertId}/acknowledge`);
    await eventually(async () => expect(await attr(page, 'alert-board', 'data-alarm')).toBe('off'), LIVE_MS);
    expect(await row.getByTestId('alert-unassigned').count()).toBe(0);
    const order = await suite.web.admin.post(`/api/v1/alerts/${alertId}/dispatch`, {});
    expect(order.body.status).toBe('unassigned');
    await row.getByTestId('alert-unassigned').waitFor({ timeout: LIVE_MS });
    expect(await row.getByTestId('alert-unassigned').textContent()).toBe('无人接单');
    await eventually(async () => expect(await attr(page, 'alert-board', 'data-alarm')).toBe('on'), LIVE_MS);
    await row.click();
    await page.getByTestId('alert-detail').getByTestId('alert-unassigned').waitFor({ timeout: LIVE_MS });
    await screenshot(page, 'dead-end-1-unassigned');
  });

  it('makes the caregiver choose the outcome at completion, and records that outcome', async () => {
    const s = await createStation(suite.web.admin, await createCenter(suite.web.admin));
    const caregiver = unique('cg');
    const created = await suite.web.admin.post('/api/v1/users', {
      username: caregiver,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: s.stationId,
      skills: ['emergency'],
    });
    const cg = await suite.web.api.login(caregiver, 'caregiver-pass');
    const alertId = await sos(s);
    const order = (await s.operator.post(`/api/v1/alerts/${alertId}/dispatch`, { caregiverId: created.body.id })).body;
    expect((await cg.post(`/api/v1/orders/${order.id}/accept`)).status).toBe(200);
    expect((await cg.post(`/api/v1/orders/${order.id}/progress`, { status: 'on_site' })).status).toBe(200);

    const { page } = await suite.signedIn(PHONE_VIEWPORT, '/caregiver', caregiver, 'caregiver-pass');
    await page.getByTestId('current-task').waitFor({ timeout: LIVE_MS });
    expect(await page.getByTestId('progress-completed').isDisabled()).toBe(true);
    await page.getByTestId('task-outcome').selectOption('false_alarm');
    await screenshot(page, 'dead-end-2-outcome-picker');
    await page.getByTestId('progress-completed').click();
    await page.getByTestId('tasks-empty').waitFor({ timeout: LIVE_MS });
    await eventually(async () =>
      expect((await s.operator.get(`/api/v1/alerts/${alertId}`)).body).toMatchObject({
        status: 'resolved',
        outcome: 'false_alarm',
      }),
    );
  });
});
