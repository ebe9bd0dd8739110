import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Aedes, AedesPublishPacket, AuthenticateError, Client, Subscription } from 'aedes';
import type { Logger } from 'pino';
import mqttPacket from 'mqtt-packet';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { deviceTopic } from '@anxin/contract';
import { CommandsService } from '../commands/commands.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { IngestService } from '../ingest/ingest.service';
import type { IngestedDevice } from '../ingest/ingest.signals';
import { LOGGER } from '../logging/logger';
import { RepeatedLog } from '../logging/repeated-log';
import { PlatformMetrics } from '../metrics/metrics';
import { RedisService } from '../redis/redis.service';
import { createBrokerBackend } from './broker-backend';
import { AedesPublishFlow, type PublishAnswer } from './aedes-publish-flow';
import { routeByProtocolLevel } from './connection-router';
import { DeviceAuthService } from './device-auth.service';
import type { DeviceGateway } from './device-session';
import { Mqtt5Session } from './mqtt5-session';
import { guardPacketSizes, MAX_PUBLISH_BYTES, type PacketTooLarge } from './packet-size-guard';
import { PendingConnections } from './pending-connections';
import {
  announcedSessionIsNewer,
  decodeAnnouncement,
  encodeAnnouncement,
  SESSION_ANNOUNCEMENTS,
  sessionAnnouncementTopic,
} from './session-takeover';
import { channelDevicePublishesTo, mayDeviceSubscribe } from './topic-acl.util';

type DeviceClient = Client & { device?: IngestedDevice };
interface Closable {
  close(): void;
}

export class PortInUseError extends Error {}

const ignoreError = (): void => undefined;

type MessageEmitter = {
  on(topic: string, listener: unknown): void;
  removeListener(topic: string, listener: unknown): void;
};

/** The device a connection authenticated as (set by `authenticate31`). */
const deviceOf = (client: unknown): IngestedDevice | undefined =>
  (client as { device?: IngestedDevice } | null)?.device;

/** aedes' return code 5 "not authorized" (CONTRACT §2: 3.1.1 refusals are code 5). */
function notAuthorized(message: string): AuthenticateError {
  const error: AuthenticateError = Object.assign(new Error(message), { returnCode: 5 as const });
  return error;
}

/** Return code 3 "server unavailable": credentials could not be checked, so the device keeps retrying (CONTRACT §2). */
function serverUnavailable(message: string): AuthenticateError {
  const error: AuthenticateError = Object.assign(new Error(message), { returnCode: 3 as const });
  return error;
}

/**
 * Publishes of one 3.1.1 connection handed to ingest and not yet answered, past
 * which it is no longer read: one device cannot fill the ingest line alone.
 */
const UNANSWERED_PER_CONNECTION = 256;

/** What a 3.1.1 device is answered (3.1.1 has no negative PUBACK: a refusal to store ends the connection). */
function answerFor(outcome: Awaited<ReturnType<DeviceGateway['accept']>>): PublishAnswer {
  if (outcome === 'forbidden') return 'disconnect'; // CONTRACT §2: 3.1.1 drops the packet and the client
  if (outcome === 'shed') return 'none'; // QoS 0: nothing to answer
  if (outcome.kind === 'rejected' && outcome.reason === 'storage_unavailable') return 'disconnect';
  return 'puback';
}

/** MQTT 5's way to say why a connection is closed (0x95: packet too large). */
const PACKET_TOO_LARGE_DISCONNECT = mqttPacket.generate(
  { cmd: 'disconnect', reasonCode: 0x95 },
  {
    protocolVersion: 5,
  },
);

/**
 * The embedded broker: aedes for MQTT 3.1.1 and our MQTT 5 session, both
 * behind one gateway to ingest; TCP, optional TLS and WebSocket at /mqtt.
 */
