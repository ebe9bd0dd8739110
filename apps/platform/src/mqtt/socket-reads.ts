import type { Duplex } from 'node:stream';

/** The libuv stream handle behind a net or TLS socket (Node's `_handle`: reading on or off). */
interface StreamHandle {
  reading: boolean;
  readStart(): number;
  readStop(): number;
}

function handleOf(stream: Duplex): StreamHandle | null {
  const handle = (stream as unknown as { _handle?: StreamHandle | null })._handle;
  return handle && typeof handle.readStart === 'function' && typeof handle.readStop === 'function' ? handle : null;
}

/**
 * Takes the socket out of the event loop's reads until `startSocketReads`.
 * A paused stream (`pause()`, or a reader that reads nothing) still has Node
 * take every segment from the kernel until its buffer reaches the high-water
 * mark (16 KB: minutes of a device's readings), each one a callback. Under
 * overload thousands of paused device sockets made one poll phase last seconds
 * and every database round trip of an SOS waited a whole phase (issue 13).
 * Stopped here, the kernel buffers fill and TCP pushes back on the device at
 * once. Streams without a handle (WebSocket) keep the high-water-mark bound.
 */
export function stopSocketReads(stream: Duplex): void {
  const handle = handleOf(stream);
  if (!handle?.reading) return;
  handle.reading = false;
  handle.readStop();
}

/** Reads again (a no-op while reading, or once the socket is gone). */
export function startSocketReads(stream: Duplex): void {
  const handle = handleOf(stream);
  if (!handle || handle.reading || stream.destroyed) return;
  handle.reading = true;
  handle.readStart();
}
