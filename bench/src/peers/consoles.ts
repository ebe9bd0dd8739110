// S7's audience: N real socket.io clients on `/console` in one process on the
// generator core, counting every alert delivered to them.
import { io, type Socket } from 'socket.io-client';
import { exitWithParent, tell } from './peer-protocol';

interface ConnectCommand {
  type: 'connect';
  url: string;
  token: string;
  count: number;
}

let sockets: Socket[] = [];
let deliveries = 0;
let bytes = 0;
/** Consoles the server dropped (a missed ping, a server stall) since they connected. */
let disconnects = 0;

async function connect(cmd: ConnectCommand): Promise<void> {
  sockets = Array.from({ length: cmd.count }, () =>
    io(`${cmd.url}/console`, {
      auth: { token: cmd.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    }),
  );
  const count = (alert: unknown) => {
    deliveries += 1;
    // Only the first client's payload size is sampled: the same alert goes to all.
    if (deliveries % 1000 === 1) bytes = JSON.stringify(alert).length;
  };
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.on('alert:raised', count);
          s.on('alert:updated', count);
          s.on('disconnect', () => (disconnects += 1));
          s.once('connect', () => resolve());
          s.once('connect_error', (e) => reject(e));
        }),
    ),
  );
}

process.on('message', (cmd: ConnectCommand | { type: 'count' } | { type: 'close' }) => {
  switch (cmd.type) {
    case 'connect':
      connect(cmd).then(
        () => void tell({ type: 'connected', count: sockets.length }),
        (e: unknown) => void tell({ type: 'error', error: String(e) }),
      );
      break;
    case 'count':
      void tell({ type: 'count', deliveries, payloadBytes: bytes, disconnects });
      break;
    case 'close':
      for (const s of sockets) s.removeAllListeners('disconnect').close();
      sockets = [];
      void tell({ type: 'closed' });
      break;
  }
});
exitWithParent(() => {
  for (const s of sockets) s.close();
});
void tell({ type: 'ready', port: 0 });
