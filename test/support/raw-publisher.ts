import net from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';
import type { DeviceCredentials } from './mqtt-device';

/** Packet ids are seqs here, so one connection publishes at most this many (MQTT ids are 16-bit). */
const MAX_PUBLISHES = 60_000;

/**
 * A device publishing QoS 1 as fast as TCP lets it: no client library queue
 * in between, so when the broker stops reading the socket, the publisher
 * stops too (write returns false until 'drain'). Each PUBLISH's packet id is
 * its seq; `acked` holds the seqs PUBACKed with reason 0.
 */
export class RawPublisher {
  readonly acked = new Set<number>();
  /** PUBACKs with a reason other than 0 (MQTT 5). */
  readonly refused: number[] = [];
  sent = 0;
  /** Set when the broker closed the connection (with its DISCONNECT reason code, MQTT 5). */
  closedBy: { reasonCode?: number } | null = null;
  private readonly parser: ReturnType<typeof mqttPacket.parser>;
  private stopFlood: (() => void) | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly protocolVersion: 4 | 5,
  ) {
    this.parser = mqttPacket.parser({ protocolVersion });
    this.parser.on('packet', (packet: Packet) => {
      if (packet.cmd === 'puback') {
        const reasonCode = (packet as { reasonCode?: number }).reasonCode ?? 0;
        if (reasonCode === 0) this.acked.add(packet.messageId!);
        else this.refused.push(reasonCode);
      } else if (packet.cmd === 'disconnect') this.closedBy = { reasonCode: packet.reasonCode ?? 0 };
    });
    socket.on('data', (chunk) => this.parser.parse(chunk));
    socket.on('close', () => (this.closedBy ??= {}));
    socket.on('error', () => undefined);
  }

  /** Connects and waits for a CONNACK accepting the device. */
  static async connect(
    port: number,
    device: DeviceCredentials,
    protocolVersion: 4 | 5,
    keepaliveSeconds = 0,
  ): Promise<RawPublisher> {
    const socket = net.connect(port, '127.0.0.1');
    const publisher = new RawPublisher(socket, protocolVersion);
    const connack = new Promise<void>((resolve, reject) => {
      publisher.parser.once('packet', (packet: Packet) => {
        const { returnCode, reasonCode } = packet as { returnCode?: number; reasonCode?: number };
        const code = returnCode ?? reasonCode;
        if (packet.cmd === 'connack' && code === 0) resolve();
        else reject(new Error(`refused: ${packet.cmd} ${code}`));
      });
      socket.once('close', () => reject(new Error('closed before CONNACK')));
    });
    socket.write(
      mqttPacket.generate(
        {
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion,
          clean: true,
          keepalive: keepaliveSeconds,
          clientId: device.id,
          username: device.id,
          password: Buffer.from(device.secret),
        },
        { protocolVersion },
      ),
    );
    await connack;
    return publisher;
  }

  /** Publishes `payload(seq)` at QoS 1 to `topic` without pause but for TCP's, until `stop()` (or the id space ends). */
  async flood(topic: string, payload: (seq: number) => string): Promise<void> {
    const stopped = new Promise<void>((resolve) => (this.stopFlood = resolve));
    let running = true;
    void stopped.then(() => (running = false));
    while (running && this.sent < MAX_PUBLISHES && !this.closedBy) {
      const seq = ++this.sent;
      const frame = mqttPacket.generate(
        { cmd: 'publish', topic, payload: payload(seq), qos: 1, messageId: seq, retain: false, dup: false },
        { protocolVersion: this.protocolVersion },
      );
      if (!this.socket.write(frame)) await Promise.race([new Promise((r) => this.socket.once('drain', r)), stopped]);
    }
  }

  /** Ends the flood; what was written is still delivered. */
  stop(): void {
    this.stopFlood?.();
  }

  close(): void {
    this.stop();
    this.socket.destroy();
  }
}
