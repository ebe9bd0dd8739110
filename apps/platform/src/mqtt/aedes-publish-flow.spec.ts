import net from 'node:net';
import type { Client } from 'aedes';
import { AedesPublishFlow, type PublishAnswer } from './aedes-publish-flow';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connected TCP pair on loopback: the server side plays aedes' connection. */
async function socketPair(): Promise<{ server: net.Socket; client: net.Socket; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  return {
    server,
    client,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

/** What aedes' Client exposes to the flow, over a real socket whose reader reads whatever is there. */
function aedesClient(conn: net.Socket) {
  const read: Buffer[] = [];
  const client = {
    conn,
    _keepaliveTimer: null,
    waitForDrain: () => undefined,
    close: () => conn.destroy(),
    _nextBatch() {
      for (let chunk = conn.read() as Buffer | null; chunk; chunk = conn.read() as Buffer | null) read.push(chunk);
    },
  };
  conn.on('readable', () => client._nextBatch()); // as aedes does
  return { client: client as unknown as Client, read };
}

/** An ingest line with room, and a publish whose storage finishes when told to. */
const roomyLine = { telemetrySaturated: false, onTelemetryRoom: () => undefined };
function pendingAccept() {
  let finish!: (answer: PublishAnswer) => void;
  const answered = new Promise<PublishAnswer>((resolve) => (finish = resolve));
  return { finish, accept: () => answered };
}

describe('AedesPublishFlow', () => {
  it("stops taking a paused connection's bytes from the kernel, and reads them all once it resumes", async () => {
    const pair = await socketPair();
    try {
      const { client, read } = aedesClient(pair.server);
      const pauses: string[] = [];
      const flow = new AedesPublishFlow(roomyLine, 2, (reason) => pauses.push(reason));
      const stored = [pendingAccept(), pendingAccept()];
      flow.take(client, { qos: 1, messageId: 1 }, false, () => undefined, stored[0]!.accept);
      flow.take(client, { qos: 1, messageId: 2 }, false, () => undefined, stored[1]!.accept);
      expect(pauses).toEqual(['connection']);

      // The device writes on while two publishes wait for storage: nothing of it is read, not even
      // into the socket's own buffer (before, up to its 16 KB high-water mark, a callback per segment).
      const readBefore = pair.server.bytesRead;
      const sent = Buffer.alloc(48 * 1024, 7);
      pair.client.write(sent);
      await sleep(300);
      expect(pair.server.bytesRead).toBe(readBefore);
      expect(read).toEqual([]);

      // One publish answered: under its share again, the connection is read on — everything, in order.
      const pubacks: Buffer[] = [];
      pair.client.on('data', (chunk: Buffer) => pubacks.push(chunk));
      stored[0]!.finish('puback');
      const deadline = Date.now() + 5_000;
      while (Buffer.concat(read).length < sent.length && Date.now() < deadline) await sleep(20);
      expect(Buffer.concat(read).equals(sent)).toBe(true);
      expect(Buffer.concat(pubacks)).toEqual(Buffer.from([0x40, 0x02, 0x00, 0x01]));
      stored[1]!.finish('puback');
    } finally {
      pair.close();
    }
  });

  it('notices a device that hung up while its connection was paused, once it reads again', async () => {
    const pair = await socketPair();
    try {
      const { client } = aedesClient(pair.server);
      const flow = new AedesPublishFlow(roomyLine, 1, () => undefined);
      const stored = pendingAccept();
      flow.take(client, { qos: 1, messageId: 9 }, false, () => undefined, stored.accept);
      const ended = new Promise<void>((resolve) => pair.server.once('end', resolve));
      pair.client.end();
      await sleep(200);
      stored.finish('puback');
      const giveUp = new Promise<string>((resolve) => setTimeout(resolve, 5_000, 'still open').unref());
      await expect(Promise.race([ended.then(() => 'ended'), giveUp])).resolves.toBe('ended');
    } finally {
      pair.close();
    }
  });

  it('pauses for a full ingest line only when told the publish must wait: a press is read on, and the press after it too', async () => {
    const pair = await socketPair();
    try {
      const { client, read } = aedesClient(pair.server);
      const roomWaiters: (() => void)[] = [];
      const fullLine = { telemetrySaturated: true, onTelemetryRoom: (wake: () => void) => roomWaiters.push(wake) };
      const pauses: string[] = [];
      const flow = new AedesPublishFlow(fullLine, 256, (reason) => pauses.push(reason));
      const press = pendingAccept();
      flow.take(client, { qos: 1, messageId: 1 }, false, () => undefined, press.accept);
      pair.client.write(Buffer.from('next press'));
      const deadline = Date.now() + 5_000;
      while (read.length === 0 && Date.now() < deadline) await sleep(20);
      expect(Buffer.concat(read).toString()).toBe('next press');
      expect(pauses).toEqual([]);

      // A reading while the line is full (the gateway's readingMustWait): the connection waits for room.
      const reading = pendingAccept();
      flow.take(client, { qos: 1, messageId: 2 }, true, () => undefined, reading.accept);
      expect(pauses).toEqual(['hold_full']);
      const readBefore = pair.server.bytesRead;
      pair.client.write(Buffer.from('more readings'));
      await sleep(200);
      expect(pair.server.bytesRead).toBe(readBefore);
      press.finish('puback');
      reading.finish('puback');
    } finally {
      pair.close();
    }
  });
});
