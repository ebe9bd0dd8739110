import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import { createCenter, createStation, type StationFixture } from '../../support/fixtures';
import { connectDevice, event, publishQos1, topic } from '../../support/mqtt-device';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';
import { until } from '../../support/until';

const MiB = 1024 * 1024;

/** The fixed header of a packet of `type` declaring `remaining` bytes (MQTT variable-length integer). */
function fixedHeader(type: number, remaining: number): Buffer {
  const bytes = [type << 4];
  do {
    let digit = remaining % 128;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) digit |= 0x80;
    bytes.push(digit);
  } while (remaining > 0);
  return Buffer.from(bytes);
}

/** Sends `head`, then keeps streaming filler for up to `seconds`; resolves with how many bytes went before the server hung up. */
function streamUntilClosed(connect: () => net.Socket | WebSocket, head: Buffer, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const conn = connect();
    const filler = Buffer.alloc(64 * 1024, 0x41);
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      clearInterval(timer);
      if (conn instanceof net.Socket) conn.destroy();
      else conn.terminate();
      reject(new Error(`still connected after ${seconds} s and ${sent} bytes`));
    }, seconds * 1000);
    const closed = () => {
      clearTimeout(deadline);
      clearInterval(timer);
      resolve(sent);
    };
    const write = (chunk: Buffer) => {
      sent += chunk.length;
      if (conn instanceof net.Socket) conn.write(chunk);
      else if (conn.readyState === WebSocket.OPEN) conn.send(chunk);
    };
    const start = () => {
      write(head);
      timer = setInterval(() => write(filler), 5);
    };
    if (conn instanceof net.Socket) {
      conn
        .on('connect', start)
        .on('close', closed)
        .on('error', () => undefined);
    } else {
      conn
        .on('open', start)
        .on('close', closed)
        .on('error', () => undefined);
    }
  });
}

/**
 * Issue 12 (high): a packet declaring more than the contract allows is refused
 * from its header, before anything buffers it, on 3.1.1, 5 and WebSocket alike.
 */
describe('MQTT packet size limits', () => {
  let t: TestPlatform;
  let s: StationFixture;
  beforeAll(async () => {
    t = await startTestPlatform();
    s = await createStation(t.admin, await createCenter(t.admin), 'wearable');
  });
  afterAll(() => t.stop());

  const tcp = () => net.connect(t.mqttPort, '127.0.0.1');
  const ws = () => new WebSocket(`ws://127.0.0.1:${t.platform.httpPort}/mqtt`, 'mqtt');
  const connectHead = (level: 4 | 5, declared: number) =>
    Buffer.concat([fixedHeader(1, declared), Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, level])]);

  it.each([
    ['MQTT 3.1.1 over TCP', 4, 'tcp'],
    ['MQTT 5 over TCP', 5, 'tcp'],
    ['MQTT 3.1.1 over WebSocket', 4, 'ws'],
  ] as const)('hangs up on a CONNECT declaring 200 MiB (%s) before it is buffered', async (_, level, transport) => {
    const sent = await streamUntilClosed(transport === 'tcp' ? tcp : ws, connectHead(level, 200 * MiB), 10);
    // Closed long before the 30 s connect time-out and long before 200 MiB arrived.
    expect(sent).toBeLessThan(20 * MiB);
  });

  it.each([4, 5] as const)(
    'hangs up on a PUBLISH of 1 MiB after a good CONNECT (MQTT %s), and the broker keeps serving',
    async (version) => {
      const rejectedBefore = (await s.operator.get(`/api/v1/devices/${s.deviceId}`)).body.rejectedMessages as number;
      const client = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, version);
      let disconnectReason: number | undefined;
      client.on('disconnect', (packet) => (disconnectReason = packet.reasonCode));
      const gone = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('still connected 15 s after a 1 MiB PUBLISH')), 15_000);
        client.once('close', () => resolve(clearTimeout(timer)));
      });
      client.publish(topic(s.deviceId, 'events'), Buffer.alloc(MiB, 0x20), { qos: 1 });
      await gone;
      client.end(true);
      // MQTT 5 is told why: DISCONNECT 0x95, packet too large.
      expect(disconnectReason).toBe(version === 5 ? 0x95 : undefined);
      const again = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, version);
      expect(await publishQos1(again, topic(s.deviceId, 'events'), event('sos'))).toBe(0);
      again.end(true);
      // Counted on the device's health (issue 12 item 17), as any other rejected message; written after the hang-up.
      const rejectedCount = async () =>
        (await s.operator.get(`/api/v1/devices/${s.deviceId}`)).body.rejectedMessages as number;
      await until('the oversized packet counted on the device', async () =>
        (await rejectedCount()) > rejectedBefore ? true : undefined,
      );
      expect(await rejectedCount()).toBe(rejectedBefore + 1);
    },
  );

  it('still answers a payload just over 16 KiB with PUBACK 0x99 on a connection that stays open', async () => {
    const client = await connectDevice(t.mqttPort, { id: s.deviceId, secret: s.deviceSecret }, 5);
    const payload = JSON.stringify({ type: 'sos', ts: Date.now(), seq: 1, pad: 'x'.repeat(16 * 1024) });
    expect(await publishQos1(client, topic(s.deviceId, 'events'), payload)).toBe(0x99);
    expect(await publishQos1(client, topic(s.deviceId, 'events'), event('sos'))).toBe(0);
    client.end(true);
  });

  it('parses a normal CONNECT split across many tiny writes', async () => {
    const connect = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      clientId: s.deviceId,
      username: s.deviceId,
      password: Buffer.from(s.deviceSecret),
    });
    const socket = tcp();
    const connack = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    for (const byte of connect) {
      socket.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    expect([...(await connack)]).toEqual([0x20, 0x02, 0x00, 0x00]);
    socket.destroy();
  });
});
