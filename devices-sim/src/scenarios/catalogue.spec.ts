import {
  ALERT_KINDS,
  careProfileSchema,
  isDeviceEventType,
  isEventAllowedForDevice,
  parseDeviceMessage,
} from '@anxin/contract';
import { distanceM } from '../homes/persona';
import { createRng } from '../homes/rng';
import { findScenario, MIXED_HOMES, SCENARIO_NAMES, SCENARIOS, scenarioHelpLines } from './catalogue';
import { FAULT_SECONDS, SHORT_RULES } from './incidents';
import { localMinuteOfDay, windowContains } from './night-window';
import { assignScenarios, scheduleIncidents } from './plan';
import { scenarioLengthSeconds } from './scenario';
import { playScenario } from './scenario-playback';

// The ground truth of the brief, written out independently of the catalogue.
const EXPECTED_INCIDENTS: Record<string, string> = {
  sos: 'sos',
  sos_cancel: 'sos',
  unassigned_emergency: 'sos',
  infra_blip: 'sos',
  fall: 'fall',
  smoke: 'smoke',
  gas: 'gas',
  water_leak: 'water_leak',
  bradycardia: 'abnormal_heart_rate',
  tachycardia: 'abnormal_heart_rate',
  apnoea: 'abnormal_respiration',
  not_back_in_bed: 'not_back_in_bed',
  night_wandering: 'night_wandering',
  left_safe_zone: 'left_safe_zone',
  inactivity: 'inactivity',
  device_offline: 'device_offline',
  power_loss: 'device_offline',
  stale_mattress: 'reading_missing',
  low_battery: 'low_battery',
};
const EXPECTED_LOOKALIKES: Record<string, string> = {
  bathroom_visit: 'not_back_in_bed',
  heart_rate_spike: 'abnormal_heart_rate',
  daytime_door: 'night_wandering',
  active_at_home: 'inactivity',
};

const profileOf = (name: string) =>
  findScenario(name)?.profile?.({
    home: { lat: 31.2, lon: 121.45 },
    nowMs: Date.now(),
    runSeconds: 120,
    timeZone: 'Asia/Shanghai',
  });

