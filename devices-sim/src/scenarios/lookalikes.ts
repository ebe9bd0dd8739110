// Look-alikes: everyday situations that resemble an incident and must NOT alert.
// Each uses the same shortened rule as the incident it resembles, and stays
// clearly inside it (a 3 s bathroom visit against an 8 s bed-return window, a
// 2 s heart-rate spike against a 5 s sustain window), so a false alert here is
// the rule misfiring, not a borderline call.
import { SHORT_RULES } from './incidents';
import { withNightWindow } from './night-window';
import type { ScenarioDef } from './scenario';

export const LOOKALIKES: ScenarioDef[] = [
  {
    name: 'bathroom_visit',
    summary: `look-alike: a night bathroom visit, back in bed after 3 s (window ${SHORT_RULES.bedReturnSeconds} s)`,
    expect: null,
    lookalikeOf: 'not_back_in_bed',
    devices: ['mattress'],
    pin: 'asleep',
    profile: withNightWindow('covering', { rules: { bedReturnSeconds: SHORT_RULES.bedReturnSeconds } }),
    windowSeconds: SHORT_RULES.bedReturnSeconds,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          ctx.setActivity('bathroom');
          ctx.markTrigger(ctx.lastPublishAt('mattress') ?? ctx.now());
        },
      },
      { at: 3, run: (ctx) => ctx.setActivity('asleep') },
    ],
  },
  {
    name: 'heart_rate_spike',
    summary: `look-alike: heart rate 135 in bed for 2 s (sustain window ${SHORT_RULES.vitalsSustainSeconds} s)`,
    expect: null,
    lookalikeOf: 'abnormal_heart_rate',
    devices: ['mattress'],
    pin: 'asleep',
    profile: () => ({ rules: { vitalsSustainSeconds: SHORT_RULES.vitalsSustainSeconds } }),
    windowSeconds: SHORT_RULES.vitalsSustainSeconds,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          ctx.home.setVitals({ heartRate: 135 });
          ctx.markTrigger(ctx.sendTelemetry('mattress'));
        },
      },
      {
        at: 2,
        run: (ctx) => {
          ctx.home.setVitals(null);
          ctx.sendTelemetry('mattress');
        },
      },
    ],
  },
  {
    name: 'daytime_door',
    summary: 'look-alike: a resident at risk of wandering opens the front door in the daytime',
    expect: null,
    lookalikeOf: 'night_wandering',
    devices: ['door_sensor'],
    pin: 'awake',
    profile: withNightWindow('avoiding', { conditions: ['wandering_risk'] }),
    windowSeconds: 5,
    steps: [
      { at: 0, run: (ctx) => ctx.markTrigger(ctx.sendEvent('door_sensor', 'door_open')) },
      { at: 3, run: (ctx) => void ctx.sendEvent('door_sensor', 'door_close') },
    ],
  },
  {
    name: 'active_at_home',
    summary: `look-alike: at home all day and moving every few seconds (window ${SHORT_RULES.inactivitySeconds} s)`,
    expect: null,
    lookalikeOf: 'inactivity',
    devices: ['motion_sensor', 'wearable'],
    pin: 'awake',
    profile: withNightWindow('avoiding', { rules: { inactivitySeconds: SHORT_RULES.inactivitySeconds } }),
    // The pinned routine keeps moving all run; the whole run is watched, this is the minimum.
    windowSeconds: SHORT_RULES.inactivitySeconds,
    steps: [{ at: 0, run: (ctx) => ctx.markTrigger(ctx.now()) }],
  },
];
