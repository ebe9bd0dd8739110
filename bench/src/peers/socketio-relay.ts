// Peer for S3/S4: the floor of the alert path. A subscriber on Mosquitto that
// re-emits every SOS on socket.io `/console` as `alert:raised`, with no
// database, rules or dispatch (BENCHMARKS.md method 7: "a bare relay").
import http from 'node:http';
import type net from 'node:net';
import mqtt from 'mqtt';
import { Server } from 'socket.io';
import { exitWithParent, tell } from './peer-protocol';

const brokerPort = Number(process.argv[2]);

async function main(): Promise<void> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { serveClient: false });
  const consoles = io.of('/console');
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
    clientId: `bench-relay-${process.pid}`,
    clean: true,
    reconnectPeriod: 1000,
  });
  client.on('message', (topic, payload) => {
    let event: { type?: string; ts?: number; seq?: number };
    try {
      event = JSON.parse(payload.toString('utf8')) as typeof event;
    } catch {
      return;
    }
    if (event.type !== 'sos') return;
    const deviceId = topic.split('/')[3];
    consoles.emit('alert:raised', { deviceId, kind: 'sos', ts: event.ts, seq: event.seq });
  });
  await client.subscribeAsync('anxin/v1/devices/+/events', { qos: 1 });
  exitWithParent(async () => {
    await client.endAsync(true);
    await io.close();
  });
  await tell({ type: 'ready', port: (httpServer.address() as net.AddressInfo).port });
}

void main();
