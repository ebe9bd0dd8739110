import { Client } from 'pg';
import { watchConsole, type ConsoleWatcher } from '../../support/console-client';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';
import { until } from '../../support/until';
import { ALWAYS_NIGHT, createHome, sleep } from './alert-harness';

/** A night window that surely does not cover now (the current UTC hour shifted by 12 h, in Shanghai time). */
function daytimeWindow(): { start: string; end: string } {
  const localHour = (new Date().getUTCHours() + 8) % 24;
  const start = (localHour + 10) % 24;
  const pad = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return { start: pad(start), end: pad((start + 4) % 24) };
}

describe('alert rules end to end (per-resident overrides shorten the windows)', () => {
  let t: TestPlatform;
  let s: StationFixture;
  let console_: ConsoleWatcher;
  const kindsFor = (residentId: string) =>
    console_.raised.filter((a) => a.residentId === residentId).map((a) => a.kind);

  beforeAll(async () => {
    t = await startTestPlatform({
      ANXIN_QUEUE_PREFIX: unique('q'),
      ANXIN_INACTIVITY_SWEEP_SECONDS: '1',
      ANXIN_OFFLINE_SWEEP_SECONDS: '1',
    });
    s = await createStation(t.admin, await createCenter(t.admin));
    console_ = await watchConsole(t.api.baseUrl, s.operator.token!);
  });
  afterAll(async () => {
    console_.close();
    await t.stop();
  });

  const raised = (residentId: string, kind: string, timeoutMs = 10_000) =>
    console_.waitFor('alert:raised', (a) => a.residentId === residentId && a.kind === kind, timeoutMs);

  it('raises not_back_in_bed when a night bed exit is not followed by a return, and not when it is', async () => {
    const profile = { nightWindow: ALWAYS_NIGHT, rules: { bedReturnSeconds: 2 } };
    const away = await createHome(s.operator, t.mqttPort, s.communityId, ['mattress'], profile);
    const back = await createHome(s.operator, t.mqttPort, s.communityId, ['mattress'], profile);
    await away.event('mattress', 'bed_exit');
    await back.event('mattress', 'bed_exit');
    await sleep(500);
    await back.event('mattress', 'bed_enter');
    const alert = await raised(away.residentId, 'not_back_in_bed');
    expect(alert.severity).toBe('high');
    await sleep(2000);
    expect(kindsFor(back.residentId)).toEqual([]);
    away.close();
    back.close();
  });

  it('raises night_wandering for a door opening at night by a resident at risk only', async () => {
    const atRisk = await createHome(s.operator, t.mqttPort, s.communityId, ['door_sensor'], {
      conditions: ['wandering_risk'],
      nightWindow: ALWAYS_NIGHT,
    });
    const daytime = await createHome(s.operator, t.mqttPort, s.communityId, ['door_sensor'], {
      conditions: ['wandering_risk'],
      nightWindow: daytimeWindow(),
    });
    await atRisk.event('door_sensor', 'door_open');
    await daytime.event('door_sensor', 'door_open');
    expect((await raised(atRisk.residentId, 'night_wandering')).severity).toBe('high');
    await sleep(500);
    expect(kindsFor(daytime.residentId)).toEqual([]);
    atRisk.close();
    daytime.close();
  });

  it('raises left_safe_zone when the wearable reports a position outside the zone', async () => {
    const home = await createHome(s.operator, t.mqttPort, s.communityId, ['wearable'], {
      safeZone: { lat: 40.8414, lon: 111.7519, radiusM: 300 },
    });
    await home.telemetry('wearable', { lat: 40.8415, lon: 111.752, battery: 80 });
    await sleep(300);
    expect(kindsFor(home.residentId)).toEqual([]);
    await home.telemetry('wearable', { lat: 40.86, lon: 111.752, battery: 80 });
    const alert = await raised(home.residentId, 'left_safe_zone');
    expect(alert.readings).toMatchObject({ lat: 40.86, safeZone: { radiusM: 300 } });
    // How far out, for the console's sentence: 0.0186° of latitude ≈ 2.07 km from the zone's centre.
    expect(alert.readings?.distanceM).toBeGreaterThan(2050);
    expect(alert.readings?.distanceM).toBeLessThan(2090);
    home.close();
  });

  it('raises abnormal vitals only when sustained past the window, with the readings', async () => {
    const profile = { rules: { vitalsSustainSeconds: 2, apnoeaSeconds: 2 } };
    const brady = await createHome(s.operator, t.mqttPort, s.communityId, ['mattress'], profile);
    const spike = await createHome(s.operator, t.mqttPort, s.communityId, ['mattress'], profile);
    const apnoea = await createHome(s.operator, t.mqttPort, s.communityId, ['mattress'], profile);
    for (let i = 0; i < 6; i++) {
      await brady.telemetry('mattress', { heartRate: 35, respirationRate: 14, inBed: true, movement: 1 });
      await spike.telemetry('mattress', {
        heartRate: i === 1 ? 150 : 62,
        respirationRate: 14,
        inBed: true,
        movement: 1,
      });
      await apnoea.telemetry('mattress', { heartRate: 60, respirationRate: 0, inBed: true, movement: 0 });
      await sleep(500);
    }
    const hr = await raised(brady.residentId, 'abnormal_heart_rate');
    expect(hr.readings).toMatchObject({ heartRate: 35 });
    expect((await raised(apnoea.residentId, 'abnormal_respiration')).severity).toBe('critical');
    expect(kindsFor(spike.residentId)).toEqual([]);
    [brady, spike, apnoea].forEach((h) => h.close());
  });

  it('raises inactivity after the resident’s inactivity period in the day, not while moving', async () => {
    const profile = { nightWindow: daytimeWindow(), rules: { inactivitySeconds: 2 } };
    const still = await createHome(s.operator, t.mqttPort, s.communityId, ['motion_sensor'], profile);
    const moving = await createHome(s.operator, t.mqttPort, s.communityId, ['motion_sensor'], profile);
    await still.event('motion_sensor', 'motion');
    for (let i = 0; i < 8; i++) {
      await moving.event('motion_sensor', 'motion');
      await sleep(500);
    }
    expect((await raised(still.residentId, 'inactivity')).severity).toBe('medium');
    expect(kindsFor(moving.residentId)).toEqual([]);
    still.close();
    moving.close();
  });

  it('raises device_offline and low_battery as low-severity maintenance alerts', async () => {
    const home = await createHome(
      s.operator,
      t.mqttPort,
      s.communityId,
      ['smoke_detector'],
      {},
      { heartbeatIntervalSeconds: 1 },
    );
    await home.telemetry('smoke_detector', { battery: 12 });
    await home.event('smoke_detector', 'low_battery', { battery: 12 });
    expect((await raised(home.residentId, 'low_battery')).severity).toBe('low');
    const offline = await raised(home.residentId, 'device_offline', 15_000);
    expect(offline).toMatchObject({ severity: 'low', deviceId: home.devices.smoke_detector!.id });
    home.close();
  });

  it('records rising wearable steps as the resident’s activity, and an unchanged count not', async () => {
    const home = await createHome(s.operator, t.mqttPort, s.communityId, ['wearable']);
    const sql = new Client({ connectionString: t.database.url });
    await sql.connect();
    const lastActivity = async () =>
      (
        await sql.query<{ at: Date }>(`SELECT last_activity_at AS at FROM resident_activity WHERE resident_id = $1`, [
          home.residentId,
        ])
      ).rows[0]?.at;
    await home.telemetry('wearable', { steps: 100, battery: 80 });
    await home.telemetry('wearable', { steps: 100, battery: 80 });
    await sleep(300);
    expect(await lastActivity()).toBeUndefined();
    await home.telemetry('wearable', { steps: 120, battery: 80 });
    await until('the steps recorded as activity', lastActivity, 10_000);
    await sql.end();
    home.close();
  });
});
