import { decideForEvent } from './event-rules';
import { DEFAULT_RULE_SETTINGS } from './rule-settings';
import { distanceMetres, isOutsideSafeZone } from './safe-zone';

const night = new Date('2026-11-23T16:00:00Z'); // 00:00 in Asia/Shanghai
const day = new Date('2026-11-23T02:00:00Z'); // 10:00 in Asia/Shanghai
const tz = 'Asia/Shanghai';

describe('event rules', () => {
  it('raises SOS, fall, smoke and gas as critical and a water leak as high', () => {
    expect(decideForEvent({ type: 'sos' }, 'sos_button', DEFAULT_RULE_SETTINGS, day, tz)).toContainEqual(
      expect.objectContaining({ kind: 'sos', severity: 'critical' }),
    );
    expect(decideForEvent({ type: 'fall' }, 'wearable', DEFAULT_RULE_SETTINGS, day, tz)).toContainEqual(
      expect.objectContaining({ kind: 'fall', severity: 'critical' }),
    );
    expect(decideForEvent({ type: 'smoke' }, 'smoke_detector', DEFAULT_RULE_SETTINGS, day, tz)).toContainEqual(
      expect.objectContaining({ kind: 'smoke', severity: 'critical' }),
    );
    expect(decideForEvent({ type: 'gas' }, 'gas_detector', DEFAULT_RULE_SETTINGS, day, tz)).toContainEqual(
      expect.objectContaining({ kind: 'gas', severity: 'critical' }),
    );
    expect(decideForEvent({ type: 'water_leak' }, 'water_leak_sensor', DEFAULT_RULE_SETTINGS, day, tz)).toContainEqual(
      expect.objectContaining({ kind: 'water_leak', severity: 'high' }),
    );
  });

  it('starts the bed-return timer only for a bed exit in the night window', () => {
    expect(decideForEvent({ type: 'bed_exit' }, 'mattress', DEFAULT_RULE_SETTINGS, night, tz)).toContainEqual({
      action: 'await-bed-return',
      delaySeconds: 1800,
    });
    expect(decideForEvent({ type: 'bed_exit' }, 'mattress', DEFAULT_RULE_SETTINGS, day, tz)).toEqual([
      { action: 'activity' },
    ]);
  });

  it('raises night wandering only for a resident at risk, only at night', () => {
    const atRisk = { ...DEFAULT_RULE_SETTINGS, wanderingRisk: true };
    expect(decideForEvent({ type: 'door_open' }, 'door_sensor', atRisk, night, tz)).toContainEqual(
      expect.objectContaining({ kind: 'night_wandering' }),
    );
    expect(decideForEvent({ type: 'door_open' }, 'door_sensor', atRisk, day, tz)).toEqual([{ action: 'activity' }]);
    expect(decideForEvent({ type: 'door_open' }, 'door_sensor', DEFAULT_RULE_SETTINGS, night, tz)).toEqual([
      { action: 'activity' },
    ]);
  });

  it('turns sos_cancel into a cancellation within the resident’s windows', () => {
    expect(
      decideForEvent({ type: 'sos_cancel' }, 'wearable', { ...DEFAULT_RULE_SETTINGS, sosCancelSeconds: 45 }, day, tz),
    ).toEqual([{ action: 'cancel', windows: { sos: 45, fall: 30 } }]);
  });

  it('measures the safe zone in metres', () => {
    const home = { lat: 40.8414, lon: 111.7519, radiusM: 300 };
    expect(distanceMetres(home, { lat: 40.8414, lon: 111.7555 })).toBeGreaterThan(250);
    expect(isOutsideSafeZone({ lat: 40.842, lon: 111.752 }, home)).toBe(false);
    expect(isOutsideSafeZone({ lat: 40.86, lon: 111.752 }, home)).toBe(true);
  });
});
