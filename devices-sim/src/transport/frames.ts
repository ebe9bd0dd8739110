// MQTT 3.1.1 frames for the raw-socket device client. Everything that does not
// change per message (CONNECT, SUBSCRIBE, PINGREQ, DISCONNECT, a topic's
// PUBLISH prefix) is generated once with mqtt-packet; a message then costs one
// small header write and a copy of its payload, which is what lets one process
// drive thousands of devices (BENCHMARKS.md method 5: a cheap generator).
import { generate } from 'mqtt-packet';

export const PINGREQ = Buffer.from([0xc0, 0x00]);
export const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** MQTT control packet types (first nibble), MQTT 3.1.1 §2.2.1. */
export const PacketType = {
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  SUBACK: 9,
  PINGRESP: 13,
  DISCONNECT: 14,
} as const;

export interface WillOptions {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

export interface ConnectOptions {
  clientId: string;
  username: string;
  password: string;
  keepaliveSeconds: number;
  will?: WillOptions;
}

export function buildConnectFrame(opts: ConnectOptions): Buffer {
  return generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    // No persistent session: a reconnecting device re-subscribes, and the broker keeps no state for it.
    clean: true,
    clientId: opts.clientId,
    keepalive: opts.keepaliveSeconds,
    username: opts.username,
    password: Buffer.from(opts.password, 'utf8'),
    ...(opts.will
      ? {
          will: {
            topic: opts.will.topic,
            payload: Buffer.from(opts.will.payload, 'utf8'),
            qos: opts.will.qos,
            retain: opts.will.retain,
          },
        }
      : {}),
  });
}

export function buildSubscribeFrame(topic: string, messageId: number): Buffer {
  return generate({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos: 1 }] });
}

export function buildPubackFrame(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, messageId >> 8, messageId & 0xff]);
}

/** Bytes of an MQTT "remaining length" (variable byte integer, §2.2.3). */
export function encodeRemainingLength(length: number): Buffer {
  const bytes: number[] = [];
  let value = length;
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  if (bytes.length > 4) throw new RangeError(`remaining length ${length} exceeds the MQTT maximum`);
  return Buffer.from(bytes);
}

/** PUBLISH frames for one topic: the encoded topic is built once and reused for every message. */
export class PublishFrames {
  private readonly topicBytes: Buffer;

  constructor(readonly topic: string) {
    const name = Buffer.from(topic, 'utf8');
    this.topicBytes = Buffer.allocUnsafe(2 + name.length);
    this.topicBytes.writeUInt16BE(name.length, 0);
    name.copy(this.topicBytes, 2);
  }

  /** One PUBLISH; `packetId` is required (1–65535) for QoS 1 and ignored for QoS 0. */
  frame(payload: Buffer, qos: 0 | 1, packetId = 0, retain = false): Buffer {
    const idLength = qos > 0 ? 2 : 0;
    const remaining = this.topicBytes.length + idLength + payload.length;
    const header = encodeRemainingLength(remaining);
    const frame = Buffer.allocUnsafe(1 + header.length + remaining);
    frame[0] = 0x30 | (qos << 1) | (retain ? 1 : 0);
    header.copy(frame, 1);
    let offset = 1 + header.length;
    offset += this.topicBytes.copy(frame, offset);
    if (qos > 0) {
      frame.writeUInt16BE(packetId, offset);
      offset += 2;
    }
    payload.copy(frame, offset);
    return frame;
  }
}

/** A copy of a PUBLISH frame with the DUP flag set, for redelivery after a reconnect (§3.3.1.1). */
export function withDupFlag(frame: Buffer): Buffer {
  const copy = Buffer.from(frame);
  copy[0] = (copy[0] ?? 0) | 0x08;
  return copy;
}
