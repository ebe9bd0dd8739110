import type { RuleSettings } from './rule-settings';

export interface VitalsReading {
  at: Date;
  inBed: boolean | null;
  heartRate: number | null;
  respirationRate: number | null;
}

export type VitalsFinding =
  | { kind: 'abnormal_heart_rate'; severity: 'high'; since: Date; readings: Record<string, unknown> }
  | { kind: 'abnormal_respiration'; severity: 'high' | 'critical'; since: Date; readings: Record<string, unknown> };

type Condition = 'heart' | 'respiration' | 'apnoea';

/** A tracker's whole state, as stored between processes (device_rule_state): since = epoch ms. */
export interface VitalsState {
  since: Partial<Record<Condition, number>>;
  reported: Partial<Record<Condition, boolean>>;
}

/**
 * Sustained-window checks for mattress vitals while in bed: a condition must
 * hold for its whole window, so a brief spike never alerts. One tracker per
 * device; time comes from the readings (injectable in tests).
 */
export class VitalsTracker {
  private since: Partial<Record<Condition, Date>> = {};
  private reported: Partial<Record<Condition, boolean>> = {};

  /** Picks up where `state` left off (another process, or before a restart). */
  constructor(state?: VitalsState) {
    if (!state) return;
    for (const [condition, at] of Object.entries(state.since)) this.since[condition as Condition] = new Date(at);
    this.reported = { ...state.reported };
  }

  get state(): VitalsState {
    const since: VitalsState['since'] = {};
    for (const [condition, at] of Object.entries(this.since)) since[condition as Condition] = at.getTime();
    return { since, reported: { ...this.reported } };
  }

  observe(reading: VitalsReading, s: RuleSettings): VitalsFinding[] {
    if (reading.inBed === false) {
      this.since = {};
      this.reported = {};
      return [];
    }
    const hr = reading.heartRate;
    const rr = reading.respirationRate;
    const findings: VitalsFinding[] = [];
    // null = no reading: neither normal nor abnormal, so the window neither restarts nor advances to an alert
    // (a missing reading is reading_missing's business, CONTRACT §3 Supervision).
    const held = (condition: Condition, active: boolean | null, windowSeconds: number): Date | null => {
      if (active === null) return null;
      if (!active) {
        delete this.since[condition];
        delete this.reported[condition];
        return null;
      }
      const since = (this.since[condition] ??= reading.at);
      if (this.reported[condition] || reading.at.getTime() - since.getTime() < windowSeconds * 1000) return null;
      this.reported[condition] = true;
      return since;
    };
    const heartSince = held(
      'heart',
      hr === null ? null : hr < s.heartRateMin || hr > s.heartRateMax,
      s.vitalsSustainSeconds,
    );
    if (heartSince)
      findings.push({
        kind: 'abnormal_heart_rate',
        severity: 'high',
        since: heartSince,
        readings: { heartRate: hr, windowSeconds: s.vitalsSustainSeconds },
      });
    const apnoeaSince = held('apnoea', rr === null ? null : rr === 0, s.apnoeaSeconds);
    if (apnoeaSince)
      findings.push({
        kind: 'abnormal_respiration',
        severity: 'critical',
        since: apnoeaSince,
        readings: { respirationRate: 0, windowSeconds: s.apnoeaSeconds },
      });
    const rrAbnormal = rr === null ? null : rr !== 0 && (rr < s.respirationMin || rr > s.respirationMax);
    const rrSince = held('respiration', rrAbnormal, s.vitalsSustainSeconds);
    if (rrSince)
      findings.push({
        kind: 'abnormal_respiration',
        severity: 'high',
        since: rrSince,
        readings: { respirationRate: rr, windowSeconds: s.vitalsSustainSeconds },
      });
    return findings;
  }
}
