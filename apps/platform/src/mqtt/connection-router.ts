import type { Duplex } from 'node:stream';

/**
 * Reads just enough of the first packet to learn the protocol level, puts
 * the bytes back and hands the stream to the right front-end (MQTT 5 to ours,
 * 3.1.x to aedes). Anything that is not an MQTT CONNECT is dropped.
 */
export function routeByProtocolLevel(stream: Duplex, route: (level: number) => void, timeoutMs = 10_000): void {
  let buffered = Buffer.alloc(0);
  const timer = setTimeout(() => stream.destroy(), timeoutMs);
  timer.unref();
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered[0] !== 0x10) return done(null);
    // fixed header: type byte + 1–4 byte remaining length; then protocol name (2 + n bytes) and level
    let offset = 1;
    while (offset < buffered.length && offset < 5 && (buffered[offset]! & 0x80) !== 0) offset += 1;
    offset += 1;
    if (buffered.length < offset + 2) return;
    const nameLength = buffered.readUInt16BE(offset);
    const levelAt = offset + 2 + nameLength;
    if (nameLength > 6) return done(null);
    if (buffered.length <= levelAt) return;
    done(buffered[levelAt]!);
  };
  const done = (level: number | null) => {
    clearTimeout(timer);
    stream.off('data', onData);
    stream.pause();
    if (level === null) {
      stream.destroy();
      return;
    }
    stream.unshift(buffered);
    route(level);
  };
  stream.on('data', onData);
  stream.on('error', () => clearTimeout(timer));
}
