import { PassThrough } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { routeByProtocolLevel } from './connection-router';

const connect = (protocolVersion: 4 | 5) =>
  mqttPacket.generate({ cmd: 'connect', clientId: 'device-1', protocolVersion, keepalive: 60, clean: true });

/** Routes `chunks` written one by one; resolves with the level and the bytes put back for the front-end. */
async function route(stream: PassThrough, chunks: Buffer[]): Promise<{ level: number; unshifted: Buffer }> {
  const routed = new Promise<number>((resolve) => routeByProtocolLevel(stream, resolve));
  for (const chunk of chunks) stream.write(chunk);
  const level = await routed;
  return { level, unshifted: stream.read() as Buffer };
}

describe('protocol router', () => {
  it('routes by protocol level and puts the CONNECT back untouched', async () => {
    for (const level of [4, 5] as const) {
      const routed = await route(new PassThrough(), [connect(level)]);
      expect(routed.level).toBe(level);
      expect(routed.unshifted.equals(connect(level))).toBe(true);
    }
  });

  // S2 (issue 13): a listener left behind keeps the router's state, the first bytes among it, for the connection's life.
  it('leaves nothing of its own on the stream once it has routed', async () => {
    const stream = new PassThrough();
    const before = { data: stream.listenerCount('data'), error: stream.listenerCount('error') };
    await route(stream, [connect(4)]);
    expect({ data: stream.listenerCount('data'), error: stream.listenerCount('error') }).toEqual(before);
  });

  it('gives a CONNECT that came in pieces a buffer of its own, not a slice of the shared pool', async () => {
    const bytes = connect(4);
    const { level, unshifted } = await route(new PassThrough(), [bytes.subarray(0, 3), bytes.subarray(3)]);
    expect(level).toBe(4);
    expect(unshifted.equals(bytes)).toBe(true);
    // A pool slice would pin a whole 8 KiB slab for as long as the parser keeps a piece of the CONNECT.
    expect(unshifted.buffer.byteLength).toBe(bytes.length);
  });
});
