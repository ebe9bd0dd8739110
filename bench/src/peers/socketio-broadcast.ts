// Peer for S7: a bare socket.io server broadcasting the same alert JSON to
// every console at the same rate the platform was driven at.
import http from 'node:http';
import type net from 'node:net';
import { Server } from 'socket.io';
import { exitWithParent, tell } from './peer-protocol';

interface BroadcastCommand {
  type: 'broadcast';
  ratePerSecond: number;
  durationMs: number;
  alert: Record<string, unknown>;
}

async function main(): Promise<void> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { serveClient: false, pingInterval: 10_000, pingTimeout: 10_000 });
  const consoles = io.of('/console');
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  process.on('message', (cmd: BroadcastCommand) => {
    if (cmd.type !== 'broadcast') return;
    // Open loop on a 1 ms timer: every event due by now is emitted, as a stream of alerts would be.
    const started = performance.now();
    let sent = 0;
    const total = Math.round((cmd.ratePerSecond * cmd.durationMs) / 1000);
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * cmd.ratePerSecond) / 1000));
      for (; sent < due; sent++)
        consoles.emit(sent % 4 === 0 ? 'alert:raised' : 'alert:updated', { ...cmd.alert, occurrences: sent });
      if (sent >= total) {
        clearInterval(timer);
        void tell({ type: 'done', sent });
      }
    }, 1);
  });
  exitWithParent(() => io.close());
  await tell({ type: 'ready', port: (httpServer.address() as net.AddressInfo).port });
}

void main();
