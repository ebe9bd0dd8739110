// A home at run time: the routine model wired to the home's devices.
import type { DeviceEventType, DeviceType } from '@anxin/contract';
import type { HomeModel, RoutineMessage } from '../homes/home-model';
import type { HomeCredentials } from '../provisioning/credentials';
import type { ScenarioDef } from '../scenarios/scenario';
import type { SimDevice } from './sim-device';

/** Events that show the resident moving about (what an inactivity rule would count). */
export const ACTIVITY_EVENTS: ReadonlySet<DeviceEventType> = new Set([
  'motion',
  'door_open',
  'door_close',
  'bed_exit',
  'bed_enter',
]);

export class SimHome {
  /** When the home last published evidence of movement (inactivity scenarios count from it). */
  lastActivityAt: number | null = null;

  constructor(
    readonly creds: HomeCredentials,
    readonly model: HomeModel,
    readonly devices: ReadonlyMap<DeviceType, SimDevice>,
    readonly scenario: ScenarioDef | null,
    private readonly telemetryQos: 0 | 1,
  ) {}

  get index(): number {
    return this.creds.index;
  }

  get residentId(): string {
    return this.creds.resident.id;
  }

  /** The device's scheduled slot: routine events that are due, then its telemetry sample. */
  tick(device: SimDevice, intendedAt: number, now: number): void {
    if (device.silent) return;
    for (const message of this.model.advance(now)) this.publish(message);
    this.publish(this.model.telemetry(device.type, now), intendedAt);
  }

  /** Events at QoS 1 (CONTRACT §2); telemetry at the configured QoS. Returns the publish time. */
  publish(message: RoutineMessage, intendedAt?: number): number | null {
    const device = this.devices.get(message.device);
    if (!device) return null;
    const qos = message.channel === 'events' ? 1 : this.telemetryQos;
    const at = device.send(message.channel, message.body, qos, intendedAt);
    if (at !== null && message.activity) this.lastActivityAt = at;
    return at;
  }
}