@Injectable()
export class MqttBrokerService implements OnApplicationShutdown {
  private aedes!: Aedes;
  private readonly servers: net.Server[] = [];
  private wss: WebSocketServer | null = null;
  /** Live sessions per device on this process, for takeover and kicking. */
  private readonly sessions = new Map<string, Closable>();
  /** The device each live session acts as (the same object the session holds), so a move updates it in place. */
  private readonly liveDevices = new Map<string, IngestedDevice>();
  readonly gateway: DeviceGateway;
  private stopped = false;
  /** The MQTT port devices connect to (MQTT_PORT, or the one chosen for port 0), once listening. */
  listeningPort: number | null = null;
  private readonly pending: PendingConnections;
  /** The device authenticated on a connection, for what is refused below the session (an oversized packet). */
  private readonly deviceOfStream = new WeakMap<Duplex, IngestedDevice>();
  private readonly publishFlow: AedesPublishFlow;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly auth: DeviceAuthService,
    private readonly ingest: IngestService,
    private readonly commands: CommandsService,
    private readonly metrics: PlatformMetrics,
    private readonly redis: RedisService,
    private readonly repeated: RepeatedLog,
  ) {
    this.gateway = this.createGateway();
    this.publishFlow = new AedesPublishFlow(ingest, UNANSWERED_PER_CONNECTION, (reason) =>
      metrics.readPauses.inc({ reason }),
    );
    this.pending = new PendingConnections(
      config.mqtt.maxPendingConnections,
      () => metrics.connectRefused.inc({ reason: 'connect_timeout' }),
      config.mqtt.connectTimeoutMs,
    );
  }

  private createGateway(): DeviceGateway {
    return {
      // Refusals are counted here, once for both protocols (server_unavailable: the database was down).
      verify: async (id, secret) => {
        // The connection's start is when its CONNECT arrived: a 3.1.1 session is ready only after
        // aedes' Redis round trips, by when a later connection on another process may have begun.
        const arrivedAt = new Date();
        const result = await this.auth.verify(id, secret);
        if (result.ok) result.device.connectedAt = arrivedAt;
        else this.metrics.connectRefused.inc({ reason: result.reason });
        return result;
      },
      accept: async (device, topic, payload, redelivered = false, qos = 1) => {
        const channel = channelDevicePublishesTo(device.id, topic);
        if (!channel) {
          this.gateway.countRefusal(device, `publish to ${topic}`);
          return 'forbidden';
        }
        // Issue 13: QoS 0 is "at most once" and CONTRACT §2 promises storage only to what is acknowledged, so
        // under overload such a reading is dropped (counted) instead of waiting in line.
        if (qos === 0 && channel === 'telemetry' && this.ingest.telemetryBusy) {
          this.ingest.shedTelemetry(device);
          return 'shed';
        }
        return this.ingest.accept(device, channel, payload, redelivered);
      },
      // The topic is parsed only when the line is full: this runs for every publish.
      readingMustWait: (device, topic) =>
        this.ingest.telemetrySaturated && channelDevicePublishesTo(device.id, topic) === 'telemetry',
      onIngestRoom: (callback) => {
        this.metrics.readPauses.inc({ reason: 'hold_full' });
        this.ingest.onTelemetryRoom(callback);
      },
      subscribeAllowed: (device, filter) => mayDeviceSubscribe(device.id, filter),
      countRefusal: (device, detail) => void this.ingest.reject(device, 'acl', detail),
      connected: (device, session) => {
        const previous = this.sessions.get(device.id);
        if (previous && previous !== session) previous.close();
        this.announceSession(device);
        this.sessions.set(device.id, session);
        this.liveDevices.set(device.id, device);
        this.metrics.connectedDevices.inc();
        void this.ingest
          .setOnline(device, true)
          .catch((e: unknown) => this.repeated.warn('mqtt:online', { err: e }, 'could not mark a device online'));
      },
      disconnected: (device, session) => {
        this.metrics.connectedDevices.dec();
        // A takeover already registered the new session; the old one must not mark the device offline.
        if (this.sessions.get(device.id) !== session) return;
        this.sessions.delete(device.id);
        this.liveDevices.delete(device.id);
        void this.ingest
          .setOnline(device, false)
          .catch((e: unknown) => this.repeated.warn('mqtt:offline', { err: e }, 'could not mark a device offline'));
      },
      subscribedToCommands: (device) =>
        void this.redeliverPending(device.id).catch((e: unknown) =>
          this.repeated.warn('mqtt:resend-commands', { err: e }, 'could not re-send pending commands'),
        ),
    };
  }

  async start(httpServer: HttpServer): Promise<number> {
    const { Aedes } = await import('aedes');
    const backend = createBrokerBackend(this.redis, this.log, this.config.queue.prefix);
    this.aedes = await Aedes.createBroker({
      ...(backend as object),
      // Unique per process start: container replicas often share a PID, and aedes keys takeover and wills by broker id.
      id: `anxin-${randomUUID()}`,
      // A frozen consumer is dropped instead of holding queued packets forever (aedes issue 193).
      drainTimeout: 5_000,
      connectTimeout: this.config.mqtt.connectTimeoutMs,
      queueLimit: 100,
      concurrency: 1000,
      authenticate: (client, username, password, done) => {
        void this.authenticate31(client as DeviceClient, username, password).then(
          (error) => done(error, error === null),
          (error: unknown) => done(serverUnavailable((error as Error).message), false),
        );
      },
      authorizePublish: (client, packet, done) => {
        const device = deviceOf(client);
        if (!device) return done(null); // the platform's own publishes (commands)
        const qos = packet.qos === 0 ? 0 : 1; // read now: the flow below answers for aedes and sets it to 0
        const accept = () =>
          this.gateway.accept(device, packet.topic, packet.payload as Buffer, packet.dup, qos).then(answerFor);
        // QoS 2 is outside the contract: aedes' own flow, answered after storage.
        if (packet.qos === 2)
          return void accept().then(
            (answer) => done(answer === 'disconnect' ? new Error('not stored') : null),
            (error: unknown) => done(error as Error),
          );
        // CONTRACT §2: PUBACK only after the event is stored; the flow sends it then (issue 13).
        const mustWait = this.gateway.readingMustWait(device, packet.topic);
        this.publishFlow.take(client!, packet, mustWait, () => done(null), accept);
      },
      authorizeSubscribe: (client, sub: Subscription, done) => {
        const device = deviceOf(client);
        if (device && this.gateway.subscribeAllowed(device, sub.topic))
          return done(null, { ...sub, qos: Math.min(sub.qos, 1) as 0 | 1 });
        if (device) this.gateway.countRefusal(device, `subscribe to ${sub.topic}`);
        done(new Error('not authorized'));
      },
    });
    this.skipUnroutablePublishes();
    this.takeOverSessionsAcrossProcesses();
    this.aedes.on('clientReady', (client) => {
      const conn = (client as unknown as { conn: Duplex }).conn;
      this.pending.answered(conn);
      const device = deviceOf(client);
      if (!device) return;
      this.deviceOfStream.set(conn, device);
      this.gateway.connected(device, client);
    });
    this.aedes.on('clientDisconnect', (client) => {
      const device = deviceOf(client);
      if (device) this.gateway.disconnected(device, client);
    });
    this.aedes.on('subscribe', (subs, client) => {
      const device = deviceOf(client);
      if (device && subs.length > 0) this.gateway.subscribedToCommands(device);
    });
    // aedes emits 'error' when its persistence fails (Redis lost): logged, never fatal (CONTRACT §1 v1.1).
    (this.aedes as unknown as NodeJS.EventEmitter).on('error', (error: Error) =>
      this.repeated.warn('mqtt:persistence', { err: error.message }, 'MQTT broker persistence error'),
    );
    this.aedes.on('clientError', (client, error) =>
      this.log.debug({ clientId: client.id, err: error.message }, 'MQTT client error'),
    );
    this.commands.signals.on('queued', (deviceId, command) =>
      this.publishCommand(deviceId, Buffer.from(JSON.stringify(command))),
    );
    this.auth.onDeviceChanged = (deviceId) => this.sessions.get(deviceId)?.close();
    // Issue 12 item 3: events and readings a session sends from now on carry the resident's new unit.
    this.auth.onResidentMoved = (residentId, orgUnitId) => {
      for (const device of this.liveDevices.values())
        if (device.residentId === residentId) device.orgUnitId = orgUnitId;
    };
    this.auth.onDeviceRefreshed = (fresh) => {
      const live = this.liveDevices.get(fresh.id);
      if (live && live !== fresh)
        Object.assign(live, {
          residentId: fresh.residentId,
          orgUnitId: fresh.orgUnitId,
          heartbeatSeconds: fresh.heartbeatSeconds,
        });
    };

    const mqttPort = await this.listen(
      net.createServer((socket) => this.route(socket)),
      this.config.mqtt.port,
      'MQTT_PORT',
    );
    if (this.config.mqtt.tls) {
      const { port, certPath, keyPath } = this.config.mqtt.tls;
      const server = tls.createServer({ cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) }, (socket) =>
        this.route(socket),
      );
      await this.listen(server, port, 'MQTTS_PORT');
    }
    // ws buffers a whole message before our packet guard sees it: cap it at the largest packet.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PUBLISH_BYTES });
    httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!req.url || new URL(req.url, 'http://x').pathname !== '/mqtt') return;
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.route(createWebSocketStream(ws)));
    });
    this.listeningPort = mqttPort;
    return mqttPort;
  }

  // What the broker attaches to every connection is shared by all of them (S2: an idle device costs its session only).
  private route(stream: Duplex): void {
    stream.on('error', ignoreError);
    if (!this.pending.admit(stream)) {
      this.metrics.connectRefused.inc({ reason: 'too_many_pending' });
      stream.destroy();
      return;
    }
    routeByProtocolLevel(stream, (level) => {
      guardPacketSizes(stream, level, this.packetTooLarge);
      if (level === 5)
        new Mqtt5Session(
          stream,
          {
            ...this.gateway,
            connected: (device, session) => {
              this.pending.answered(stream);
              this.deviceOfStream.set(stream, device);
              this.gateway.connected(device, session);
            },
          },
          { subscribe: (topic, deliver) => this.subscribeCommands(topic, deliver) },
          this.log,
        );
      else this.aedes.handle(stream);
    });
  }

  private readonly packetTooLarge: PacketTooLarge = (stream, level, type, declared) => {
    this.metrics.rejected.inc({ reason: 'packet_too_large' });
    // A device's own oversized message is counted on its health too (CONTRACT §2), not only in metrics.
    const device = this.deviceOfStream.get(stream);
    if (device) void this.ingest.reject(device, 'payload_too_large', `packet: ${declared} bytes declared`);
    // MQTT 5 can say why (0x95 packet too large) before the hang-up; 3.1.1 has no way to.
    if (level === 5) stream.write(PACKET_TOO_LARGE_DISCONNECT);
    this.repeated.warn(
      'mqtt:packet-too-large',
      { packetType: type, declaredBytes: declared },
      'MQTT packet over its size limit: connection closed',
    );
  };

  /**
   * A device's uplink is consumed in authorizePublish, and the topic ACL lets no
   * client subscribe to it; routing it through aedes' retained store and emitter
   * (Redis round trips when clustered) would be pure cost. Commands, published
   * by the platform itself, take aedes' normal path, and so does $SYS: aedes
   * hears its own heartbeat there, and a broker that stops hearing it publishes
   * every connected client's will as if the broker had died.
   */
  private skipUnroutablePublishes(): void {
    // aedes' handlers call publish(packet, client, done); its typings only know publish(packet, done).
    type Publish = (packet: AedesPublishPacket, client: unknown, done?: (error?: Error) => void) => void;
    const publish = (this.aedes.publish as unknown as Publish).bind(this.aedes);
    const skipping: Publish = (packet, client, done) => {
      const callback = typeof client === 'function' ? (client as (error?: Error) => void) : done;
      if (deviceOf(client)) return callback?.();
      publish(packet, client, done);
    };
    this.aedes.publish = skipping;
  }

  private async authenticate31(
    client: DeviceClient,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<AuthenticateError | null> {
    if (!username || client.id !== username) {
      this.metrics.connectRefused.inc({ reason: 'client_id_mismatch' });
      return notAuthorized('client id must equal the username (the device id)');
    }
    const result = await this.gateway.verify(username, password?.toString('utf8') ?? '');
    if (!result.ok) {
      return result.reason === 'server_unavailable' ? serverUnavailable(result.reason) : notAuthorized(result.reason);
    }
    client.device = result.device;
    return null;
  }

  /** aedes' message emitter: clustered over Redis when there is one. */
  private get mq(): MessageEmitter {
    return (this.aedes as unknown as { mq: MessageEmitter }).mq;
  }

  /** MQTT 5 sessions receive commands from the same emitter aedes delivers from (clustered with Redis). */
  private subscribeCommands(topic: string, deliver: (payload: Buffer) => void): () => void {
    const listener = (packet: AedesPublishPacket, cb: () => void) => {
      deliver(Buffer.from(packet.payload as Buffer));
      cb();
    };
    this.mq.on(topic, listener);
    return () => this.mq.removeListener(topic, listener);
  }

  /** Takeover across processes (issue 14): see session-takeover.ts. */
  private takeOverSessionsAcrossProcesses(): void {
    this.mq.on(SESSION_ANNOUNCEMENTS, (packet: AedesPublishPacket, cb: () => void) => {
      cb();
      const announced = decodeAnnouncement(Buffer.from(packet.payload as Buffer));
      const local = announced && this.liveDevices.get(announced.deviceId);
      if (!announced || !local?.connectedAt) return;
      const here = { connectedAt: local.connectedAt.getTime(), brokerId: this.aedes.id };
      const there = { connectedAt: announced.connectedAt, brokerId: packet.topic.split('/')[1]! };
      if (announcedSessionIsNewer(here, there)) this.sessions.get(announced.deviceId)?.close();
    });
  }

  private announceSession(device: IngestedDevice): void {
    const payload = encodeAnnouncement({
      deviceId: device.id,
      connectedAt: (device.connectedAt ?? new Date()).getTime(),
    });
    this.aedes.publish(
      { cmd: 'publish', topic: sessionAnnouncementTopic(this.aedes.id), payload, qos: 0 } as never,
      () => undefined,
    );
  }

  private publishCommand(deviceId: string, payload: Buffer): void {
    this.aedes.publish(
      { cmd: 'publish', topic: deviceTopic(deviceId, 'commands'), payload, qos: 1, retain: false, dup: false } as never,
      (error) => {
        if (error) this.repeated.warn('mqtt:publish-command', { err: error, deviceId }, 'could not publish a command');
      },
    );
  }

  private async redeliverPending(deviceId: string): Promise<void> {
    for (const command of await this.commands.pendingFor(deviceId))
      this.publishCommand(deviceId, Buffer.from(JSON.stringify(command)));
  }

  private listen(server: net.Server, port: number, variable: string): Promise<number> {
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new PortInUseError(
                `${variable}: port ${port} is already in use; free it or set ${variable} to another port`,
              )
            : error,
        ),
      );
      server.listen(port, this.config.mqtt.host, () => resolve((server.address() as net.AddressInfo).port));
    });
  }

  /** Stop taking connections first; platform.ts calls this before Nest drains ingest. */
  async onApplicationShutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // A listener's close() waits for its connections: stop accepting, end the sessions, then wait.
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const session of this.sessions.values()) session.close();
    this.pending.destroyAll(); // half-open and refused ones: every other connection has a session
    // Readings still waiting in line were never acknowledged; their devices send them again elsewhere.
    this.ingest.dropWaitingReadings();
    this.wss?.close();
    await closed;
    if (this.aedes) await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
  }
}
