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

/**
 * Watches the packet boundaries of a device stream (fixed headers only, bodies
 * skipped) and ends the connection the moment a packet DECLARES more than its
 * limit, before any parser buffers it: a CONNECT claiming 200 MiB must cost
 * nothing. An observer of 'data', so the bytes flow to the parser untouched;
 * attach it after the protocol router put its bytes back (they are seen once).
 */
export function guardPacketSizes(stream: Duplex, onTooLarge: (type: number, declared: number) => void): void {
  let skip = 0; // body bytes of the current packet still to pass
  let type = -1; // packet type whose length is being read; -1: expecting a fixed header
  let length = 0;
  let multiplier = 1;
  const onData = (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - at);
        skip -= n;
        at += n;
        continue;
      }
      const byte = chunk[at++]!;
      if (type === -1) {
        type = byte >> 4;
        length = 0;
        multiplier = 1;
        continue;
      }
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) !== 0 && multiplier <= 128 ** 3) continue;
      const limit = type === PUBLISH ? MAX_PUBLISH_BYTES : type === CONNECT ? MAX_CONNECT_BYTES : MAX_OTHER_BYTES;
      if (length > limit) {
        stream.off('data', onData);
        onTooLarge(type, length);
        stream.destroy();
        return;
      }
      skip = length;
      type = -1;
    }
  };
  stream.on('data', onData);
}
