// One load-generator device on the simulator's raw-socket client
// (devices-sim/src/transport): real id, secret and topics, so the platform's
// auth and topic ACL run for every message (BENCHMARKS.md method 5).
import { type DeviceType, deviceTopic } from '@anxin/contract';
import type { Clock } from '../../../devices-sim/src/clock';
import { PublishFrames } from '../../../devices-sim/src/transport/frames';
import { type BrokerAddress, RawDeviceClient } from '../../../devices-sim/src/transport/raw-client';
import type { TransportStats } from '../../../devices-sim/src/transport/transport-stats';

export interface DeviceSpec {
  id: string;
  secret: string;
  type: DeviceType;
}

export interface DeviceConnectOptions {
  broker: BrokerAddress;
  keepaliveSeconds: number;
  /** Retained `{"online":true}` after every CONNACK and a `{"online":false}` will (CONTRACT §2). */
  statusAndWill: boolean;
  /** Subscribe to the device's own commands topic after every CONNACK. */
  subscribe: boolean;
}

/** seq = tag × SEQ_SPAN + n: each measured run owns a seq range, so rows in the DB can be counted per run. */
export const SEQ_SPAN = 10_000_000;

const ONLINE = Buffer.from('{"online":true}');
const WILL = '{"online":false}';

export type Sent = 'telemetry' | 'event';

export class BenchDevice {
  readonly client: RawDeviceClient;
  private readonly telemetry: PublishFrames;
  private readonly events: PublishFrames;
  private tag = 0;
  private n = 0;
  private steps = 1000;
  /** Spreads the motion events of many sensors over the event period instead of all on the same tick. */
  private readonly phase = Math.floor(Math.random() * 1_000);
  /** Payload size of the last scheduled message (for the disclosure of payload bytes). */
  lastPayloadBytes = 0;

  constructor(
    readonly spec: DeviceSpec,
    opts: DeviceConnectOptions,
    stats: TransportStats,
    private readonly clock: Clock,
  ) {
    this.telemetry = new PublishFrames(deviceTopic(spec.id, 'telemetry'));
    this.events = new PublishFrames(deviceTopic(spec.id, 'events'));
    const status = new PublishFrames(deviceTopic(spec.id, 'status'));
    this.client = new RawDeviceClient(
      {
        broker: opts.broker,
        clientId: spec.id,
        username: spec.id,
        password: spec.secret,
        keepaliveSeconds: opts.keepaliveSeconds,
        ...(opts.statusAndWill
          ? { will: { topic: deviceTopic(spec.id, 'status'), payload: WILL, qos: 1 as const, retain: true } }
          : {}),
        ...(opts.subscribe ? { subscribeTopic: deviceTopic(spec.id, 'commands') } : {}),
      },
      stats,
      clock,
      opts.statusAndWill ? { onConnected: () => void this.client.publish(status, ONLINE, 1, this.clock(), true) } : {},
    );
  }

  /** Starts a new seq range (a new measured run). */
  setTag(tag: number): void {
    if (tag === this.tag) return;
    this.tag = tag;
    this.n = 0;
  }

  get lastSeq(): number {
    return this.tag * SEQ_SPAN + this.n;
  }

  /**
   * One message on the open-loop schedule, QoS 1. Motion sensors send every
   * `eventEvery`-th message as a `motion` event (stored before PUBACK, run
   * through the event rules); everything else is telemetry of its type.
   */
  tick(intendedAt: number, eventEvery: number): Sent | null {
    this.n += 1;
    const seq = this.tag * SEQ_SPAN + this.n;
    const ts = Math.floor(intendedAt);
    if (this.spec.type === 'motion_sensor' && eventEvery > 0 && (this.n + this.phase) % eventEvery === 0) {
      const payload = Buffer.from(`{"type":"motion","ts":${ts},"seq":${seq}}`);
      this.lastPayloadBytes = payload.length;
      return this.client.publish(this.events, payload, 1, intendedAt) ? 'event' : null;
    }
    const payload = Buffer.from(this.telemetryPayload(ts, seq));
    this.lastPayloadBytes = payload.length;
    return this.client.publish(this.telemetry, payload, 1, intendedAt) ? 'telemetry' : null;
  }

  /** An SOS press stamped with its intended send time (`ts`), the one clock the latency is read on. */
  sos(intendedAt: number): number | null {
    this.n += 1;
    const seq = this.tag * SEQ_SPAN + this.n;
    const payload = Buffer.from(`{"type":"sos","ts":${Math.floor(intendedAt)},"seq":${seq}}`);
    return this.client.publish(this.events, payload, 1, intendedAt) ? seq : null;
  }

  private telemetryPayload(ts: number, seq: number): string {
    const k = this.n;
    switch (this.spec.type) {
      case 'mattress':
        // Normal resting vitals: the vitals rules run on every reading and raise nothing.
        return `{"heartRate":${62 + (k % 9)},"respirationRate":${14 + (k % 4)},"inBed":true,"movement":${k % 11},"ts":${ts},"seq":${seq}}`;
      case 'wearable':
        // Steps grow every 10th reading, which the rules record as resident activity.
        if (k % 10 === 0) this.steps += 12;
        return `{"heartRate":${70 + (k % 7)},"spo2":${96 + (k % 3)},"steps":${this.steps},"battery":${90 - (k % 5)},"ts":${ts},"seq":${seq}}`;
      default:
        return `{"battery":${95 - (k % 5)},"ts":${ts},"seq":${seq}}`;
    }
  }
}
