import { DEFAULT_RULE_SETTINGS } from './rule-settings';
import { VitalsTracker } from './vitals-tracker';

const t0 = Date.parse('2026-11-23T15:00:00Z');
const reading = (second: number, heartRate: number | null, respirationRate: number | null, inBed = true) => ({
  at: new Date(t0 + second * 1000),
  inBed,
  heartRate,
  respirationRate,
});

describe('sustained vitals', () => {
  const s = DEFAULT_RULE_SETTINGS;

  it('alerts on bradycardia held for the whole 60 s window, once', () => {
    const tracker = new VitalsTracker();
    const findings = [0, 20, 40, 59].flatMap((sec) => tracker.observe(reading(sec, 35, 14), s));
    expect(findings).toEqual([]);
    const at60 = tracker.observe(reading(60, 34, 14), s);
    expect(at60).toEqual([expect.objectContaining({ kind: 'abnormal_heart_rate', severity: 'high' })]);
    expect(tracker.observe(reading(80, 34, 14), s)).toEqual([]);
  });

  it('does not alert on a 20-second heart-rate spike', () => {
    const tracker = new VitalsTracker();
    const seconds = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90];
    const hr = (sec: number) => (sec >= 20 && sec < 40 ? 150 : 65);
    expect(seconds.flatMap((sec) => tracker.observe(reading(sec, hr(sec), 15), s))).toEqual([]);
  });

  it('treats 20 s without breathing as critical, and slow breathing as high after 60 s', () => {
    const apnoea = new VitalsTracker();
    expect(apnoea.observe(reading(0, 60, 0), s)).toEqual([]);
    expect(apnoea.observe(reading(20, 60, 0), s)).toEqual([
      expect.objectContaining({ kind: 'abnormal_respiration', severity: 'critical' }),
    ]);
    const slow = new VitalsTracker();
    expect(slow.observe(reading(0, 60, 6), s)).toEqual([]);
    expect(slow.observe(reading(60, 60, 6), s)).toEqual([
      expect.objectContaining({ kind: 'abnormal_respiration', severity: 'high' }),
    ]);
  });

  it('forgets a condition when the resident leaves the bed', () => {
    // The out-of-bed reading still carries the abnormal value: only leaving the bed may restart the window.
    const tracker = new VitalsTracker();
    expect(tracker.observe(reading(0, 130, 15), s)).toEqual([]);
    expect(tracker.observe(reading(30, 130, 15, false), s)).toEqual([]);
    expect(tracker.observe(reading(61, 130, 15), s)).toEqual([]);
    expect(tracker.observe(reading(120, 130, 15), s)).toEqual([]);
    expect(tracker.observe(reading(121, 130, 15), s)).toEqual([
      expect.objectContaining({ kind: 'abnormal_heart_rate', since: new Date(t0 + 61_000) }),
    ]);
  });

  it('alerts again for a new episode after the resident left the bed', () => {
    const tracker = new VitalsTracker();
    tracker.observe(reading(0, 130, 15), s);
    expect(tracker.observe(reading(60, 130, 15), s)).toHaveLength(1);
    tracker.observe(reading(70, 130, 15, false), s);
    tracker.observe(reading(80, 130, 15), s);
    expect(tracker.observe(reading(140, 130, 15), s)).toEqual([
      expect.objectContaining({ kind: 'abnormal_heart_rate', since: new Date(t0 + 80_000) }),
    ]);
  });

  it('honours per-resident thresholds', () => {
    const tracker = new VitalsTracker();
    const strict = { ...s, heartRateMax: 100, vitalsSustainSeconds: 5 };
    tracker.observe(reading(0, 105, 15), strict);
    expect(tracker.observe(reading(5, 105, 15), strict)).toHaveLength(1);
  });

  it('does not count a missing reading in bed as normal: the window goes on (issue 11)', () => {
    const tracker = new VitalsTracker();
    expect(tracker.observe(reading(0, 130, 0), s)).toEqual([]);
    expect(tracker.observe(reading(10, null, null), s)).toEqual([]);
    expect(tracker.observe(reading(20, 130, 0), s)).toEqual([
      expect.objectContaining({ kind: 'abnormal_respiration', severity: 'critical', since: new Date(t0) }),
    ]);
    expect(tracker.observe(reading(40, null, null), s)).toEqual([]);
    expect(tracker.observe(reading(60, 130, 0), s)).toEqual([
      expect.objectContaining({ kind: 'abnormal_heart_rate', since: new Date(t0) }),
    ]);
  });
});
