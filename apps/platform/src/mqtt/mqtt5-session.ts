import type { Duplex } from 'node:stream';
import mqttPacket, { type IConnectPacket, type IPublishPacket, type ISubscribePacket, type Packet } from 'mqtt-packet';
import type { Logger } from 'pino';
import type { IngestedDevice } from '../ingest/ingest.signals';
import type { DeviceAuthResult } from './device-auth.service';
import type { DeviceGateway } from './device-session';
import { startSocketReads, stopSocketReads } from './socket-reads';

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

/**
 * Packets read and not yet answered, beyond which the socket is no longer
 * read (as aedes reads a client's next chunk only once the current one is
 * handled): a device publishing faster than we store waits in TCP, not in our
 * memory. At most one chunk's packets more are parsed before the pause bites.
 */
const MAX_BACKLOG = 64;
const MAX_UNPARSED_BYTES = 256 * 1024;

/** What ingest answered a publish, or why it failed (kept as a value until the publish's turn to be answered). */
type Accepted = Awaited<ReturnType<DeviceGateway['accept']>> | { failed: unknown };

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
  /** Publishes waiting to be handled in turn (those that came before the session was up): later ones wait too. */
  private publishesInTurn = 0;
  private nextMessageId = 1;
  private unsubscribers: (() => void)[] = [];
  private closed = false;
  private waitingForRoom = false;
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
    // Answered at once, not in turn: readings waiting on storage must not look like a dead link to the device.
    if (packet.cmd === 'pingreq' && this.device) return this.send({ cmd: 'pingresp' });
    // Packets are answered one at a time, in order (PUBACKs in PUBLISH order); publishes are stored as they come.
    this.pendingPackets += 1;
    if (this.pendingPackets > MAX_BACKLOG) this.pauseReads();
    if (packet.cmd === 'publish' && this.device && this.gateway.readingMustWait(this.device, packet.topic))
      this.waitForIngestRoom();
    const accepting = this.startAccepting(packet);
    if (!accepting && packet.cmd === 'publish') this.publishesInTurn += 1;
    this.backlog = this.backlog
      .then(() => this.handle(packet, accepting))
      .catch((error: unknown) => this.abort(RC.unspecified, (error as Error).message))
      .finally(() => {
        this.pendingPackets -= 1;
        if (this.pendingPackets <= MAX_BACKLOG / 2 && this.stream.isPaused() && !this.waitingForRoom)
          this.resumeReads();
      });
  }

  /**
   * A publish goes to ingest as soon as it is parsed, beside the ones before it
   * (as aedes handles a chunk's packets together): one connection's readings
   * share a batch instead of waiting a flush each. Ingest keeps their order,
   * since each reaches its writer in the order it was started. Null: the packet
   * is handled in turn.
   */
  /** Ingest's line is full: read nothing more until it has room (the device waits in TCP), as 3.1.1 connections do. */
  private waitForIngestRoom(): void {
    if (this.waitingForRoom) return;
    this.waitingForRoom = true;
    this.pauseReads();
    this.gateway.onIngestRoom(() => {
      this.waitingForRoom = false;
      this.touch(); // its silence meanwhile was ours
      if (!this.closed && this.pendingPackets <= MAX_BACKLOG / 2) this.resumeReads();
    });
  }

  /** The device waits in TCP: nothing more is taken from its socket (socket-reads.ts says why both). */
  private pauseReads(): void {
    this.stream.pause();
    stopSocketReads(this.stream);
  }

  private resumeReads(): void {
    startSocketReads(this.stream);
    this.stream.resume();
  }

  private startAccepting(packet: Packet): Promise<Accepted> | null {
    if (packet.cmd !== 'publish' || packet.qos === 2 || !this.device || this.closed || this.publishesInTurn > 0)
      return null;
    return this.accept(packet);
  }

  private accept(packet: IPublishPacket): Promise<Accepted> {
    return this.gateway
      .accept(this.device!, packet.topic, packet.payload as Buffer, packet.dup, packet.qos === 0 ? 0 : 1)
      .catch((error: unknown) => ({ failed: error })); // thrown in turn; never an unhandled rejection meanwhile
  }

  private async handle(packet: Packet, accepting: Promise<Accepted> | null): Promise<void> {
    if (packet.cmd === 'publish' && !accepting) this.publishesInTurn -= 1;
    if (this.closed) return;
    if (packet.cmd !== 'connect' && !this.device) return this.abort(RC.protocolError, 'CONNECT first');
    switch (packet.cmd) {
      case 'connect':
        return this.onConnect(packet);
      case 'publish':
        return this.onPublish(packet, accepting);
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

  private async onPublish(packet: IPublishPacket, accepting: Promise<Accepted> | null): Promise<void> {
    if (packet.qos === 2) return this.abort(RC.qosNotSupported, 'QoS 2 is not supported');
    const outcome = await (accepting ?? this.accept(packet));
    if (typeof outcome === 'object' && 'failed' in outcome) throw outcome.failed;
    if (outcome === 'shed') return; // only QoS 0 is shed: nothing to answer
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
    else this.keepAliveTimer = setTimeout(() => this.keepAliveExpired(), this.keepAliveMs);
  }

  private keepAliveExpired(): void {
    // Packets of its still wait for us (and its later ones in TCP, while the socket is paused): not the device's silence.
    if (this.pendingPackets > 0 || this.waitingForRoom) this.keepAliveTimer?.refresh();
    else this.abort(RC.keepAliveTimeout, 'keep-alive timeout');
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
