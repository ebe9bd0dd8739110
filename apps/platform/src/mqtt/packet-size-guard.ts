import type { Duplex } from 'node:stream';
import { MAX_PAYLOAD_BYTES } from '@anxin/contract';

/**
 * Largest packet a device may send, by MQTT packet type: a CONNECT is a few
 * hundred bytes (its will is the small status message); a PUBLISH is the
 * contract's 16 KiB payload plus topic and properties, with room left so a
 * payload just over the limit still gets its PUBACK 0x99 instead of a hang-up.
 */
export const MAX_CONNECT_BYTES = 4 * 1024;
export const MAX_PUBLISH_BYTES = MAX_PAYLOAD_BYTES + 4 * 1024;
const MAX_OTHER_BYTES = 4 * 1024;

const CONNECT = 1;
const PUBLISH = 3;

/** Told of a connection the guard ended: the protocol level it was routed with, the packet's type and declared size. */
export type PacketTooLarge = (stream: Duplex, protocolLevel: number, type: number, declared: number) => void;

/**
 * Watches the packet boundaries of a device stream (fixed headers only, bodies
 * skipped) and ends the connection the moment a packet DECLARES more than its
 * limit, before any parser buffers it: a CONNECT claiming 200 MiB must cost
 * nothing. An observer of 'data', so the bytes flow to the parser untouched;
 * attach it after the protocol router put its bytes back (they are seen once).
 * Its state is a few numbers in one object per connection, for as long as
 * the connection lives.
 */
export function guardPacketSizes(stream: Duplex, protocolLevel: number, onTooLarge: PacketTooLarge): void {
  new PacketSizeWatch(stream, protocolLevel, onTooLarge);
}

class PacketSizeWatch {
  private skip = 0; // body bytes of the current packet still to pass
  private type = -1; // packet type whose length is being read; -1: expecting a fixed header
  private length = 0;
  private multiplier = 1;

  constructor(
    private readonly stream: Duplex,
    private readonly protocolLevel: number,
    private readonly onTooLarge: PacketTooLarge,
  ) {
    stream.on('data', this.onData);
  }

  private readonly onData = (chunk: Buffer): void => {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const byte = chunk[at++]!;
      if (this.type === -1) {
        this.type = byte >> 4;
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if ((byte & 0x80) !== 0 && this.multiplier <= 128 ** 3) continue;
      const limit =
        this.type === PUBLISH ? MAX_PUBLISH_BYTES : this.type === CONNECT ? MAX_CONNECT_BYTES : MAX_OTHER_BYTES;
      if (this.length > limit) {
        this.stream.off('data', this.onData);
        this.onTooLarge(this.stream, this.protocolLevel, this.type, this.length);
        this.stream.destroy();
        return;
      }
      this.skip = this.length;
      this.type = -1;
    }
  };
}
