// Splits the broker's byte stream into MQTT frames and decodes the few a device
// receives. Almost everything inbound is a 4-byte PUBACK or a PINGRESP, so a
// hand-rolled splitter is cheaper per connection than a full mqtt-packet parser
// (an EventEmitter and buffer list per socket, times ten thousand).
import { PacketType } from './frames';

export interface IncomingFrame {
  type: number;
  flags: number;
  body: Buffer;
}

export class FrameError extends Error {}

export class FrameReader {
  private buffered: Buffer | null = null;

  /** Feeds a chunk; returns every complete frame it finished. */
  push(chunk: Buffer): IncomingFrame[] {
    let data = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: IncomingFrame[] = [];
    for (;;) {
      const header = readFixedHeader(data);
      if (!header) break;
      const end = header.bodyStart + header.length;
      if (data.length < end) break;
      const first = data[0] ?? 0;
      frames.push({ type: first >> 4, flags: first & 0x0f, body: data.subarray(header.bodyStart, end) });
      data = data.subarray(end);
    }
    this.buffered = data.length > 0 ? Buffer.from(data) : null;
    return frames;
  }
}

function readFixedHeader(data: Buffer): { bodyStart: number; length: number } | null {
  if (data.length < 2) return null;
  let length = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    if (i >= data.length) return null;
    const byte = data[i] ?? 0;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { bodyStart: i + 1, length };
    multiplier *= 128;
  }
  throw new FrameError('malformed remaining length');
}

/** CONNACK return code (0 = accepted; 5 = not authorised, CONTRACT §2). */
export function decodeConnack(frame: IncomingFrame): number {
  return frame.body[1] ?? 255;
}

export function decodePacketId(frame: IncomingFrame): number {
  return frame.body.readUInt16BE(0);
}

export interface IncomingPublish {
  topic: string;
  qos: number;
  packetId: number | null;
  payload: Buffer;
}

export function decodePublish(frame: IncomingFrame): IncomingPublish {
  if (frame.type !== PacketType.PUBLISH) throw new FrameError('not a PUBLISH');
  const qos = (frame.flags >> 1) & 0x03;
  const topicLength = frame.body.readUInt16BE(0);
  const topic = frame.body.toString('utf8', 2, 2 + topicLength);
  let offset = 2 + topicLength;
  let packetId: number | null = null;
  if (qos > 0) {
    packetId = frame.body.readUInt16BE(offset);
    offset += 2;
  }
  return { topic, qos, packetId, payload: frame.body.subarray(offset) };
}
