// One simulated home: the resident's state and what each of its devices would
// report. Pure apart from its seeded RNG and the wall time passed in, so the
// routine can be replayed in tests and every message checked against the contract.
import type { DeviceEventType, DeviceType } from '@anxin/contract';
import { distanceM, offsetPoint, type GeoPoint, type Persona } from './persona';
import { type Activity, activityAt, isAtHome, isInBed, isMovingAtHome, type SimClock, walkProgress } from './routine';
import { clamp, round1, type Rng } from './rng';

export type MessageBody = Record<string, unknown>;

export interface RoutineMessage {
  device: DeviceType;
  channel: 'telemetry' | 'events';
  /** The payload without `ts` and `seq`, which the device stamps when it sends. */
  body: MessageBody;
  /** Evidence the resident is up and about (what an inactivity rule looks for). */
  activity: boolean;
}

export interface VitalsOverride {
  heartRate?: number;
  respirationRate?: number;
  /** The mattress still senses the resident in bed but reports no heart rate or respiration (a stale sensor). */
  missing?: boolean;
}

interface PendingEvent {
  dueMs: number;
  message: RoutineMessage;
}

const BATTERY_FLOOR = 30;
/** Pinned homes move every few seconds so a 15 s inactivity window never lapses by accident. */
const PINNED_MOTION_MS = 3_000;

export class HomeModel {
  private activity: Activity;
  private pinned: boolean;
  private vitals: VitalsOverride | null = null;
  private position: GeoPoint | null = null;
  private readonly batteryOverride = new Map<DeviceType, number>();
  private readonly batteryStart = new Map<DeviceType, number>();
  private pending: PendingEvent[] = [];
  private nextMotionAtMs = 0;
  private steps = 0;
  private stepsAccruedAtMin = 0;

  constructor(
    readonly persona: Persona,
    private readonly rng: Rng,
    private readonly clock: SimClock,
    readonly deviceTypes: readonly DeviceType[],
    pin: Activity | null = null,
  ) {
    this.pinned = pin !== null;
    this.activity = pin ?? activityAt(persona, clock.minuteOfDay(clock.startedAtMs));
    for (const type of deviceTypes) this.batteryStart.set(type, rng.int(type === 'wearable' ? 60 : 55, 100));
    this.steps = rng.int(0, 800);
  }

  get currentActivity(): Activity {
    return this.activity;
  }

  has(type: DeviceType): boolean {
    return this.deviceTypes.includes(type);
  }

  /**
   * Moves the routine to `nowMs` and returns the events that happened: bed
   * exits and entries, door openings, motion. Call before each telemetry sample.
   */
  advance(nowMs: number): RoutineMessage[] {
    const out: RoutineMessage[] = [];
    if (!this.pinned) {
      const next = activityAt(this.persona, this.clock.minuteOfDay(nowMs));
      if (next !== this.activity) out.push(...this.transition(next, nowMs));
    }
    if (this.has('motion_sensor') && isMovingAtHome(this.activity) && nowMs >= this.nextMotionAtMs) {
      out.push(this.event('motion_sensor', 'motion', true));
      this.nextMotionAtMs = nowMs + (this.pinned ? PINNED_MOTION_MS : this.rng.range(2_000, 8_000));
    }
    const due = this.pending.filter((p) => p.dueMs <= nowMs);
    if (due.length > 0) {
      this.pending = this.pending.filter((p) => p.dueMs > nowMs);
      out.push(...due.map((p) => p.message));
    }
    return out;
  }

  /** Fixes the activity (scenario homes) and returns the events the change causes. */
  pin(activity: Activity, nowMs: number): RoutineMessage[] {
    this.pinned = true;
    return activity === this.activity ? [] : this.transition(activity, nowMs);
  }

  setVitals(vitals: VitalsOverride | null): void {
    this.vitals = vitals;
  }

  setPosition(position: GeoPoint | null): void {
    this.position = position;
  }

  setBattery(type: DeviceType, percent: number): void {
    this.batteryOverride.set(type, percent);
  }

  battery(type: DeviceType, nowMs: number): number {
    const override = this.batteryOverride.get(type);
    if (override !== undefined) return override;
    // Wearables are charged now and then but drain fastest; sensors barely move in a run.
    const drainPerDay = type === 'wearable' ? 6 : 0.3;
    const start = this.batteryStart.get(type) ?? 90;
    return round1(Math.max(BATTERY_FLOOR, start - drainPerDay * this.clock.elapsedDays(nowMs)));
  }

