// The shape of a scenario: one incident (or look-alike) played in one home,
// with its ground truth — which alert the platform must raise, or that it must not.
import type { AlertKind, CareProfile, DeviceEventType, DeviceType, OrderStatus, ResolveOutcome } from '@anxin/contract';
import type { HomeModel, MessageBody } from '../homes/home-model';
import type { GeoPoint } from '../homes/persona';
import type { Activity } from '../homes/routine';

export type RuleOverrides = NonNullable<CareProfile['rules']>;

/** What a scenario's care profile may depend on: where the home is and when the run happens. */
export interface ProfileContext {
  home: GeoPoint;
  nowMs: number;
  /** Seconds from now until the run (incl. grace) ends. */
  runSeconds: number;
  timeZone: string;
}

/** What a script step can do to its home while the run is live. */
export interface IncidentContext {
  readonly home: HomeModel;
  now(): number;
  /** Publishes an event from the home's device of that type; returns the publish time (ms). */
  sendEvent(device: DeviceType, type: DeviceEventType, extra?: MessageBody): number;
  /** Publishes a telemetry sample right away (outside its schedule); returns the publish time (ms). */
  sendTelemetry(device: DeviceType): number;
  /** Changes the resident's activity; events it causes (bed_exit, door_open) are published now. */
  setActivity(activity: Activity): void;
  /** The device stops sending anything, keepalives included, as if its power failed. */
  silence(device: DeviceType): void;
  /** The device's TCP connection dies with no DISCONNECT (power and link lost at once); it stays silent. */
  cutConnection(device: DeviceType): void;
  lastPublishAt(device: DeviceType): number | null;
  /** When the home last published evidence of the resident moving (motion, door, bed, steps). */
  lastActivityAt(): number | null;
  /**
   * Fixes the moment the incident happened, from which the alert is due
   * (plus `windowSeconds`). The first call wins.
   */
  markTrigger(atMs: number): void;
  /** Once the console shows this home's next alert of `kind`, dispatch it as the simulator's operator. */
  dispatchAlert(kind: AlertKind): void;
  /** Runs the operator's --fault-command (Redis or database outage); its exit code is logged and reported. */
  startFault(): void;
  /** Runs --fault-recover-command, if the operator gave one (otherwise the fault ends by itself). */
  endFault(): void;
}

export interface ScriptStep {
  /** Seconds after the incident starts. */
  at: number;
  run(ctx: IncidentContext): void;
}

export interface ScenarioDef {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** The alert the platform must raise, or null for a look-alike that must raise nothing. */
  expect: AlertKind | null;
  /** For look-alikes: the alert they resemble. */
  lookalikeOf?: AlertKind;
  /** The alert must later be updated to resolved with this outcome (SOS cancelled by the resident). */
  expectOutcome?: ResolveOutcome;
  /** The dispatched alert must be pushed again with its order in this status (CONTRACT §3 v1.1: unassigned). */
  expectOrderStatus?: OrderStatus;
  /** Injects an infrastructure fault through --fault-command: refused without it, and not part of `mixed`. */
  needsFault?: true;
  /** Device types the home must have. */
  devices: DeviceType[];
  /** Fix the resident's activity for the whole run (null: the free daily routine). */
  pin: Activity | null;
  /** The resident's care profile while the run is live; homes without one keep normal profiles. */
  profile?: (ctx: ProfileContext) => CareProfile;
  /** Heartbeat interval overrides per device type (seconds). */
  heartbeatSeconds?: Partial<Record<DeviceType, number>>;
  /**
   * How long the condition must last after the trigger before an alert is due
   * (a rule's window); latency is measured from trigger + window.
   */
  windowSeconds: number;
  steps: ScriptStep[];
}

/**
 * Seconds the scenario needs from its start: its last step, and its first step
 * plus the rule's window (a look-alike must stay quiet at least that long), plus slack.
 */
export function scenarioLengthSeconds(def: ScenarioDef): number {
  const ats = def.steps.map((s) => s.at);
  const first = ats.length > 0 ? Math.min(...ats) : 0;
  const last = ats.length > 0 ? Math.max(...ats) : 0;
  return Math.max(last, first + def.windowSeconds) + 3;
}
