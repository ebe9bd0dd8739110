import ExcelJS from 'exceljs';
import type { MqttClient } from 'mqtt';
import type { AlertView } from '@anxin/contract';
import { deviceTopic } from '@anxin/contract';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, publishQos1 } from '../../support/mqtt-device';
import { until } from '../../support/until';
import { CONSOLE_VIEWPORT, eventually, screenshot, useWebSuite, type WatchedPage } from './web-harness';

/**
 * Issue 15, in the browser: an operator finds resolved alerts again on 告警记录, opens one in the same
 * detail view as the live board, and reads the period's KPIs on 统计分析 — tiles against their targets,
 * ECharts charts — and downloads them as XLSX.
 */
describe('alert history and statistics (browser)', () => {
  let device: MqttClient | null = null;
  const suite = useWebSuite(() => device?.end(true));
  let station: StationFixture;
  let operator: string;
  let consolePage: WatchedPage;

  async function pressSos(seq: number): Promise<void> {
    const code = await publishQos1(
      device!,
      deviceTopic(station.deviceId, 'events'),
      JSON.stringify({ type: 'sos', ts: Date.now(), seq }),
    );
    expect(code).toBe(0);
  }

  /** An SOS press, acknowledged at once and resolved with `outcome`. */
  async function handledSos(seq: number, outcome: string): Promise<void> {
    await pressSos(seq);
    const alert = await until('the SOS alert', async () => {
      const open = await station.operator.get(`/api/v1/alerts?status=open&kind=sos&residentId=${station.residentId}`);
      return (open.body as AlertView[])[0];
    });
    expect((await station.operator.post(`/api/v1/alerts/${alert.id}/acknowledge`, {})).status).toBe(200);
    expect((await station.operator.post(`/api/v1/alerts/${alert.id}/resolve`, { outcome })).status).toBe(200);
  }

  beforeAll(async () => {
    station = await createStation(suite.web.admin, await createCenter(suite.web.admin));
    operator = (await station.operator.get('/api/v1/auth/me')).body.username;
    device = await connectDevice(
      suite.web.platform.mqttPort,
      { id: station.deviceId, secret: station.deviceSecret },
      4,
    );
    await handledSos(1, 'false_alarm');
    await handledSos(2, 'real_emergency');
    consolePage = await suite.signedIn(CONSOLE_VIEWPORT, '/history', operator, 'operator-pass');
  });

  it('lists the resolved alerts on 告警记录 and opens one in the detail view', async () => {
    const { page } = consolePage;
    await page.getByTestId('history-page').waitFor();
    expect(await page.getByTestId('nav-history').textContent()).toContain('告警记录');
    await eventually(async () => expect(await page.getByTestId('history-row').count()).toBe(2));
    const first = page.getByTestId('history-row').first();
    expect(await first.textContent()).toContain('紧急呼叫');
    expect(await first.textContent()).toContain('真实紧急情况'); // newest first: the second press
    // The outcome filter keeps the false alarm only.
    await page.getByTestId('history-outcome').selectOption('false_alarm');
    await eventually(async () => expect(await page.getByTestId('history-row').count()).toBe(1));
    // 导出 Excel writes what the filters show: the one false alarm, in Chinese.
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('list-export').click()]);
    expect(file.suggestedFilename()).toMatch(/^告警记录_.*\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await file.path());
    const sheet = book.worksheets[0]!;
    expect(sheet.rowCount).toBe(2);
    expect(JSON.stringify(sheet.getRow(2).values)).toContain('误报');
    await page.getByTestId('history-outcome').selectOption('');
    // A filter that matches nothing empties the list.
    await page.getByTestId('history-kind').selectOption('fall');
    await page.getByTestId('history-empty').waitFor();
    await page.getByTestId('history-kind').selectOption('');
    await eventually(async () => expect(await page.getByTestId('history-row').count()).toBe(2));
    await page.getByTestId('history-row').last().click();
    await page.getByTestId('alert-detail').waitFor();
    await eventually(async () =>
      expect(await page.getByTestId('alert-detail').getAttribute('data-status')).toBe('resolved'),
    );
    // The resident card lists the resident's alerts, any status.
    await eventually(async () => expect(await page.getByTestId('resident-history-alert').count()).toBe(2));
    await screenshot(page, 'history-1-resolved-alert-detail');
  });

  it('shows the quarter on 统计分析: KPI tiles against targets, charts, and an XLSX download', async () => {
    const { page } = consolePage;
    await page.getByTestId('nav-stats').click();
    await eventually(async () => expect(await page.getByTestId('stats-page').getAttribute('data-loaded')).toBe('yes'));
    expect(await page.getByTestId('kpi-alerts-total').textContent()).toContain('2');
    // Both acknowledged within seconds: the TEC target (97.5 % within 60 s) is met, so the tile is green.
    expect(await page.getByTestId('kpi-ack-60').getAttribute('data-tone')).toBe('good');
    expect(await page.getByTestId('kpi-ack-60').textContent()).toContain('100.0%');
    expect(await page.getByTestId('kpi-false-alarms').textContent()).toContain('50.0%');
    for (const chart of [
      'chart-ack-times',
      'chart-alerts-day',
      'chart-alerts-kind',
      'chart-alerts-unit',
      'chart-orders-kind',
      'chart-orders-org',
    ])
      await page.locator(`[data-testid="${chart}"] canvas`).first().waitFor();
    expect(await page.getByTestId('chart-alerts-kind').getAttribute('data-bars')).toBe('1');
    await screenshot(page, 'stats-1-quarter-zh');

    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-alerts').click()]);
    expect(file.suggestedFilename()).toMatch(/^告警报表_.*\.xlsx$/);
    expect(consolePage.errors).toEqual([]);
  });

  it('runs the 1920×1080 wall screen, live: a new SOS reaches the ticker and its station, nothing scrolls', async () => {
    const wall = await suite.signedIn({ width: 1920, height: 1080 }, '/screen', operator, 'operator-pass');
    const { page } = wall;
    await page.getByTestId('wall-screen').waitFor();
    await eventually(async () => expect(await page.getByTestId('wall-today').textContent()).toContain('2'));
    expect(await page.getByTestId('wall-open').textContent()).toContain('0');
    await pressSos(3); // left open: the wall shows it live
    const row = page.locator('[data-testid="wall-ticker-row"][data-kind="sos"]');
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('紧急呼叫');
    await eventually(async () => expect(await page.getByTestId('wall-open').textContent()).toContain('1'));
    expect(await page.locator('[data-testid="wall-station"][data-open="1"]').count()).toBe(1);
    const overflow = await page.evaluate<{ height: number; width: number }>(
      '({ height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth })',
    );
    expect(overflow.height).toBeLessThanOrEqual(1080);
    expect(overflow.width).toBeLessThanOrEqual(1920);
    await screenshot(page, 'screen-1-live-sos');
    expect(wall.errors).toEqual([]);
  });
});
