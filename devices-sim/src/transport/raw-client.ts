// One device's MQTT 3.1.1 connection on a bare TCP (or TLS) socket. No
// per-client timers: the fleet calls maintain() for keepalives, so ten
// thousand devices cost ten thousand sockets and little else.
import net from 'node:net';
import tls from 'node:tls';
import type { Clock } from '../clock';
import { decodeConnack, decodePacketId, decodePublish, FrameReader, type IncomingPublish } from './frame-reader';
import {
  buildConnectFrame,
  buildPubackFrame,
  buildSubscribeFrame,
  type ConnectOptions,
  DISCONNECT,
  PacketType,
  PINGREQ,
  type PublishFrames,
  withDupFlag,
} from './frames';
import { InflightWindow, SUBSCRIBE_PACKET_ID } from './inflight';
import type { TransportStats } from './transport-stats';

export interface BrokerAddress {
  host: string;
  port: number;
  tls: boolean;
}

export interface RawClientOptions extends ConnectOptions {
  broker: BrokerAddress;
  /** Subscribed after every CONNACK (the device's own commands topic, CONTRACT §2). */
  subscribeTopic?: string;
  connectTimeoutMs?: number;
  /** QoS 1 messages awaiting PUBACK before new ones are refused (notSent). */
  maxInflight?: number;
}

export interface RawClientHooks {
  /** After every accepted CONNACK, first connect and reconnects alike (e.g. publish the retained status). */
  onConnected?(): void;
  onPublish?(message: IncomingPublish): void;
}

export class ConnectRefusedError extends Error {
  constructor(readonly returnCode: number) {
    super(`CONNACK refused with return code ${returnCode}`);
  }
}

type State = 'idle' | 'connecting' | 'connected' | 'waiting' | 'frozen' | 'closed';

const MAX_BACKOFF_MS = 10_000;
/** MQTT 3.1.1 §3.2.2.3 "server unavailable" (the platform's database or Redis is down): retried, unlike refusals. */
export const CONNACK_SERVER_UNAVAILABLE = 3;

export class RawDeviceClient {
  private state: State = 'idle';
  private socket: net.Socket | null = null;
  private reader = new FrameReader();
  private readonly connectFrame: Buffer;
  private readonly inflight: InflightWindow;
  private lastWriteAt = 0;
  private pingSentAt: number | null = null;
  private backoffMs = 1_000;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pending: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private everConnected = false;
  /** The last CONNACK said "server unavailable": the close that follows is a transient failure. */
  private serverUnavailable = false;

