// Plays a scenario's script against a home model on a virtual clock, the way
// the fleet would (telemetry once a second, routine events as they fall due),
// and records every message. Used by the scenario specs to check each script's
// ground truth without a broker; kept beside the catalogue it exercises.
import { type AlertKind, DEVICE_TYPES, type DeviceType } from '@anxin/contract';
import { HomeModel, type RoutineMessage } from '../homes/home-model';
import { createPersona, type GeoPoint } from '../homes/persona';
import { createRng } from '../homes/rng';
import { SimClock } from '../homes/routine';
import type { IncidentContext, ScenarioDef } from './scenario';
import { scenarioLengthSeconds } from './scenario';

export interface PlayedMessage extends RoutineMessage {
  at: number;
  /** Sent explicitly by a script step (sendEvent / sendTelemetry), not by the routine. */
  scripted: boolean;
}

export interface Playback {
  messages: PlayedMessage[];
  triggerAt: number | null;
  silenced: DeviceType[];
  home: GeoPoint;
  /** Alert kinds the script asked to dispatch once raised. */
  dispatched: AlertKind[];
  /** Fault steps the script ran (--fault-command, --fault-recover-command), with their times. */
  faults: { step: 'fault' | 'recover'; at: number }[];
}

const EVENT_ACTIVITY = new Set(['motion', 'door_open', 'door_close', 'bed_exit', 'bed_enter']);

export function playScenario(def: ScenarioDef, seed = 1, extraSeconds = 5): Playback {
  const home = { lat: 31.2, lon: 121.45 };
  const rng = createRng(seed);
  const model = new HomeModel(
    createPersona(rng.fork('persona'), home),
    rng.fork('model'),
    new SimClock(0, rng.int(0, 1439), 120),
    DEVICE_TYPES,
    def.pin,
  );
  const messages: PlayedMessage[] = [];
  const silenced: DeviceType[] = [];
  const dispatched: AlertKind[] = [];
  const faults: Playback['faults'] = [];
  let now = 0;
  let triggerAt: number | null = null;
  const publish = (m: RoutineMessage, scripted = false): number => {
    if (!silenced.includes(m.device)) messages.push({ ...m, at: now, scripted });
    return now;
  };
  const last = (pred: (m: PlayedMessage) => boolean) => {
    for (let i = messages.length - 1; i >= 0; i--)
      if (pred(messages[i] as PlayedMessage)) return messages[i]?.at ?? null;
    return null;
  };
  const ctx: IncidentContext = {
    home: model,
    now: () => now,
    sendEvent: (device, type, extra = {}) => publish(model.event(device, type, EVENT_ACTIVITY.has(type), extra), true),
    sendTelemetry: (device) => publish(model.telemetry(device, now), true),
    setActivity: (activity) => model.pin(activity, now).forEach((m) => publish(m)),
    silence: (device) => void silenced.push(device),
    cutConnection: (device) => void silenced.push(device),
    lastPublishAt: (device) => last((m) => m.device === device),
    lastActivityAt: () => last((m) => m.activity),
    markTrigger: (at) => {
      triggerAt ??= at;
    },
    dispatchAlert: (kind) => void dispatched.push(kind),
    startFault: () => void faults.push({ step: 'fault', at: now }),
    endFault: () => void faults.push({ step: 'recover', at: now }),
  };
  const startMs = 10_000;
  const endMs = startMs + (scenarioLengthSeconds(def) + extraSeconds) * 1000;
  const steps = [...def.steps].sort((a, b) => a.at - b.at);
  for (now = 0; now <= endMs; now += 250) {
    while (steps.length > 0 && startMs + (steps[0]?.at ?? 0) * 1000 <= now) steps.shift()?.run(ctx);
    model.advance(now).forEach((m) => publish(m));
    if (now % 1000 === 0) for (const type of DEVICE_TYPES) publish(model.telemetry(type, now));
  }
  return { messages, triggerAt, silenced, home, dispatched, faults };
}
