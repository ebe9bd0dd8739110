// Incidents the platform must alert on, each with the alert it must raise.
// Rules whose defaults are minutes or hours (bed return 30 min, inactivity 12 h,
// vitals sustained 60 s, apnoea 20 s) are shortened per resident through the care
// profile's rule overrides, so a 40 s run can play them out in full.
import type { DeviceType } from '@anxin/contract';
import type { VitalsOverride } from '../homes/home-model';
import { offsetPoint } from '../homes/persona';
import { withNightWindow } from './night-window';
import type { IncidentContext, ScenarioDef } from './scenario';

/** Shortened rule windows (seconds) used by the scenarios and their look-alikes. */
export const SHORT_RULES = {
  bedReturnSeconds: 8,
  inactivitySeconds: 15,
  vitalsSustainSeconds: 5,
  apnoeaSeconds: 5,
  sosCancelSeconds: 15,
  fallConfirmSeconds: 0,
  readingMissingSeconds: 8,
} as const;
export const SHORT_HEARTBEAT_SECONDS = 10;
/** infra_blip: how long the operator's fault may last before --fault-recover-command runs. */
export const FAULT_SECONDS = 10;
/** infra_blip: the SOS is pressed this far into the fault, when the outage has surely begun. */
export const SOS_INTO_FAULT_SECONDS = 3;

/** How long abnormal vitals are held: well past the sustain window, so the rule must fire. */
const ABNORMAL_VITALS_SECONDS = 12;

const here = (ctx: IncidentContext) => ctx.home.currentPosition(ctx.now());

/** A one-off event that alerts at once (CONTRACT §3 kinds sos, smoke, gas, water_leak). */
function instantEvent(
  name: string,
  summary: string,
  device: 'sos_button' | 'smoke_detector' | 'gas_detector' | 'water_leak_sensor',
  type: 'sos' | 'smoke' | 'gas' | 'water_leak',
): ScenarioDef {
  return {
    name,
    summary,
    expect: type,
    devices: [device],
    pin: null,
    windowSeconds: 0,
    steps: [{ at: 0, run: (ctx) => ctx.markTrigger(ctx.sendEvent(device, type)) }],
  };
}

/** Abnormal mattress vitals held for ABNORMAL_VITALS_SECONDS against a shortened sustain window. */
function abnormalVitals(
  name: string,
  what: string,
  vitals: VitalsOverride,
  expect: 'abnormal_heart_rate' | 'abnormal_respiration',
  window: 'vitalsSustainSeconds' | 'apnoeaSeconds',
): ScenarioDef {
  const windowName = window === 'apnoeaSeconds' ? 'apnoea window' : 'sustain window';
  return {
    name,
    summary: `${what} in bed for ${ABNORMAL_VITALS_SECONDS} s (${windowName} ${SHORT_RULES[window]} s)`,
    expect,
    devices: ['mattress'],
    pin: 'asleep',
    profile: () => ({ rules: { [window]: SHORT_RULES[window] } }),
    windowSeconds: SHORT_RULES[window],
    steps: [
      {
        at: 0,
        run: (ctx) => {
          ctx.home.setVitals(vitals);
          ctx.markTrigger(ctx.sendTelemetry('mattress'));
        },
      },
      { at: ABNORMAL_VITALS_SECONDS, run: (ctx) => ctx.home.setVitals(null) },
    ],
  };
}

/** A device that stops being heard from: `device_offline` is due one (shortened) heartbeat after its last message. */
function goesSilent(
  name: string,
  summary: string,
  device: DeviceType,
  stop: (ctx: IncidentContext) => void,
): ScenarioDef {
  return {
    name,
    summary,
    expect: 'device_offline',
    devices: [device],
    pin: null,
    heartbeatSeconds: { [device]: SHORT_HEARTBEAT_SECONDS },
    windowSeconds: SHORT_HEARTBEAT_SECONDS,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          // Silent from its last message on: that is when the heartbeat interval starts.
          ctx.markTrigger(ctx.lastPublishAt(device) ?? ctx.now());
          stop(ctx);
        },
      },
    ],
  };
}

