import type { Duplex } from 'node:stream';
import mqttPacket, { type IConnectPacket, type IPublishPacket, type ISubscribePacket, type Packet } from 'mqtt-packet';
import type { Logger } from 'pino';
import type { IngestedDevice } from '../ingest/ingest.signals';
import type { DeviceAuthResult } from './device-auth.service';
import type { DeviceGateway } from './device-session';

// MQTT 5 reason codes used here (OASIS MQTT 5.0 §2.4).
const RC = {
  success: 0x00,
  unspecified: 0x80,
  protocolError: 0x82,
  badCredentials: 0x86,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  keepAliveTimeout: 0x8d,
  sessionTakenOver: 0x8e,
  payloadFormatInvalid: 0x99,
  qosNotSupported: 0x9b,
} as const;

const MAX_BACKLOG = 64;
const MAX_UNPARSED_BYTES = 256 * 1024;

/** CONTRACT §2: disabled 0x87, unknown or wrong secret 0x86, database unreachable 0x88 (so the device retries). */
function connackRefusal(reason: Exclude<DeviceAuthResult, { ok: true }>['reason']): number {
  switch (reason) {
    case 'disabled':
      return RC.notAuthorized;
    case 'unknown_device':
    case 'bad_secret':
      return RC.badCredentials;
    case 'server_unavailable':
      return RC.serverUnavailable;
  }
}

export interface CommandSubscriber {
  subscribe(topic: string, deliver: (payload: Buffer) => void): () => void;
}

/**
 * One MQTT 5 device connection. aedes 1.x speaks only 3.1.x, and CONTRACT §2
 * needs MQTT 5 reason codes (CONNACK 0x86/0x87, PUBACK 0x87/0x99), so MQTT 5
 * devices get this small device-only session: no QoS 2, no shared state of
 * its own; commands arrive through the same emitter aedes uses.
 */
export class Mqtt5Session {
  private readonly parser = mqttPacket.parser({ protocolVersion: 5 });
  private device: IngestedDevice | null = null;
  private will: IConnectPacket['will'] | null = null;
  private keepAliveMs = 0;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private backlog: Promise<void> = Promise.resolve();
  private pendingPackets = 0;
  private nextMessageId = 1;
  private unsubscribers: (() => void)[] = [];
  private closed = false;
  private cleanDisconnect = false;

  constructor(
    private readonly stream: Duplex,
    private readonly gateway: DeviceGateway,
    private readonly commands: CommandSubscriber,
    private readonly log: Logger,
  ) {
    this.parser.on('packet', (packet: Packet) => this.enqueue(packet));
    this.parser.on('error', (error: Error) => this.abort(RC.protocolError, error.message));
    stream.on('data', (chunk: Buffer) => {
      this.touch();
      this.parser.parse(chunk);
      // A client that sends one endless packet must not grow our memory.
      if ((this.parser as unknown as { _list: { length: number } })._list.length > MAX_UNPARSED_BYTES) {
        this.abort(RC.protocolError, 'packet too large');
      }
    });
    stream.on('error', () => this.onClosed());
    stream.on('close', () => this.onClosed());
    stream.resume(); // the router paused it while peeking at the protocol level
  }

  /** Called by the gateway on takeover, disable or rotation. */
  close(reasonCode: number = RC.sessionTakenOver): void {
    this.abort(reasonCode, 'closed by the platform');
  }

  private enqueue(packet: Packet): void {
    // Packets are handled one at a time, in order: events keep their sequence.
    this.pendingPackets += 1;
    if (this.pendingPackets > MAX_BACKLOG) this.stream.pause();
    this.backlog = this.backlog
      .then(() => this.handle(packet))
      .catch((error: unknown) => this.abort(RC.unspecified, (error as Error).message))
      .finally(() => {
        this.pendingPackets -= 1;
        if (this.pendingPackets <= MAX_BACKLOG / 2 && this.stream.isPaused()) this.stream.resume();
      });
  }

  private async handle(packet: Packet): Promise<void> {
    if (this.closed) return;
    if (packet.cmd !== 'connect' && !this.device) return this.abort(RC.protocolError, 'CONNECT first');
    switch (packet.cmd) {
      case 'connect':
        return this.onConnect(packet);
      case 'publish':
        return this.onPublish(packet);
      case 'subscribe':
        return this.onSubscribe(packet);
      case 'unsubscribe':
        return this.send({
          cmd: 'unsuback',
          messageId: packet.messageId,
          granted: packet.unsubscriptions.map(() => RC.success),
        } as never);
      case 'pingreq':
        return this.send({ cmd: 'pingresp' });
      case 'puback':
        return; // command delivered; state is tracked by the device's command_ack event
      case 'disconnect':
        this.cleanDisconnect = (packet.reasonCode ?? 0) !== 0x04;
        this.stream.end();
        return;
      default:
        return this.abort(RC.protocolError, `unexpected ${packet.cmd}`);
    }
  }

