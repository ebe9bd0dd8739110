import mqtt, { type MqttClient } from 'mqtt';
import { topic } from './mqtt-device';

/** CONNACK codes that say "try again later" (3.1.1: 3; 5: 0x88 server unavailable, 0x89 server busy). */
const RETRYABLE_CONNACK = new Set([3, 0x88, 0x89]);
/** A publish with no PUBACK this long is sent again with the same seq (the platform stores a seq once). */
const PUBACK_TIMEOUT_MS = 8_000;

export interface FleetDeviceOptions {
  id: string;
  secret: string;
  /** MQTT ports of the platform processes; the device rotates through them when a connection fails. */
  ports: number[];
  /** MQTT 3.1.1 (4) or 5 (default). */
  protocolVersion?: 4 | 5;
  /** A battery button: no connection until the first `send` (so its first CONNECT meets whatever is then). */
  sleepsUntilPressed?: boolean;
}

/**
 * A device as a real one behaves under faults: MQTT 5 or 3.1.1, QoS 1 events from an outbox that is only emptied by a
 * PUBACK with reason 0 (anything else, a lost connection or no answer is sent again, same seq), reconnecting
 * by itself, and retrying a CONNACK "server unavailable" but giving up on "not authorized" as standard
 * clients do. It records every seq the platform acknowledged.
 */
export class FleetDevice {
  readonly acked: number[] = [];
  /** Publishes that had to be sent again (refused, unanswered or cut off). */
  retries = 0;
  /** Set when the platform refused the device for good (e.g. "not authorized" during an outage). */
  gaveUp: string | null = null;
  private readonly client: MqttClient;
  private readonly outbox: { seq: number; body: Record<string, unknown>; sentAt: number }[] = [];
  private nextSeq = 1;
  private sending = false;
  private closed = false;
  private started: boolean;

  constructor(readonly options: FleetDeviceOptions) {
    this.client = mqtt.connect({
      servers: options.ports.map((port) => ({ host: '127.0.0.1', port })),
      clientId: options.id,
      username: options.id,
      password: options.secret,
      protocolVersion: options.protocolVersion ?? 5,
      reconnectPeriod: 300,
      connectTimeout: 3_000,
      manualConnect: options.sleepsUntilPressed ?? false,
    });
    this.started = !options.sleepsUntilPressed;
    this.client.on('connect', () => void this.pump());
    this.client.on('error', (error) => {
      const code = (error as { code?: number }).code;
      if (typeof code !== 'number') return; // socket errors: mqtt.js reconnects by itself
      if (RETRYABLE_CONNACK.has(code)) {
        setTimeout(() => !this.closed && this.client.reconnect(), 300);
      } else {
        this.gaveUp = `CONNACK ${code}: ${error.message}`;
      }
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Events not yet acknowledged. */
  get pending(): number {
    return this.outbox.length;
  }

  /** Queues one event (`type` plus fields); resolves with its seq at once, delivery follows. */
  send(type: string, extra: Record<string, unknown> = {}): number {
    const seq = this.nextSeq++;
    this.outbox.push({ seq, body: { type, ts: Date.now(), seq, ...extra }, sentAt: 0 });
    if (!this.started) this.connect();
    void this.pump();
    return seq;
  }

  /** Sends the outbox in order, one in flight at a time, until it is empty or the connection drops. */
  private async pump(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (!this.closed && this.client.connected && this.outbox.length > 0) {
        const item = this.outbox[0]!;
        const dup = item.sentAt > 0;
        item.sentAt = Date.now();
        const code = await this.publish(item.body, dup);
        if (code === 0) {
          this.outbox.shift();
          this.acked.push(item.seq);
        } else {
          this.retries += 1;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    } finally {
      this.sending = false;
    }
    // A PUBACK may have arrived for a retried copy while the loop ended: keep going if there is more.
    if (!this.closed && this.client.connected && this.outbox.length > 0) void this.pump();
  }

  private publish(body: Record<string, unknown>, dup: boolean): Promise<number> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(-1), PUBACK_TIMEOUT_MS);
      this.client.publish(topic(this.options.id, 'events'), JSON.stringify(body), { qos: 1, dup }, (error, packet) => {
        clearTimeout(timer);
        if (error) return resolve((error as { code?: number }).code ?? -1);
        resolve((packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0);
      });
    });
  }

  /** Goes offline cleanly (e.g. a battery button between presses); `send` queues until `connect`. */
  async disconnect(): Promise<void> {
    await this.client.endAsync();
  }

  /** Connects again (a button waking up on a press), through the same rotation and retry rules. */
  connect(): void {
    if (this.started) {
      this.client.reconnect();
    } else {
      this.started = true;
      this.client.connect();
    }
  }

  close(): void {
    this.closed = true;
    this.client.end(true);
  }
}