export const INCIDENTS: ScenarioDef[] = [
  instantEvent('sos', 'the resident presses the SOS button', 'sos_button', 'sos'),
  {
    name: 'unassigned_emergency',
    summary:
      'an SOS the operator dispatches and nobody accepts (no caregiver on duty in the area, or a short ' +
      'ANXIN_OFFER_TIMEOUT_EMERGENCY_SECONDS): the console is told orderStatus "unassigned"',
    expect: 'sos',
    expectOrderStatus: 'unassigned',
    devices: ['sos_button'],
    pin: null,
    windowSeconds: 0,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          ctx.dispatchAlert('sos');
          ctx.markTrigger(ctx.sendEvent('sos_button', 'sos'));
        },
      },
    ],
  },
  {
    name: 'infra_blip',
    summary:
      `SOS pressed ${SOS_INTO_FAULT_SECONDS} s into a Redis or database outage that --fault-command starts ` +
      `(recovered by --fault-recover-command at ${FAULT_SECONDS} s, or by itself); the alarm must still arrive`,
    expect: 'sos',
    needsFault: true,
    devices: ['sos_button'],
    pin: null,
    // Due at once: latency is the wait the resident had, outage included. The last step keeps the
    // incident inside the run until the fault is over; alerts are matched for 30 s (or --grace) after.
    windowSeconds: 0,
    steps: [
      { at: 0, run: (ctx) => ctx.startFault() },
      { at: SOS_INTO_FAULT_SECONDS, run: (ctx) => ctx.markTrigger(ctx.sendEvent('sos_button', 'sos')) },
      { at: FAULT_SECONDS, run: (ctx) => ctx.endFault() },
    ],
  },
  {
    name: 'sos_cancel',
    summary: 'SOS from the wearable, cancelled by the resident 3 s later (alert resolved as cancelled_by_resident)',
    expect: 'sos',
    expectOutcome: 'cancelled_by_resident',
    devices: ['wearable'],
    pin: 'awake',
    profile: () => ({ rules: { sosCancelSeconds: SHORT_RULES.sosCancelSeconds } }),
    windowSeconds: 0,
    steps: [
      { at: 0, run: (ctx) => ctx.markTrigger(ctx.sendEvent('wearable', 'sos', { ...here(ctx) })) },
      { at: 3, run: (ctx) => void ctx.sendEvent('wearable', 'sos_cancel') },
    ],
  },
  {
    name: 'fall',
    summary: 'the wearable detects a fall and the resident lies still',
    expect: 'fall',
    devices: ['wearable'],
    pin: 'awake',
    profile: () => ({ rules: { fallConfirmSeconds: SHORT_RULES.fallConfirmSeconds } }),
    windowSeconds: SHORT_RULES.fallConfirmSeconds,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          ctx.markTrigger(ctx.sendEvent('wearable', 'fall', { ...here(ctx) }));
          ctx.setActivity('still');
        },
      },
    ],
  },
  instantEvent('smoke', 'the smoke detector goes off', 'smoke_detector', 'smoke'),
  instantEvent('gas', 'the gas detector goes off', 'gas_detector', 'gas'),
  instantEvent('water_leak', 'the water leak sensor goes off', 'water_leak_sensor', 'water_leak'),
  // In bed, so the mattress (which reports vitals only in bed) and the wearable agree.
  abnormalVitals('bradycardia', 'heart rate ~36', { heartRate: 36 }, 'abnormal_heart_rate', 'vitalsSustainSeconds'),
  abnormalVitals('tachycardia', 'heart rate ~145', { heartRate: 145 }, 'abnormal_heart_rate', 'vitalsSustainSeconds'),
  abnormalVitals('apnoea', 'respiration 0', { respirationRate: 0 }, 'abnormal_respiration', 'apnoeaSeconds'),
  {
    name: 'not_back_in_bed',
    summary: `gets up at night and stays up (bed return window ${SHORT_RULES.bedReturnSeconds} s)`,
    expect: 'not_back_in_bed',
    devices: ['mattress'],
    pin: 'asleep',
    profile: withNightWindow('covering', { rules: { bedReturnSeconds: SHORT_RULES.bedReturnSeconds } }),
    windowSeconds: SHORT_RULES.bedReturnSeconds,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          ctx.setActivity('awake');
          ctx.markTrigger(ctx.lastPublishAt('mattress') ?? ctx.now());
        },
      },
    ],
  },
  {
    name: 'night_wandering',
    summary: 'a resident at risk of wandering gets up at night and opens the front door',
    expect: 'night_wandering',
    devices: ['mattress', 'door_sensor'],
    pin: 'asleep',
    profile: withNightWindow('covering', { conditions: ['wandering_risk'] }),
    windowSeconds: 0,
    steps: [
      { at: 0, run: (ctx) => ctx.setActivity('awake') },
      {
        at: 2,
        run: (ctx) => {
          ctx.home.setPosition(offsetPoint(ctx.home.persona.home, 40, 25));
          ctx.setActivity('walking');
          ctx.markTrigger(ctx.lastPublishAt('door_sensor') ?? ctx.now());
        },
      },
    ],
  },
  {
    name: 'left_safe_zone',
    summary: 'the wearable moves 900 m from home, outside a 300 m safe zone',
    expect: 'left_safe_zone',
    devices: ['wearable'],
    pin: 'awake',
    profile: (p) => ({ safeZone: { lat: p.home.lat, lon: p.home.lon, radiusM: 300 } }),
    windowSeconds: 0,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          ctx.home.setPosition(offsetPoint(ctx.home.persona.home, 120, 60));
          ctx.setActivity('walking');
        },
      },
      {
        at: 3,
        run: (ctx) => {
          ctx.home.setPosition(offsetPoint(ctx.home.persona.home, 700, 560));
          ctx.markTrigger(ctx.sendTelemetry('wearable'));
        },
      },
    ],
  },
  {
    name: 'inactivity',
    summary: `the resident stops moving at home (inactivity window ${SHORT_RULES.inactivitySeconds} s)`,
    expect: 'inactivity',
    devices: ['motion_sensor', 'wearable'],
    pin: 'awake',
    // Inactivity is a daytime rule (asleep is not inactive): keep the run out of the night window.
    profile: withNightWindow('avoiding', { rules: { inactivitySeconds: SHORT_RULES.inactivitySeconds } }),
    windowSeconds: SHORT_RULES.inactivitySeconds,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          // The rule counts from the last sign of movement the platform saw.
          ctx.markTrigger(ctx.lastActivityAt() ?? ctx.now());
          ctx.setActivity('still');
        },
      },
    ],
  },
  goesSilent(
    'device_offline',
    `the smoke detector loses power: no messages, no keepalives (heartbeat ${SHORT_HEARTBEAT_SECONDS} s)`,
    'smoke_detector',
    (ctx) => ctx.silence('smoke_detector'),
  ),
  // The broker marks it offline at once; the alarm is still due one heartbeat after its last message.
  goesSilent(
    'power_loss',
    `the SOS button's power and link die at once: its TCP connection drops with no DISCONNECT (heartbeat ${SHORT_HEARTBEAT_SECONDS} s)`,
    'sos_button',
    (ctx) => ctx.cutConnection('sos_button'),
  ),
  {
    name: 'stale_mattress',
    summary: `the mattress senses the resident in bed but sends no heart rate or respiration (limit ${SHORT_RULES.readingMissingSeconds} s)`,
    expect: 'reading_missing',
    devices: ['mattress'],
    pin: 'asleep',
    profile: () => ({ rules: { readingMissingSeconds: SHORT_RULES.readingMissingSeconds } }),
    windowSeconds: SHORT_RULES.readingMissingSeconds,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          ctx.home.setVitals({ missing: true });
          ctx.markTrigger(ctx.sendTelemetry('mattress'));
        },
      },
    ],
  },
  {
    name: 'low_battery',
    summary: 'the SOS button reports a low battery (8 %)',
    expect: 'low_battery',
    devices: ['sos_button'],
    pin: null,
    windowSeconds: 0,
    steps: [
      {
        at: 0,
        run: (ctx) => {
          ctx.home.setBattery('sos_button', 8);
          ctx.markTrigger(ctx.sendEvent('sos_button', 'low_battery', { battery: 8 }));
        },
      },
    ],
  },
];
