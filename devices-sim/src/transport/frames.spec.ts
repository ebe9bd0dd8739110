import { generate, parser, type Packet } from 'mqtt-packet';
import { decodeConnack, decodePacketId, decodePublish, FrameReader } from './frame-reader';
import {
  buildConnectFrame,
  buildPubackFrame,
  buildSubscribeFrame,
  DISCONNECT,
  encodeRemainingLength,
  PINGREQ,
  PublishFrames,
  withDupFlag,
} from './frames';

/** Decodes frames with mqtt-packet, the reference the broker (aedes) uses. */
function decode(...frames: Buffer[]): Packet[] {
  const p = parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  const errors: Error[] = [];
  p.on('packet', (packet: Packet) => packets.push(packet));
  p.on('error', (e: Error) => errors.push(e));
  for (const f of frames) p.parse(f);
  const [error] = errors;
  if (error) throw error;
  return packets;
}

describe('raw client frames decode with mqtt-packet', () => {
  it('CONNECT carries the device credentials, keepalive and a retained QoS 1 will', () => {
    const frame = buildConnectFrame({
      clientId: 'dev-1',
      username: 'dev-1',
      password: 's3cret',
      keepaliveSeconds: 30,
      will: { topic: 'anxin/v1/devices/dev-1/status', payload: '{"online":false}', qos: 1, retain: true },
    });
    const [packet] = decode(frame);
    expect(packet).toMatchObject({
      cmd: 'connect',
      protocolVersion: 4,
      clean: true,
      clientId: 'dev-1',
      username: 'dev-1',
      keepalive: 30,
      will: { topic: 'anxin/v1/devices/dev-1/status', qos: 1, retain: true },
    });
    if (packet?.cmd !== 'connect') throw new Error('not connect');
    expect(packet.password?.toString()).toBe('s3cret');
    expect(packet.will?.payload.toString()).toBe('{"online":false}');
  });

  it.each([
    [0, 10],
    [1, 10],
    [1, 200],
    [1, 20_000],
  ] as const)('PUBLISH at QoS %i with a %i-byte payload keeps topic, id, retain and payload', (qos, size) => {
    const frames = new PublishFrames('anxin/v1/devices/dev-1/telemetry');
    const payload = Buffer.from('x'.repeat(size));
    const [packet] = decode(frames.frame(payload, qos, 4242, qos === 1));
    expect(packet).toMatchObject({
      cmd: 'publish',
      topic: 'anxin/v1/devices/dev-1/telemetry',
      qos,
      retain: qos === 1,
      dup: false,
    });
    if (packet?.cmd !== 'publish') throw new Error('not publish');
    expect(Buffer.from(packet.payload).equals(payload)).toBe(true);
    if (qos === 1) expect(packet.messageId).toBe(4242);
  });

  it('marks a redelivered PUBLISH with DUP and leaves the original untouched', () => {
    const original = new PublishFrames('t').frame(Buffer.from('{}'), 1, 7);
    const [dup] = decode(withDupFlag(original));
    const [plain] = decode(original);
    expect(dup).toMatchObject({ cmd: 'publish', dup: true, messageId: 7 });
    expect(plain).toMatchObject({ dup: false });
  });

  it('builds SUBSCRIBE, PUBACK, PINGREQ and DISCONNECT', () => {
    expect(decode(buildSubscribeFrame('anxin/v1/devices/d/commands', 65535))).toMatchObject([
      { cmd: 'subscribe', messageId: 65535, subscriptions: [{ topic: 'anxin/v1/devices/d/commands', qos: 1 }] },
    ]);
    expect(decode(buildPubackFrame(513))).toMatchObject([{ cmd: 'puback', messageId: 513 }]);
    expect(decode(PINGREQ)).toMatchObject([{ cmd: 'pingreq' }]);
    expect(decode(DISCONNECT)).toMatchObject([{ cmd: 'disconnect' }]);
  });

  it('encodes remaining lengths at every width boundary', () => {
    expect([...encodeRemainingLength(0)]).toEqual([0]);
    expect([...encodeRemainingLength(127)]).toEqual([0x7f]);
    expect([...encodeRemainingLength(128)]).toEqual([0x80, 0x01]);
    expect([...encodeRemainingLength(16_384)]).toEqual([0x80, 0x80, 0x01]);
    expect(() => encodeRemainingLength(268_435_456)).toThrow(RangeError);
  });
});

describe('FrameReader', () => {
  const opts = { protocolVersion: 4 } as const;
  const inbound = Buffer.concat([
    generate({ cmd: 'connack', returnCode: 5, sessionPresent: false }, opts),
    generate({ cmd: 'puback', messageId: 300 }, opts),
    generate({ cmd: 'pingresp' }, opts),
    generate(
      {
        cmd: 'publish',
        topic: 'anxin/v1/devices/d/commands',
        qos: 1,
        messageId: 9,
        payload: Buffer.from('{"a":1}'),
        retain: false,
        dup: false,
      },
      opts,
    ),
  ]);

  const check = (frames: ReturnType<FrameReader['push']>) => {
    expect(frames.map((f) => f.type)).toEqual([2, 4, 13, 3]);
    expect(decodeConnack(frames[0]!)).toBe(5);
    expect(decodePacketId(frames[1]!)).toBe(300);
    expect(decodePublish(frames[3]!)).toEqual({
      topic: 'anxin/v1/devices/d/commands',
      qos: 1,
      packetId: 9,
      payload: Buffer.from('{"a":1}'),
    });
  };

  it('splits frames that arrive together', () => {
    check(new FrameReader().push(inbound));
  });

  it('reassembles frames that arrive one byte at a time', () => {
    const reader = new FrameReader();
    const frames = [...inbound].flatMap((byte) => reader.push(Buffer.from([byte])));
    check(frames);
  });
});