  constructor(
    private readonly options: RawClientOptions,
    private readonly stats: TransportStats,
    private readonly clock: Clock,
    private readonly hooks: RawClientHooks = {},
  ) {
    this.connectFrame = buildConnectFrame(options);
    this.inflight = new InflightWindow(options.maxInflight ?? 1_000);
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Resolves on an accepted CONNACK; rejects on refusal (ConnectRefusedError), error or timeout. */
  connect(): Promise<void> {
    if (this.state !== 'idle') return Promise.reject(new Error(`cannot connect from state ${this.state}`));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.open();
    });
  }

  /**
   * Publishes open-loop: QoS 1 frames are tracked by packet id until PUBACK and
   * re-sent with DUP after a reconnect. Returns false if the message could not be taken.
   */
  publish(frames: PublishFrames, payload: Buffer, qos: 0 | 1, intendedAt: number, retain = false): boolean {
    if (this.state === 'frozen' || this.state === 'closed') return false;
    const c = this.stats.counters;
    if (qos === 0) {
      if (this.state !== 'connected') {
        c.notSent += 1;
        return false;
      }
      this.write(frames.frame(payload, 0, 0, retain));
      c.qos0Sent += 1;
      return true;
    }
    const id = this.inflight.allocate();
    if (id === null) {
      c.notSent += 1;
      return false;
    }
    const frame = frames.frame(payload, 1, id, retain);
    const connected = this.state === 'connected';
    this.inflight.add(id, { frame, intendedAt, sent: connected });
    if (connected) this.write(frame);
    c.qos1Sent += 1;
    return true;
  }

  /** Keepalive (MQTT 3.1.1 §3.1.2.10): PINGREQ when idle, and a dead link is dropped and redialled. */
  maintain(now: number): void {
    if (this.state !== 'connected' || !this.socket) return;
    const keepaliveMs = this.options.keepaliveSeconds * 1000;
    if (this.pingSentAt !== null && now - this.pingSentAt > keepaliveMs) {
      this.socket.destroy();
      return;
    }
    if (this.pingSentAt === null && now - this.lastWriteAt >= keepaliveMs / 2) {
      this.pingSentAt = now;
      this.write(PINGREQ);
    }
  }

  /**
   * Power loss: nothing more is written, not even keepalives, and the socket is
   * left open so the broker only notices through its keepalive timeout and then
   * publishes the will — as with a real device whose battery died.
   */
  freeze(): void {
    this.state = 'frozen';
    this.clearTimers();
  }

  /** Power loss that takes the link down with it: the TCP connection dies, no DISCONNECT, no will sent by us, no redial. */
  cut(): void {
    this.freeze();
    this.socket?.destroy();
  }

  /** Graceful end: `finalFrames` (e.g. a retained offline status), DISCONNECT, close. */
  async close(finalFrames: Buffer[] = []): Promise<void> {
    const socket = this.socket;
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.clearTimers();
    if (!socket || socket.destroyed) return;
    if (wasConnected) {
      for (const frame of finalFrames) this.write(frame);
      this.write(DISCONNECT);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }

  private open(): void {
    this.state = 'connecting';
    this.reader = new FrameReader();
    this.pingSentAt = null;
    const { host, port } = this.options.broker;
    const socket = this.options.broker.tls
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host })
      : net.connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once(this.options.broker.tls ? 'secureConnect' : 'connect', () => this.write(this.connectFrame));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // 'close' follows every 'error'; the handler below decides what happens next.
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose(socket));
    this.connectTimer = setTimeout(() => socket.destroy(), this.options.connectTimeoutMs ?? 15_000);
  }

  private onData(chunk: Buffer): void {
    let frames;
    try {
      frames = this.reader.push(chunk);
    } catch {
      this.socket?.destroy();
      return;
    }
    for (const frame of frames) {
      switch (frame.type) {
        case PacketType.CONNACK:
          this.onConnack(decodeConnack(frame));
          break;
        case PacketType.PUBACK:
          this.onPuback(decodePacketId(frame));
          break;
        case PacketType.PINGRESP:
          this.pingSentAt = null;
          break;
        case PacketType.PUBLISH: {
          const message = decodePublish(frame);
          if (message.packetId !== null) this.write(buildPubackFrame(message.packetId));
          this.stats.counters.commandsReceived += 1;
          this.hooks.onPublish?.(message);
          break;
        }
        default:
          break;
      }
    }
  }

  private onConnack(code: number): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (code !== 0) {
      this.stats.counters.refused[String(code)] = (this.stats.counters.refused[String(code)] ?? 0) + 1;
      if (code === CONNACK_SERVER_UNAVAILABLE) {
        // Transient: dropped and redialled with backoff like a lost link; unacknowledged events stay queued.
        this.serverUnavailable = true;
        this.socket?.destroy();
        return;
      }
      // CONTRACT §2: unknown device, wrong secret or disabled: refused. Retrying cannot help.
      this.state = 'closed';
      this.socket?.destroy();
      this.settle(new ConnectRefusedError(code));
      return;
    }
    this.state = 'connected';
    this.backoffMs = 1_000;
    this.stats.counters.connected += 1;
    if (this.everConnected) this.stats.counters.reconnects += 1;
    this.everConnected = true;
    if (this.options.subscribeTopic) this.write(buildSubscribeFrame(this.options.subscribeTopic, SUBSCRIBE_PACKET_ID));
    // Redeliver what the broker never acknowledged; frames sent before carry DUP.
    for (const entry of this.inflight.values()) {
      if (entry.sent) this.stats.counters.retransmits += 1;
      this.write(entry.sent ? withDupFlag(entry.frame) : entry.frame);
      entry.sent = true;
    }
    this.hooks.onConnected?.();
    this.settle(null);
  }

  private onPuback(id: number): void {
    const entry = this.inflight.acknowledge(id);
    if (!entry) return;
    this.stats.counters.pubacks += 1;
    this.stats.pubackLatency.record(this.clock() - entry.intendedAt);
  }

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (this.state === 'closed' || this.state === 'frozen') return;
    if (this.state === 'connected') this.stats.counters.dropped += 1;
    else this.stats.counters.connectFailures += 1;
    const unavailable = this.serverUnavailable;
    this.serverUnavailable = false;
    if (this.pending) {
      // The first connect is the fleet's to retry; it knows how many devices are still dialling.
      this.state = 'idle';
      const where = `${this.options.broker.host}:${this.options.broker.port}`;
      this.settle(
        new Error(
          unavailable
            ? `${where} answered CONNACK ${CONNACK_SERVER_UNAVAILABLE} (server unavailable)`
            : `connection to ${where} closed before CONNACK`,
        ),
      );
      return;
    }
    this.state = 'waiting';
    const delay = this.backoffMs * (0.75 + Math.random() * 0.5);
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === 'waiting') this.open();
    }, delay);
  }

  private settle(error: Error | null): void {
    const pending = this.pending;
    this.pending = null;
    if (!pending) return;
    if (error) pending.reject(error);
    else pending.resolve();
  }

  private write(frame: Buffer): void {
    if (!this.socket || this.socket.destroyed) return;
    this.socket.write(frame);
    this.lastWriteAt = this.clock();
    this.stats.counters.bytesOut += frame.length;
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.reconnectTimer = null;
    this.connectTimer = null;
  }
}
