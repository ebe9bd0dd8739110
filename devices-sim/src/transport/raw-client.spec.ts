import net from 'node:net';
import { generate, parser, type Packet } from 'mqtt-packet';
import { systemClock } from '../clock';
import { PublishFrames } from './frames';
import { ConnectRefusedError, RawDeviceClient, type RawClientOptions } from './raw-client';
import { TransportStats } from './transport-stats';

/** A broker stand-in on loopback that speaks just enough MQTT 3.1.1, with knobs for misbehaviour. */
class FakeBroker {
  readonly packets: Packet[] = [];
  returnCode = 0;
  ackPublishes = true;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => this.accept(socket));

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise((resolve) => this.server.close(resolve));
  }

  of(cmd: Packet['cmd']): Packet[] {
    return this.packets.filter((p) => p.cmd === cmd);
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const p = parser({ protocolVersion: 4 });
    p.on('packet', (packet: Packet) => {
      this.packets.push(packet);
      const reply = (answer: Packet) => socket.write(generate(answer));
      if (packet.cmd === 'connect') reply({ cmd: 'connack', returnCode: this.returnCode, sessionPresent: false });
      if (packet.cmd === 'publish' && packet.qos === 1 && this.ackPublishes)
        reply({ cmd: 'puback', messageId: packet.messageId });
      if (packet.cmd === 'subscribe') reply({ cmd: 'suback', messageId: packet.messageId, granted: [1] });
      if (packet.cmd === 'pingreq') reply({ cmd: 'pingresp' });
    });
    socket.on('data', (chunk: Buffer) => p.parse(chunk));
  }
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('RawDeviceClient', () => {
  let broker: FakeBroker;
  let options: RawClientOptions;
  const clients: RawDeviceClient[] = [];
  const telemetry = new PublishFrames('anxin/v1/devices/d1/telemetry');

  beforeEach(async () => {
    broker = new FakeBroker();
    const port = await broker.start();
    options = {
      broker: { host: '127.0.0.1', port, tls: false },
      clientId: 'd1',
      username: 'd1',
      password: 'secret',
      keepaliveSeconds: 30,
      subscribeTopic: 'anxin/v1/devices/d1/commands',
    };
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await broker.close();
  });

  const client = (stats: TransportStats, hooks = {}) => {
    const c = new RawDeviceClient(options, stats, systemClock, hooks);
    clients.push(c);
    return c;
  };

  it('connects with its credentials, subscribes to its commands and counts every PUBACK', async () => {
    const stats = new TransportStats();
    const onConnected = jest.fn();
    const c = client(stats, { onConnected });
    await c.connect();
    expect(onConnected).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 50; i++) c.publish(telemetry, Buffer.from(`{"i":${i}}`), 1, systemClock());
    c.publish(telemetry, Buffer.from('{"q":0}'), 0, systemClock());
    await waitFor(() => stats.counters.pubacks === 50);
    expect(c.inflightCount).toBe(0);
    expect(stats.counters).toMatchObject({ connected: 1, qos1Sent: 50, qos0Sent: 1, pubacks: 50 });
    expect(stats.pubackLatency.count).toBe(50);
    expect(broker.of('connect')[0]).toMatchObject({ clientId: 'd1', username: 'd1' });
    expect(broker.of('subscribe')).toHaveLength(1);
    const ids = broker
      .of('publish')
      .map((p) => p.messageId)
      .filter((id) => id !== undefined);
    expect(new Set(ids).size).toBe(50);
  });

  it('rejects a refused CONNACK without retrying', async () => {
    broker.returnCode = 5;
    const stats = new TransportStats();
    await expect(client(stats).connect()).rejects.toBeInstanceOf(ConnectRefusedError);
    expect(stats.counters.refused).toEqual({ '5': 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(broker.of('connect')).toHaveLength(1);
  });

  it('treats CONNACK 3 (server unavailable) as transient: the first connect fails retryably, not refused', async () => {
    broker.returnCode = 3;
    const stats = new TransportStats();
    const error = await client(stats)
      .connect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ConnectRefusedError);
    expect((error as Error).message).toContain('server unavailable');
    expect(stats.counters.refused).toEqual({ '3': 1 });
  });

  it('keeps redialling through CONNACK 3 after a drop and then redelivers the unacknowledged event', async () => {
    broker.ackPublishes = false;
    const stats = new TransportStats();
    const c = client(stats);
    await c.connect();
    c.publish(telemetry, Buffer.from('{"type":"sos"}'), 1, systemClock());
    await waitFor(() => broker.of('publish').length === 1);
    // The platform loses its database: the link drops and every CONNECT is answered "server unavailable".
    broker.returnCode = 3;
    broker.dropAll();
    await waitFor(() => (stats.counters.refused['3'] ?? 0) >= 2, 8_000);
    expect(c.inflightCount).toBe(1);
    broker.returnCode = 0;
    broker.ackPublishes = true;
    await waitFor(() => stats.counters.pubacks === 1, 15_000);
    expect(c.inflightCount).toBe(0);
    expect(broker.of('connect').length).toBeGreaterThanOrEqual(4);
    const sos = broker.of('publish').filter((p) => p.cmd === 'publish' && p.payload.toString() === '{"type":"sos"}');
    expect(sos.at(-1)).toMatchObject({ dup: true, messageId: sos[0]?.messageId });
  }, 30_000);

  it('keeps unacknowledged QoS 1 messages and redelivers them with DUP after a reconnect', async () => {
    broker.ackPublishes = false;
    const stats = new TransportStats();
    const c = client(stats);
    await c.connect();
    c.publish(telemetry, Buffer.from('{"n":1}'), 1, systemClock());
    c.publish(telemetry, Buffer.from('{"n":2}'), 1, systemClock());
    await waitFor(() => broker.of('publish').length === 2);
    expect(c.inflightCount).toBe(2);
    broker.ackPublishes = true;
    broker.dropAll();
    await waitFor(() => stats.counters.pubacks === 2, 8_000);
    expect(stats.counters).toMatchObject({ dropped: 1, reconnects: 1, retransmits: 2, qos1Sent: 2 });
    expect(
      broker
        .of('publish')
        .slice(2)
        .map((p) => p.cmd === 'publish' && p.dup),
    ).toEqual([true, true]);
  });

  it('sends PINGREQ when idle, and nothing at all once frozen', async () => {
    const c = client(new TransportStats());
    await c.connect();
    c.maintain(systemClock() + 16_000);
    await waitFor(() => broker.of('pingreq').length === 1);
    c.freeze();
    expect(c.publish(telemetry, Buffer.from('{}'), 1, systemClock())).toBe(false);
    c.maintain(systemClock() + 100_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(broker.of('pingreq')).toHaveLength(1);
    expect(broker.of('publish')).toHaveLength(0);
  });
});
