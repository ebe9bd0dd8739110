import fs from 'node:fs';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { deviceTopic } from '@anxin/contract';
import { ApiClient } from '../../support/api-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { closed, connectDevice, publishQos1 } from '../../support/mqtt-device';
import { unique } from '../../support/platform-harness';
import { makeDataDir, type PlatformProcess, spawnPlatform } from '../../support/platform-process';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { within } from '../../support/until';
import {
  ADMIN_PASSWORD,
  CONSOLE_VIEWPORT,
  ensureWebBuilt,
  eventually,
  launchBrowser,
  openPage,
  PHONE_VIEWPORT,
  signIn,
  type WatchedPage,
} from './web-harness';

const LIVE_MS = 30_000;
const CONSOLES = 4;

const connectionState = (page: Page) => page.getByTestId('connection').first().getAttribute('data-state');

/**
 * Issue 14: two platform processes behind a plain round-robin TCP balancer (no sticky sessions),
 * as the production shape runs them. Before, the web apps opened socket.io with long-polling
 * first: its requests landed on both processes and most consoles never came online. Now the
 * consoles and the caregiver app connect over WebSocket; an SOS sent to one process reaches
 * consoles on both; a device the balancer bounces between processes keeps one session.
 */
describe('two processes behind a round-robin balancer (browser, MQTT)', () => {
  let database: TestDatabase;
  const dataDirs: string[] = [];
  const processes: PlatformProcess[] = [];
  let http: TcpProxy;
  let mqtt: TcpProxy;
  let browser: Browser;
  let station: StationFixture;
  let caregiver: string;
  const consoles: WatchedPage[] = [];
  let phone: WatchedPage;
  const devices: MqttClient[] = [];
  /** socket.io long-polling requests the pages made: each may land on another process. */
  const pollingRequests: string[] = [];
  const watch = (watched: WatchedPage) => {
    watched.page.on('request', (request) => {
      if (request.url().includes('transport=polling')) pollingRequests.push(request.url());
    });
    return watched;
  };

  beforeAll(async () => {
    ensureWebBuilt();
    database = await createTestDatabase('balancer');
    const prefix = unique('lb');
    for (let i = 0; i < 2; i++) {
      dataDirs.push(makeDataDir());
      processes.push(
        await spawnPlatform({
          DATABASE_URL: database.url,
          REDIS_URL: 'redis://127.0.0.1:6379',
          ANXIN_QUEUE_PREFIX: prefix,
          ANXIN_ADMIN_PASSWORD: ADMIN_PASSWORD,
          ANXIN_DATA_DIR: dataDirs[i]!,
        }),
      );
    }
    http = await startTcpProxy(processes.map((p) => p.httpPort));
    mqtt = await startTcpProxy(processes.map((p) => p.mqttPort));
    const admin = await new ApiClient(`http://127.0.0.1:${http.port}`).login('admin', ADMIN_PASSWORD);
    station = await createStation(admin, await createCenter(admin), 'sos_button');
    caregiver = unique('cg');
    const created = await station.operator.post('/api/v1/users', {
      username: caregiver,
      password: 'caregiver-pass',
      role: 'caregiver',
      orgUnitId: station.stationId,
      displayName: '刘芳',
      skills: ['emergency'],
    });
    expect(created.status).toBe(201);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const d of devices) d.end(true);
    await browser?.close();
    await http?.close();
    await mqtt?.close();
    for (const p of processes) await p.stop();
    await database?.drop();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('brings every console and the caregiver app online through the balancer', async () => {
    const baseUrl = `http://127.0.0.1:${http.port}`;
    const operator = (await station.operator.get('/api/v1/auth/me')).body.username as string;
    for (let i = 0; i < CONSOLES; i++) {
      const watched = watch(await openPage(browser, baseUrl, CONSOLE_VIEWPORT));
      await watched.page.goto('/');
      await signIn(watched.page, operator, 'operator-pass');
      consoles.push(watched);
    }
    phone = watch(await openPage(browser, baseUrl, PHONE_VIEWPORT));
    await phone.page.goto('/caregiver');
    await signIn(phone.page, caregiver, 'caregiver-pass');
    for (const { page } of [...consoles, phone])
      await eventually(async () => expect(await connectionState(page)).toBe('online'), LIVE_MS);
    // Still online a moment later: a polling session split across processes drops after its handshake.
    await new Promise((r) => setTimeout(r, 2_000));
    for (const { page } of [...consoles, phone]) expect(await connectionState(page)).toBe('online');
    // Over WebSocket from the start: no long-polling request that a balancer without stickiness could split.
    expect(pollingRequests).toEqual([]);
  }, 120_000);

  it('shows an SOS sent to one process on every console, and the caregiver accepts the dispatched task', async () => {
    const button = await connectDevice(
      processes[1]!.mqttPort,
      { id: station.deviceId, secret: station.deviceSecret },
      4,
    );
    devices.push(button);
    const code = await publishQos1(
      button,
      deviceTopic(station.deviceId, 'events'),
      JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1 }),
    );
    expect(code).toBe(0);
    let alertId = '';
    for (const { page } of consoles) {
      const row = page.locator('[data-testid="alert-row"][data-kind="sos"]');
      await row.waitFor({ timeout: LIVE_MS });
      alertId = (await row.getAttribute('data-alert-id'))!;
    }
    const dispatched = await station.operator.post(`/api/v1/alerts/${alertId}/dispatch`, { kind: 'emergency' });
    expect(dispatched.status).toBe(201);
    await phone.page.getByTestId('offer-card').waitFor({ timeout: LIVE_MS });
    await phone.page.getByTestId('offer-accept').click();
    await phone.page.getByTestId('current-task').waitFor({ timeout: LIVE_MS });
    for (const { errors } of [...consoles, phone]) expect(errors).toEqual([]);
  }, 120_000);

  it('keeps one session for a device the balancer bounces between processes (3.1.1, then 5)', async () => {
    const credentials = { id: station.deviceId, secret: station.deviceSecret };
    // Consecutive connections through the balancer land on different processes.
    const first = await connectDevice(mqtt.port, credentials, 4, { keepalive: 600 });
    const firstEnded = closed(first);
    const second = await connectDevice(mqtt.port, credentials, 5, { keepalive: 600 });
    devices.push(first, second);
    await within('the first session to end', firstEnded, 5_000);
    const received: string[] = [];
    second.on('message', (_t, payload) =>
      received.push((JSON.parse(payload.toString()) as { commandId: string }).commandId),
    );
    await second.subscribeAsync(deviceTopic(station.deviceId, 'commands'), { qos: 1 });
    const sent = await station.operator.post(`/api/v1/devices/${station.deviceId}/commands`, {
      name: 'locate',
      params: {},
    });
    expect(sent.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received.filter((id) => id === sent.body.id)).toHaveLength(1);
    expect((await station.operator.get(`/api/v1/devices/${station.deviceId}`)).body.online).toBe(true);
  }, 60_000);
});
