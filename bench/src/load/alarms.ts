// SOS presses injected on a fixed open-loop schedule from dedicated SOS
// buttons (kept out of the background fleet so no connection is taken over),
// and a real socket.io console that records when each alert arrives.
import { io, type Socket } from 'socket.io-client';
import { mapWithConcurrency } from '../../../devices-sim/src/concurrency';
import { systemClock } from '../../../devices-sim/src/clock';
import type { BrokerAddress } from '../../../devices-sim/src/transport/raw-client';
import { TransportStats } from '../../../devices-sim/src/transport/transport-stats';
import { Latency } from '../measure/stats';
import { BenchDevice, type DeviceSpec } from './bench-device';

export interface Injection {
  deviceId: string;
  seq: number;
  intendedAt: number;
}

export class AlarmButtons {
  readonly stats = new TransportStats();
  private readonly devices: BenchDevice[];
  private keepalive: NodeJS.Timeout | null = null;
  private cursor = 0;

  constructor(specs: DeviceSpec[], broker: BrokerAddress) {
    this.devices = specs.map(
      (s) =>
        new BenchDevice(
          s,
          { broker, keepaliveSeconds: 60, statusAndWill: true, subscribe: true },
          this.stats,
          systemClock,
        ),
    );
  }

  async connect(): Promise<number> {
    let connected = 0;
    await mapWithConcurrency(this.devices, 100, async (d) => {
      await d.client.connect();
      connected += 1;
    });
    this.keepalive = setInterval(() => {
      const now = systemClock();
      for (const d of this.devices) d.client.maintain(now);
    }, 1_000);
    return connected;
  }

  get size(): number {
    return this.devices.length;
  }

  /**
   * Presses `count` buttons (the next ones in turn) at `ratePerSecond`, open
   * loop: each press carries its intended time, whenever the process gets to it.
   */
  async inject(
    ratePerSecond: number,
    count: number,
    tag: number,
    onPress: (i: Injection) => void,
  ): Promise<Injection[]> {
    const presses: Injection[] = [];
    const started = systemClock();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = systemClock();
        const due = Math.min(count, Math.floor(((now - started) * ratePerSecond) / 1000) + 1);
        for (; sent < due; sent++) {
          const device = this.devices[this.cursor % this.devices.length]!;
          this.cursor += 1;
          device.setTag(tag);
          const intendedAt = started + (sent * 1000) / ratePerSecond;
          const seq = device.sos(intendedAt);
          if (seq === null) continue;
          const press = { deviceId: device.spec.id, seq, intendedAt };
          presses.push(press);
          onPress(press);
        }
        if (sent >= count) {
          clearInterval(timer);
          resolve();
        }
      }, 1);
    });
    return presses;
  }

  outstanding(): number {
    return this.devices.reduce((n, d) => n + d.client.inflightCount, 0);
  }

  async close(): Promise<void> {
    if (this.keepalive) clearInterval(this.keepalive);
    await mapWithConcurrency(this.devices, 200, (d) => d.client.close());
  }
}

/** A console on `/console`: `alert:raised` arrivals matched to presses by device id. */
export class AlertWatcher {
  private readonly pending = new Map<string, Injection>();
  readonly latency = new Latency();
  readonly arrivals = new Map<string, { at: number; alertId: string | null; press: Injection }>();
  unmatched = 0;
  /** Times the server dropped this console (it reconnects by itself). */
  disconnects = 0;
  private socket: Socket | null = null;

  async connect(url: string, token: string | null): Promise<void> {
    this.socket = io(`${url}/console`, {
      ...(token ? { auth: { token } } : {}),
      transports: ['websocket'],
      reconnection: true,
      forceNew: true,
    });
    this.socket.on('alert:raised', (alert: { id?: string; deviceId?: string | null }) => this.onRaised(alert));
    this.socket.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') this.disconnects += 1;
    });
    await new Promise<void>((resolve, reject) => {
      this.socket!.once('connect', () => resolve());
      this.socket!.once('connect_error', (e) => reject(e));
    });
  }

  expect(press: Injection): void {
    this.pending.set(press.deviceId, press);
  }

  private onRaised(alert: { id?: string; deviceId?: string | null }): void {
    const at = systemClock();
    const press = alert.deviceId ? this.pending.get(alert.deviceId) : undefined;
    if (!press || !alert.deviceId) {
      this.unmatched += 1;
      return;
    }
    this.pending.delete(alert.deviceId);
    this.latency.record(at - press.intendedAt);
    this.arrivals.set(`${press.deviceId}:${press.seq}`, { at, alertId: alert.id ?? null, press });
  }

  /** Waits until every press has its alert or `graceMs` passes; returns how many never arrived. */
  async settle(graceMs: number): Promise<number> {
    const deadline = systemClock() + graceMs;
    while (this.pending.size > 0 && systemClock() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.pending.size;
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}
