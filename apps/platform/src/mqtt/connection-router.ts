import type { Duplex } from 'node:stream';

/**
 * Reads just enough of the first packet to learn the protocol level, puts
 * the bytes back and hands the stream to the right front-end (MQTT 5 to ours,
 * 3.1.x to aedes). Anything that is not an MQTT CONNECT is dropped. Once it
 * has routed, nothing of the router stays on the stream (an idle device costs
 * only what its session needs).
 */
export function routeByProtocolLevel(stream: Duplex, route: (level: number) => void, timeoutMs = 10_000): void {
  let buffered: Buffer | null = null;
  const timer = setTimeout(() => stream.destroy(), timeoutMs);
  timer.unref();
  const onData = (chunk: Buffer) => {
    buffered = buffered === null ? chunk : joined(buffered, chunk);
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
  const stop = () => {
    clearTimeout(timer);
    stream.off('data', onData);
    stream.off('error', stop);
  };
  const done = (level: number | null) => {
    stop();
    stream.pause();
    if (level === null || buffered === null) {
      stream.destroy();
      return;
    }
    stream.unshift(buffered);
    route(level);
  };
  stream.on('data', onData);
  stream.on('error', stop);
}

/**
 * Two chunks in one buffer of its own, not a slice of Node's shared 8 KiB
 * pool (as Buffer.concat gives): the parser keeps slices of a CONNECT (the
 * password, the will), and each would pin a whole pool slab per connection.
 */
function joined(a: Buffer, b: Buffer): Buffer {
  const both = Buffer.allocUnsafeSlow(a.length + b.length);
  a.copy(both, 0);
  b.copy(both, a.length);
  return both;
}