  /** The telemetry sample `type` would send now (without ts/seq). */
  telemetry(type: DeviceType, nowMs: number): RoutineMessage {
    switch (type) {
      case 'mattress':
        return { device: type, channel: 'telemetry', body: this.mattressReading(), activity: false };
      case 'wearable':
        return this.wearableReading(nowMs);
      case 'sos_button':
      case 'smoke_detector':
      case 'gas_detector':
      case 'water_leak_sensor':
      case 'door_sensor':
      case 'motion_sensor':
        return { device: type, channel: 'telemetry', body: { battery: this.battery(type, nowMs) }, activity: false };
    }
  }

  /** A discrete event from one of the home's devices (scenarios use it for sos, smoke, …). */
  event(device: DeviceType, type: DeviceEventType, activity = false, extra: MessageBody = {}): RoutineMessage {
    return { device, channel: 'events', body: { type, ...extra }, activity };
  }

  currentPosition(nowMs: number): GeoPoint {
    if (this.position) return this.position;
    const home = this.persona.home;
    if (isAtHome(this.activity)) return offsetPoint(home, this.rng.normal(0, 6), this.rng.normal(0, 6));
    // The daily walk: a loop out and back around the home.
    const angle = 2 * Math.PI * walkProgress(this.persona, this.clock.minuteOfDay(nowMs));
    const r = this.persona.walkRadiusM * Math.sin(angle / 2);
    return offsetPoint(home, r * Math.cos(angle), r * Math.sin(angle));
  }

  distanceFromHomeM(nowMs: number): number {
    return distanceM(this.persona.home, this.currentPosition(nowMs));
  }

  private transition(next: Activity, nowMs: number): RoutineMessage[] {
    const prev = this.activity;
    this.activity = next;
    const out: RoutineMessage[] = [];
    if (this.has('mattress') && isInBed(prev) !== isInBed(next)) {
      out.push(this.event('mattress', isInBed(next) ? 'bed_enter' : 'bed_exit', true));
    }
    if (this.has('door_sensor') && isAtHome(prev) !== isAtHome(next)) {
      out.push(this.event('door_sensor', 'door_open', true));
      // The door closes a moment later, as a real one does.
      this.pending.push({ dueMs: nowMs + 1_500, message: this.event('door_sensor', 'door_close', true) });
    }
    if (isMovingAtHome(next)) this.nextMotionAtMs = nowMs;
    return out;
  }

  private heartRate(): number {
    if (this.vitals?.heartRate !== undefined) return round1(this.rng.normal(this.vitals.heartRate, 1));
    const p = this.persona;
    switch (this.activity) {
      case 'asleep':
        return Math.round(clamp(this.rng.normal(p.restingHr, 2.5), 50, 70));
      case 'walking':
        return Math.round(clamp(this.rng.normal(p.awakeHr + 18, 4), 80, 112));
      case 'still':
        return Math.round(clamp(this.rng.normal(p.awakeHr - 4, 2), 55, 90));
      case 'awake':
      case 'bathroom':
        return Math.round(clamp(this.rng.normal(p.awakeHr, 4), 58, 100));
    }
  }

  private mattressReading(): MessageBody {
    if (!isInBed(this.activity)) return { heartRate: null, respirationRate: null, inBed: false, movement: 0 };
    if (this.vitals?.missing)
      return { heartRate: null, respirationRate: null, inBed: true, movement: this.rng.int(0, 8) };
    const rr =
      this.vitals?.respirationRate ?? round1(clamp(this.rng.normal(this.persona.respirationRate, 1.2), 12, 20));
    // Mostly still in sleep, with an occasional turn.
    const movement = this.rng.chance(0.08) ? this.rng.int(20, 45) : this.rng.int(0, 8);
    return { heartRate: this.heartRate(), respirationRate: rr, inBed: true, movement };
  }

  private wearableReading(nowMs: number): RoutineMessage {
    const minutes = this.clock.elapsedMinutes(nowMs);
    const perMin =
      this.activity === 'walking'
        ? this.persona.stepsPerMinWalk
        : isMovingAtHome(this.activity)
          ? this.persona.stepsPerMinHome
          : 0;
    const added = Math.round((minutes - this.stepsAccruedAtMin) * perMin);
    this.stepsAccruedAtMin = minutes;
    this.steps += Math.max(0, added);
    const at = this.currentPosition(nowMs);
    const body: MessageBody = {
      heartRate: this.heartRate(),
      spo2: clamp(this.persona.spo2 + this.rng.int(-1, 1), 90, 100),
      steps: this.steps,
      lat: at.lat,
      lon: at.lon,
      accuracy: isAtHome(this.activity) && !this.position ? this.rng.int(8, 25) : this.rng.int(5, 15),
      battery: this.battery('wearable', nowMs),
    };
    return { device: 'wearable', channel: 'telemetry', body, activity: added > 0 };
  }
}