describe('scenario catalogue', () => {
  it('has exactly the incidents of the ground-truth table, each with its alert kind', () => {
    const incidents = Object.fromEntries(SCENARIOS.filter((s) => s.expect).map((s) => [s.name, s.expect]));
    expect(incidents).toEqual(EXPECTED_INCIDENTS);
    expect(findScenario('sos_cancel')?.expectOutcome).toBe('cancelled_by_resident');
    expect(findScenario('unassigned_emergency')?.expectOrderStatus).toBe('unassigned');
  });

  it('dispatches the SOS of the unassigned emergency once it is raised, as the operator would', () => {
    const played = playScenario(findScenario('unassigned_emergency')!);
    expect(played.dispatched).toEqual(['sos']);
    expect(played.messages.filter((m) => m.scripted).map((m) => m.body.type)).toEqual(['sos']);
  });

  it('has the look-alikes, each expecting no alert and naming the alert it resembles', () => {
    const lookalikes = Object.fromEntries(SCENARIOS.filter((s) => !s.expect).map((s) => [s.name, s.lookalikeOf]));
    expect(lookalikes).toEqual(EXPECTED_LOOKALIKES);
  });

  it('covers every contract alert kind except tamper', () => {
    const covered = new Set(SCENARIOS.map((s) => s.expect));
    expect(ALERT_KINDS.filter((k) => !covered.has(k))).toEqual(['tamper']);
  });

  it('lists every scenario and run mode once in --help', () => {
    expect(new Set(SCENARIO_NAMES).size).toBe(SCENARIO_NAMES.length);
    const help = scenarioHelpLines().join('\n');
    for (const name of SCENARIO_NAMES) expect(help).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it.each(SCENARIOS.filter((s) => s.profile).map((s) => [s.name, s] as const))(
    '%s: profile is valid for the API',
    (_name, def) => {
      const parsed = careProfileSchema.safeParse(profileOf(def.name));
      expect(parsed.error?.issues ?? []).toEqual([]);
    },
  );

  // Without a profile the resident keeps the default rules, so the incident must need no shortened rule
  // window: it alerts at once, or its window is its own shortened heartbeat.
  it.each(SCENARIOS.filter((s) => !s.profile).map((s) => [s.name, s] as const))(
    '%s: needs no profile: alerts at once or on its own shortened heartbeat',
    (_name, def) => {
      const heartbeat = Math.max(0, ...Object.values(def.heartbeatSeconds ?? {}));
      expect(def.windowSeconds).toBe(heartbeat);
    },
  );

  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: marks a trigger and sends only schema-valid messages from the devices it requires',
    (_name, def) => {
      const played = playScenario(def);
      expect(played.triggerAt).not.toBeNull();
      let seq = 0;
      for (const m of played.messages) {
        const payload = JSON.stringify({ ...m.body, ts: 1_700_000_000_000 + m.at, seq: ++seq });
        const parsed = parseDeviceMessage(m.device, m.channel, payload);
        if (!parsed.ok) throw new Error(`${m.device}/${m.channel} ${payload}: ${parsed.detail}`);
        if (m.channel === 'events') {
          const type = m.body.type;
          expect(isDeviceEventType(type) && isEventAllowedForDevice(m.device, type)).toBe(true);
        }
      }
      for (const m of played.messages.filter((x) => x.scripted)) expect(def.devices).toContain(m.device);
    },
  );
});

describe('scenario ground truth', () => {
  const timeline = (name: string) => {
    const def = findScenario(name);
    if (!def) throw new Error(name);
    return playScenario(def);
  };
  const eventTimes = (name: string, type: string) =>
    timeline(name)
      .messages.filter((m) => m.body.type === type)
      .map((m) => m.at);
  /** Longest run of consecutive telemetry samples matching `abnormal`, in seconds. */
  const abnormalSpan = (
    name: string,
    device: 'mattress' | 'wearable',
    abnormal: (b: Record<string, unknown>) => boolean,
  ) => {
    const samples = timeline(name).messages.filter((m) => m.device === device && m.channel === 'telemetry');
    let longest = 0;
    let since: number | null = null;
    for (const s of samples) {
      if (abnormal(s.body)) {
        since ??= s.at;
        longest = Math.max(longest, s.at - since);
      } else since = null;
    }
    return longest / 1000;
  };

  it('bathroom visit returns to bed well inside the bed-return window; not_back_in_bed never does', () => {
    const [exit] = eventTimes('bathroom_visit', 'bed_exit');
    const [enter] = eventTimes('bathroom_visit', 'bed_enter');
    expect(exit).toBeDefined();
    expect(((enter ?? Infinity) - (exit ?? 0)) / 1000).toBeLessThanOrEqual(SHORT_RULES.bedReturnSeconds / 2);
    expect(eventTimes('not_back_in_bed', 'bed_exit')).toHaveLength(1);
    expect(eventTimes('not_back_in_bed', 'bed_enter')).toHaveLength(0);
  });

  it('holds abnormal vitals well past the sustain window, and a spike well inside it', () => {
    const sustain = SHORT_RULES.vitalsSustainSeconds;
    const high = (b: Record<string, unknown>) => typeof b.heartRate === 'number' && b.heartRate > 120;
    const low = (b: Record<string, unknown>) => typeof b.heartRate === 'number' && b.heartRate < 40;
    expect(abnormalSpan('tachycardia', 'mattress', high)).toBeGreaterThanOrEqual(sustain + 5);
    expect(abnormalSpan('bradycardia', 'mattress', low)).toBeGreaterThanOrEqual(sustain + 5);
    expect(abnormalSpan('heart_rate_spike', 'mattress', high)).toBeLessThanOrEqual(sustain / 2);
    expect(abnormalSpan('heart_rate_spike', 'wearable', high)).toBeLessThanOrEqual(sustain / 2);
    expect(abnormalSpan('apnoea', 'mattress', (b) => b.respirationRate === 0)).toBeGreaterThanOrEqual(
      SHORT_RULES.apnoeaSeconds + 5,
    );
  });

  it('puts night scenarios inside their night window and the daytime door outside it', () => {
    const now = localMinuteOfDay(Date.now(), 'Asia/Shanghai');
    for (const name of ['not_back_in_bed', 'night_wandering', 'bathroom_visit']) {
      const window = profileOf(name)?.nightWindow;
      expect(window && windowContains(window, now)).toBe(true);
    }
    const day = profileOf('daytime_door');
    expect(day?.conditions).toContain('wandering_risk');
    // Inactivity is not judged at night, so its scenario and look-alike need the run to be daytime.
    for (const name of ['daytime_door', 'inactivity', 'active_at_home']) {
      const window = profileOf(name)?.nightWindow;
      expect(window && windowContains(window, now)).toBe(false);
    }
    expect(profileOf('night_wandering')?.conditions).toContain('wandering_risk');
    expect(eventTimes('night_wandering', 'door_open').length).toBeGreaterThanOrEqual(1);
  });

  it('leaves the safe zone only after the trigger', () => {
    const played = timeline('left_safe_zone');
    const zone = profileOf('left_safe_zone')?.safeZone;
    if (!zone || played.triggerAt === null) throw new Error('no safe zone or trigger');
    for (const m of played.messages.filter((x) => x.device === 'wearable' && x.channel === 'telemetry')) {
      const d = distanceM(zone, { lat: m.body.lat as number, lon: m.body.lon as number });
      if (m.at < played.triggerAt) expect(d).toBeLessThan(zone.radiusM);
      else expect(d).toBeGreaterThan(zone.radiusM * 2);
    }
  });

  it('stops all movement after the inactivity trigger, and never pauses long in the look-alike', () => {
    const still = timeline('inactivity');
    expect(still.messages.filter((m) => m.activity && m.at > (still.triggerAt ?? 0))).toEqual([]);
    const moving = timeline('active_at_home')
      .messages.filter((m) => m.activity)
      .map((m) => m.at);
    const gaps = moving.slice(1).map((t, i) => t - (moving[i] ?? 0));
    expect(Math.max(...gaps) / 1000).toBeLessThanOrEqual(SHORT_RULES.inactivitySeconds / 3);
  });

  it('silences the offline device and shortens its heartbeat', () => {
    expect(timeline('device_offline').silenced).toEqual(['smoke_detector']);
    expect(findScenario('device_offline')?.heartbeatSeconds).toEqual({ smoke_detector: 10 });
  });

  it('presses SOS during the infrastructure fault and recovers it afterwards; only that scenario needs one', () => {
    const blip = findScenario('infra_blip');
    expect(blip).toMatchObject({ expect: 'sos', needsFault: true, devices: ['sos_button'] });
    expect(SCENARIOS.filter((s) => s.needsFault).map((s) => s.name)).toEqual(['infra_blip']);
    const played = timeline('infra_blip');
    const start = played.faults.find((f) => f.step === 'fault')?.at ?? NaN;
    const sos = played.messages.filter((m) => m.scripted).map((m) => ({ type: m.body.type, at: m.at }));
    expect(sos).toEqual([{ type: 'sos', at: played.triggerAt }]);
    // Pressed a few seconds into the outage, before recovery is even attempted.
    expect(((played.triggerAt ?? 0) - start) / 1000).toBeGreaterThanOrEqual(2);
    expect(played.faults).toEqual([
      { step: 'fault', at: start },
      { step: 'recover', at: start + FAULT_SECONDS * 1000 },
    ]);
    expect((played.triggerAt ?? Infinity) < start + FAULT_SECONDS * 1000).toBe(true);
    // The incident lasts until the fault is over, so the run waits for the alarm through the recovery.
    expect(scenarioLengthSeconds(blip!)).toBeGreaterThan(FAULT_SECONDS);
  });

  it('cuts the power-loss device off for good and keeps the stale mattress in bed without vitals', () => {
    expect(timeline('power_loss').silenced).toEqual(['sos_button']);
    const stale = timeline('stale_mattress');
    const after = stale.messages.filter(
      (m) => m.device === 'mattress' && m.channel === 'telemetry' && m.at >= (stale.triggerAt ?? Infinity),
    );
    expect(after.length).toBeGreaterThan(SHORT_RULES.readingMissingSeconds);
    for (const m of after) expect(m.body).toMatchObject({ inBed: true, heartRate: null, respirationRate: null });
  });
});

describe('scenario plan', () => {
  it('plays every scenario but the fault one once plus a routine-only home in a mixed run of MIXED_HOMES homes', () => {
    expect(MIXED_HOMES).toBe(SCENARIOS.length);
    const assigned = assignScenarios('mixed', MIXED_HOMES);
    expect(assigned.filter((s) => s === null)).toHaveLength(1);
    const names = assigned.filter(Boolean).map((s) => s?.name);
    expect(new Set(names)).toEqual(new Set(SCENARIOS.map((s) => s.name).filter((n) => n !== 'infra_blip')));
    expect(assignScenarios('mixed', 200).map((s) => s?.name)).not.toContain('infra_blip');
    expect(assignScenarios('infra_blip', 2).map((s) => s?.name)).toEqual(['infra_blip', 'infra_blip']);
    expect(assignScenarios('load', 5)).toEqual([null, null, null, null, null]);
    expect(assignScenarios('gas', 3).map((s) => s?.name)).toEqual(['gas', 'gas', 'gas']);
  });

  it('schedules each incident to finish inside the incident phase', () => {
    const assigned = assignScenarios('mixed', 40);
    const slots = scheduleIncidents(assigned, 37, createRng(3));
    expect(slots).toHaveLength(assigned.filter(Boolean).length);
    for (const slot of slots) {
      expect(slot.truncated).toBe(false);
      expect(slot.startAt + scenarioLengthSeconds(slot.scenario)).toBeLessThanOrEqual(37);
    }
    expect(scheduleIncidents(assigned, 5, createRng(3)).some((s) => s.truncated)).toBe(true);
  });
});
