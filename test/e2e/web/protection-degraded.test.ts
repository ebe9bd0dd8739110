import type { MqttClient } from 'mqtt';
import { deviceTopic } from '@anxin/contract';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, publishQos1 } from '../../support/mqtt-device';
import { unique } from '../../support/platform-harness';
import { CONSOLE_VIEWPORT, eventually, screenshot, useWebSuite, type WatchedPage } from './web-harness';

const LIVE_MS = 30_000;

// Issue 11 §1: while a resident's safety device is offline, the console shows the resident as
// 防护降级 on the alert board (beside their emergencies) and on the maintenance page, live.
describe('protection degraded on the console (browser, MQTT)', () => {
  const clients: MqttClient[] = [];
  const suite = useWebSuite(() => clients.forEach((c) => c.end(true)));
  let station: StationFixture;
  let operator: string;
  let console_: WatchedPage;
  const residentName = unique('赵桂英');
  let wearable: { id: string; secret: string };

  beforeAll(async () => {
    station = await createStation(suite.web.admin, await createCenter(suite.web.admin), 'sos_button');
    operator = (await station.operator.get('/api/v1/auth/me')).body.username;
    expect(
      (await station.operator.patch(`/api/v1/residents/${station.residentId}`, { name: residentName })).status,
    ).toBe(200);
    const created = await station.operator.post('/api/v1/devices', {
      type: 'wearable',
      residentId: station.residentId,
      heartbeatIntervalSeconds: 2,
    });
    expect(created.status).toBe(201);
    wearable = { id: created.body.id, secret: created.body.secret };
  });

  const connect = async (device: { id: string; secret: string }) => {
    const client = await connectDevice(suite.web.platform.mqttPort, device, 4);
    clients.push(client);
    return client;
  };

  it('shows 防护降级 on the board when a wearable loses power, beside the resident’s SOS', async () => {
    console_ = await suite.signedIn(CONSOLE_VIEWPORT, '/', operator, 'operator-pass');
    const page = console_.page;
    await eventually(async () =>
      expect(await page.getByTestId('connection').getAttribute('data-state')).toBe('online'),
    );
    await page.getByTestId('alert-board-empty').waitFor();
    expect(await page.getByTestId('protection-strip').count()).toBe(0);

    const band = await connect(wearable);
    await publishQos1(
      band,
      deviceTopic(wearable.id, 'telemetry'),
      JSON.stringify({ ts: Date.now(), seq: 1, battery: 60 }),
    );
    (band as unknown as { stream: { destroy(): void } }).stream.destroy(); // power loss: no DISCONNECT

    const strip = page.getByTestId('protection-strip');
    await strip.waitFor({ timeout: LIVE_MS });
    expect(await strip.textContent()).toContain('防护降级');
    expect(await strip.textContent()).toContain(residentName);
    expect(await strip.textContent()).toContain('离线');

    // The resident's emergency carries the same mark on its row.
    const button = await connect({ id: station.deviceId, secret: station.deviceSecret });
    await publishQos1(
      button,
      deviceTopic(station.deviceId, 'events'),
      JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1 }),
    );
    const row = page.locator('[data-testid="alert-row"][data-kind="sos"]');
    await row.waitFor({ timeout: LIVE_MS });
    await row.getByTestId('protection-degraded').waitFor();
    expect(await row.getByTestId('protection-degraded').textContent()).toBe('防护降级');
    await screenshot(page, 'protection-1-board-degraded');

    // The resident's record (from GET /residents) carries it too.
    await page.getByTestId('nav-residents').click();
    const listed = page.locator(`[data-testid="resident-row"][data-resident-id="${station.residentId}"]`);
    await listed.getByTestId('protection-degraded').waitFor({ timeout: LIVE_MS });
    await listed.click();
    await page.getByTestId('resident-detail').getByTestId('protection-degraded').waitFor();
  });

  it('shows it on the maintenance page and clears it when the wearable is heard again', async () => {
    const page = console_.page;
    await page.getByTestId('nav-maintenance').click();
    await page.getByTestId('maintenance-page').waitFor();
    expect(await page.getByTestId('protection-strip').textContent()).toContain(residentName);
    await screenshot(page, 'protection-2-maintenance');

    const band = await connect(wearable);
    const talking = setInterval(
      () =>
        void publishQos1(
          band,
          deviceTopic(wearable.id, 'telemetry'),
          JSON.stringify({ ts: Date.now(), seq: Date.now(), battery: 60 }),
        ),
      500,
    );
    try {
      await eventually(async () => expect(await page.getByTestId('protection-strip').count()).toBe(0), LIVE_MS);
    } finally {
      clearInterval(talking);
    }
    expect(console_.errors).toEqual([]);
  });
});
