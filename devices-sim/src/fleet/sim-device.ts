// One simulated device: its connection, its topics, and the `ts`/`seq`
// envelope every message carries (CONTRACT §2).
import { commandSchema, deviceTopic } from '@anxin/contract';
import type { Clock } from '../clock';
import type { MessageBody } from '../homes/home-model';
import type { DeviceCredentials } from '../provisioning/credentials';
import type { IncomingPublish } from '../transport/frame-reader';
import { PublishFrames } from '../transport/frames';
import { type BrokerAddress, RawDeviceClient } from '../transport/raw-client';
import type { TransportStats } from '../transport/transport-stats';

export type OutboundChannel = 'telemetry' | 'events' | 'status';

export interface SimDeviceOptions {
  broker: BrokerAddress;
  keepaliveSeconds: number;
}

// CONTRACT §2: the will is `{"online":false}`; fixed at connect time, so it has no ts/seq.
const WILL_PAYLOAD = JSON.stringify({ online: false });

export class SimDevice {
  readonly client: RawDeviceClient;
  lastPublishAt: number | null = null;
  silent = false;
  private seq: number;
  private readonly frames: Record<OutboundChannel, PublishFrames>;

  constructor(
    readonly creds: DeviceCredentials,
    options: SimDeviceOptions,
    stats: TransportStats,
    private readonly clock: Clock,
  ) {
    // CONTRACT §2: seq increases per device and a repeated event seq is acted on once.
    // Starting from the wall clock keeps seq increasing across runs that reuse a device.
    this.seq = Date.now();
    this.frames = {
      telemetry: new PublishFrames(deviceTopic(creds.id, 'telemetry')),
      events: new PublishFrames(deviceTopic(creds.id, 'events')),
      status: new PublishFrames(deviceTopic(creds.id, 'status')),
    };
    this.client = new RawDeviceClient(
      {
        broker: options.broker,
        clientId: creds.id,
        username: creds.id,
        password: creds.secret,
        keepaliveSeconds: options.keepaliveSeconds,
        will: { topic: deviceTopic(creds.id, 'status'), payload: WILL_PAYLOAD, qos: 1, retain: true },
        subscribeTopic: deviceTopic(creds.id, 'commands'),
      },
      stats,
      clock,
      {
        // CONTRACT §2: status is retained `{"online":true}` once connected (again after a reconnect).
        onConnected: () => void this.send('status', { online: true }, 1, undefined, true),
        onPublish: (message) => this.onCommand(message),
      },
    );
  }

  get id(): string {
    return this.creds.id;
  }

  get type(): DeviceCredentials['type'] {
    return this.creds.type;
  }

  /** Stamps `ts` and the next `seq`, publishes, and returns the publish time (null if not sent). */
  send(channel: OutboundChannel, body: MessageBody, qos: 0 | 1, intendedAt?: number, retain = false): number | null {
    if (this.silent) return null;
    const now = this.clock();
    this.seq += 1;
    const payload = Buffer.from(JSON.stringify({ ...body, ts: Math.floor(now), seq: this.seq }), 'utf8');
    if (!this.client.publish(this.frames[channel], payload, qos, intendedAt ?? now, retain)) return null;
    this.lastPublishAt = now;
    return now;
  }

  /** Power loss (scenario device_offline): no more messages or keepalives, socket left open. */
  silence(): void {
    this.silent = true;
    this.client.freeze();
  }

  /** Power loss (scenario power_loss): the connection dies at once without DISCONNECT, and nothing more is sent. */
  powerLoss(): void {
    this.silent = true;
    this.client.cut();
  }

  /** A clean shutdown: retained offline status, then DISCONNECT (so the broker sends no will). */
  async shutdown(): Promise<void> {
    if (!this.silent) this.send('status', { online: false }, 1, undefined, true);
    this.silent = true;
    await this.client.close();
  }

  /** Answers each command with `command_ack` (CONTRACT §2: "Every device may also send the event command_ack"). */
  private onCommand(message: IncomingPublish): void {
    let json: unknown;
    try {
      json = JSON.parse(message.payload.toString('utf8'));
    } catch {
      return;
    }
    const command = commandSchema.safeParse(json);
    if (!command.success) return;
    this.send('events', { type: 'command_ack', commandId: command.data.commandId, ok: true }, 1);
  }
}