  private async onConnect(packet: IConnectPacket): Promise<void> {
    if (this.device) return this.abort(RC.protocolError, 'second CONNECT');
    const username = packet.username ?? '';
    const password = packet.password?.toString('utf8') ?? '';
    // CONTRACT §2: client id = username = device id.
    const result =
      username && packet.clientId === username
        ? await this.gateway.verify(username, password)
        : ({ ok: false, reason: 'unknown_device' } as const);
    if (!result.ok) {
      this.send({
        cmd: 'connack',
        reasonCode: connackRefusal(result.reason),
        sessionPresent: false,
      });
      this.closed = true;
      this.stream.end();
      return;
    }
    this.device = result.device;
    this.will = packet.will ?? null;
    this.keepAliveMs = (packet.keepalive ?? 0) * 1500;
    this.touch();
    this.send({
      cmd: 'connack',
      reasonCode: RC.success,
      sessionPresent: false,
      properties: { maximumQoS: 1, retainAvailable: true },
    });
    this.gateway.connected(result.device, this);
  }

  private async onPublish(packet: IPublishPacket): Promise<void> {
    const device = this.device!;
    if (packet.qos === 2) return this.abort(RC.qosNotSupported, 'QoS 2 is not supported');
    const outcome = await this.gateway.accept(device, packet.topic, packet.payload as Buffer, packet.dup);
    let reasonCode: number = RC.success;
    if (outcome === 'forbidden') reasonCode = RC.notAuthorized;
    else if (outcome.kind === 'rejected') {
      // Not stored: no PUBACK at all, so the device keeps the message and sends it again after reconnecting.
      if (outcome.reason === 'storage_unavailable') return this.abort(RC.unspecified, 'storage unavailable');
      reasonCode = RC.payloadFormatInvalid;
    }
    if (packet.qos === 1) this.send({ cmd: 'puback', messageId: packet.messageId, reasonCode } as never);
  }

  private async onSubscribe(packet: ISubscribePacket): Promise<void> {
    const device = this.device!;
    const granted = packet.subscriptions.map((sub) => {
      if (!this.gateway.subscribeAllowed(device, sub.topic)) {
        this.gateway.countRefusal(device, `subscribe to ${sub.topic}`);
        return RC.notAuthorized;
      }
      this.unsubscribers.push(this.commands.subscribe(sub.topic, (payload) => this.deliver(sub.topic, payload)));
      return Math.min(sub.qos, 1);
    });
    this.send({ cmd: 'suback', messageId: packet.messageId, granted } as never);
    if (granted.some((g) => g < 0x80)) this.gateway.subscribedToCommands(device);
  }

  private deliver(topic: string, payload: Buffer): void {
    if (this.closed) return;
    const messageId = this.nextMessageId;
    this.nextMessageId = (this.nextMessageId % 65535) + 1;
    this.send({ cmd: 'publish', topic, payload, qos: 1, messageId, retain: false, dup: false });
  }

  private touch(): void {
    if (!this.keepAliveMs) return;
    if (this.keepAliveTimer) this.keepAliveTimer.refresh();
    else
      this.keepAliveTimer = setTimeout(() => this.abort(RC.keepAliveTimeout, 'keep-alive timeout'), this.keepAliveMs);
  }

  private send(packet: Packet): void {
    if (this.stream.destroyed || this.stream.writableEnded) return;
    this.stream.write(mqttPacket.generate(packet, { protocolVersion: 5 }));
  }

  private abort(reasonCode: number, why: string): void {
    if (this.closed) return;
    this.log.debug({ deviceId: this.device?.id, reasonCode, why }, 'closing MQTT 5 session');
    if (this.device) this.send({ cmd: 'disconnect', reasonCode } as never);
    this.closed = true;
    this.stream.end();
    setTimeout(() => this.stream.destroy(), 1000).unref();
  }

  private onClosed(): void {
    const wasOpen = !this.closed || this.device !== null;
    this.closed = true;
    if (this.keepAliveTimer) clearTimeout(this.keepAliveTimer);
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    const device = this.device;
    this.device = null;
    if (!device || !wasOpen) return;
    // The will is published only when the connection ended without a clean DISCONNECT.
    const will = this.will;
    if (will && !this.cleanDisconnect) {
      void this.gateway.accept(device, will.topic, Buffer.from(will.payload as Buffer)).catch(() => undefined);
    }
    this.gateway.disconnected(device, this);
  }
}
